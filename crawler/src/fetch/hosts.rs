//! The host registry: each host's rate limiter, concurrency slots, own client and pause, shared
//! by every source on it.
//!
//! Each source tells the registry what it asks of its host at the start of each of its crawls;
//! the host enforces the strictest of what its sources ask (and robots.txt's `Crawl-delay`), so
//! an edited rate or concurrency takes effect on the next crawl, looser as well as stricter.
//! Hosts no source uses any more are forgotten.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

use crate::Rate;

/// What a host allows: the interval between requests, the burst, requests at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostLimits {
    pub interval: Duration,
    pub burst: u32,
    pub concurrency: usize,
}

impl HostLimits {
    pub fn new(rate: Rate, burst: NonZeroU32, concurrency: usize) -> HostLimits {
        HostLimits {
            interval: rate.interval(),
            burst: burst.get(),
            concurrency: concurrency.clamp(1, Semaphore::MAX_PERMITS),
        }
    }

    /// The stricter of the two on each count.
    fn strictest(self, other: HostLimits) -> HostLimits {
        let (interval, burst) = match self.interval.cmp(&other.interval) {
            std::cmp::Ordering::Greater => (self.interval, self.burst),
            std::cmp::Ordering::Less => (other.interval, other.burst),
            std::cmp::Ordering::Equal => (self.interval, self.burst.min(other.burst)),
        };
        HostLimits {
            interval,
            burst,
            concurrency: self.concurrency.min(other.concurrency),
        }
    }
}

/// A host's own clients.
#[derive(Clone, Debug)]
pub struct HostClients {
    /// With its headers, cookies and proxy.
    pub own: reqwest::Client,
    /// With its proxy and nothing else, when it has one: a redirect from the host to another
    /// goes through the proxy too, but does not carry the host's headers and cookies.
    pub proxy_only: Option<reqwest::Client>,
}

/// One host's state.
struct HostState {
    /// What each source on the host asks, by source.
    asked: BTreeMap<String, HostLimits>,
    /// robots.txt's `Crawl-delay`, when it is longer than the interval asked.
    crawl_delay: Option<Duration>,
    /// What is enforced now.
    limits: HostLimits,
    limiter: Arc<DefaultDirectRateLimiter>,
    slots: Arc<Semaphore>,
    /// The host's own clients, when it has headers, cookies or a proxy.
    clients: Option<HostClients>,
    /// No request before this time (the host said to slow down: 429, 503 with Retry-After).
    paused_until: Option<tokio::time::Instant>,
    /// No request before this time, and none waits for it: the host asked for a longer wait
    /// than the cap (when, and how long it asked for).
    held_off: Option<(tokio::time::Instant, Duration)>,
}

impl HostState {
    fn new(limits: HostLimits) -> HostState {
        HostState {
            asked: BTreeMap::new(),
            crawl_delay: None,
            limiter: Arc::new(RateLimiter::direct(quota(limits))),
            slots: Arc::new(Semaphore::new(limits.concurrency)),
            limits,
            clients: None,
            paused_until: None,
            held_off: None,
        }
    }

    /// Recomputes what is enforced; a new limiter or new slots only when they changed (requests
    /// already waiting finish on the old ones).
    fn enforce(&mut self, defaults: HostLimits) {
        let mut limits = self
            .asked
            .values()
            .copied()
            .reduce(HostLimits::strictest)
            .unwrap_or(defaults);
        if let Some(delay) = self.crawl_delay {
            limits = limits.strictest(HostLimits {
                interval: delay,
                burst: 1,
                concurrency: limits.concurrency,
            });
        }
        if (limits.interval, limits.burst) != (self.limits.interval, self.limits.burst) {
            self.limiter = Arc::new(RateLimiter::direct(quota(limits)));
        }
        if limits.concurrency != self.limits.concurrency {
            self.slots = Arc::new(Semaphore::new(limits.concurrency));
        }
        self.limits = limits;
    }
}

/// What a request to a host waits on.
pub(super) struct Turn {
    pub slots: Arc<Semaphore>,
    pub limiter: Arc<DefaultDirectRateLimiter>,
}

pub(super) struct Hosts {
    /// For a host no source configured.
    defaults: HostLimits,
    states: Mutex<HashMap<String, HostState>>,
}

impl Hosts {
    pub fn new(defaults: HostLimits) -> Hosts {
        Hosts {
            defaults,
            states: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HostState>> {
        self.states.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with_state<T>(&self, host: &str, f: impl FnOnce(&mut HostState) -> T) -> T {
        let mut states = self.lock();
        // Looked up before it is entered: the host's name is copied only the first time.
        if !states.contains_key(host) {
            states.insert(host.to_owned(), HostState::new(self.defaults));
        }
        match states.get_mut(host) {
            Some(state) => f(state),
            None => unreachable!("inserted above"),
        }
    }

    /// What `source` asks of `host` now, replacing what it asked before; `clients` are the
    /// host's own, if it needs them.
    pub fn configure(
        &self,
        host: &str,
        source: &str,
        limits: HostLimits,
        clients: Option<HostClients>,
    ) {
        let defaults = self.defaults;
        self.with_state(host, |state| {
            state.asked.insert(source.to_owned(), limits);
            if clients.is_some() {
                state.clients = clients;
            }
            state.enforce(defaults);
        });
    }

    /// robots.txt's `Crawl-delay` for `host`, as read on this crawl (`None`: it has none).
    pub fn set_crawl_delay(&self, host: &str, delay: Option<Duration>) {
        let defaults = self.defaults;
        self.with_state(host, |state| {
            state.crawl_delay = delay;
            state.enforce(defaults);
        });
    }

    /// Forgets the sources not in `sources`, and the hosts no source uses any more; returns
    /// the hosts forgotten.
    pub fn retain_sources(&self, sources: &[&str]) -> Vec<String> {
        let defaults = self.defaults;
        let mut states = self.lock();
        let mut forgotten = Vec::new();
        states.retain(|host, state| {
            if state.asked.is_empty() {
                return true;
            }
            state
                .asked
                .retain(|source, _| sources.contains(&source.as_str()));
            if state.asked.is_empty() {
                forgotten.push(host.clone());
                return false;
            }
            state.enforce(defaults);
            true
        });
        forgotten
    }

    /// What `host` enforces now, if it is known.
    pub fn limits(&self, host: &str) -> Option<HostLimits> {
        self.lock().get(host).map(|s| s.limits)
    }

    pub fn turn(&self, host: &str) -> Turn {
        self.with_state(host, |state| Turn {
            slots: Arc::clone(&state.slots),
            limiter: Arc::clone(&state.limiter),
        })
    }

    /// The host's own client (its headers, cookies and proxy).
    pub fn client(&self, host: &str) -> Option<reqwest::Client> {
        self.lock()
            .get(host)
            .and_then(|s| s.clients.as_ref())
            .map(|c| c.own.clone())
    }

    /// The host's proxy alone, for the redirects its pages send elsewhere.
    pub fn proxy_client(&self, host: &str) -> Option<reqwest::Client> {
        self.lock()
            .get(host)
            .and_then(|s| s.clients.as_ref())
            .and_then(|c| c.proxy_only.clone())
    }

    /// No request to `host` before `pause` from now (a longer pause already on stays).
    pub fn pause(&self, host: &str, pause: Duration) {
        let until = tokio::time::Instant::now() + pause;
        self.with_state(host, |state| {
            if state.paused_until.is_none_or(|at| at < until) {
                state.paused_until = Some(until);
            }
        });
    }

    /// Leaves `host` alone for `asked` (a `Retry-After` longer than the crawler waits): its
    /// pages fail at once until then, without a request.
    pub fn hold_off(&self, host: &str, asked: Duration) {
        let until = tokio::time::Instant::now() + asked;
        self.with_state(host, |state| {
            if state.held_off.is_none_or(|(at, _)| at < until) {
                state.held_off = Some((until, asked));
            }
        });
    }

    /// How long `host` asked to be left alone, if it is left alone now.
    pub fn held_off(&self, host: &str) -> Option<Duration> {
        let now = tokio::time::Instant::now();
        self.lock()
            .get(host)
            .and_then(|s| s.held_off)
            .filter(|(until, _)| *until > now)
            .map(|(_, asked)| asked)
    }

    /// Until when `host` is paused, if it is.
    pub fn paused_until(&self, host: &str) -> Option<tokio::time::Instant> {
        let now = tokio::time::Instant::now();
        self.lock()
            .get(host)
            .and_then(|s| s.paused_until)
            .filter(|until| *until > now)
    }
}

/// The limiter's quota: the interval with a 1% margin. The limit is what the supplier observes,
/// and requests sent exactly one interval apart can arrive a few milliseconds closer than that;
/// the margin keeps every window of the host's log within the configured rate (DESIGN.md
/// invariant 4) for 1% of throughput.
fn quota(limits: HostLimits) -> Quota {
    let interval = limits.interval.max(Duration::from_nanos(1));
    let with_margin = interval + (interval / 100).max(Duration::from_nanos(1));
    let burst = NonZeroU32::new(limits.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(with_margin)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_second: u32, burst: u32, concurrency: usize) -> HostLimits {
        HostLimits::new(
            Rate::per_second(per_second).expect("rate"),
            NonZeroU32::new(burst).expect("burst"),
            concurrency,
        )
    }

    #[test]
    fn a_host_enforces_the_strictest_source_and_an_edit_loosens_it_too() {
        let hosts = Hosts::new(limits(5, 1, 8));
        hosts.configure("s.example", "a", limits(10, 2, 4), None);
        hosts.configure("s.example", "b", limits(2, 3, 6), None);
        assert_eq!(hosts.limits("s.example"), Some(limits(2, 3, 4)));
        // `b` is edited to be faster: the host follows, down to what `a` still asks.
        hosts.configure("s.example", "b", limits(20, 3, 6), None);
        assert_eq!(hosts.limits("s.example"), Some(limits(10, 2, 4)));
        hosts.set_crawl_delay("s.example", Some(Duration::from_secs(2)));
        let slowed = hosts.limits("s.example").expect("known");
        assert_eq!((slowed.interval, slowed.burst), (Duration::from_secs(2), 1));
        hosts.set_crawl_delay("s.example", None);
        assert_eq!(hosts.limits("s.example"), Some(limits(10, 2, 4)));
    }

    #[test]
    fn hosts_no_source_uses_are_forgotten() {
        let hosts = Hosts::new(limits(5, 1, 8));
        hosts.configure("a.example", "a", limits(10, 1, 4), None);
        hosts.configure("b.example", "b", limits(1, 1, 1), None);
        hosts.configure("b.example", "a", limits(10, 1, 4), None);
        assert!(hosts.retain_sources(&["a"]).is_empty());
        assert_eq!(
            hosts.limits("b.example"),
            Some(limits(10, 1, 4)),
            "only a is left on b"
        );
        assert_eq!(hosts.retain_sources(&[]).len(), 2);
        assert_eq!(hosts.limits("a.example"), None);
    }
}

//! Fetching one URL politely, with every failure classified.
//!
//! [`Fetcher::fetch_if_changed`] reads as its steps: the guard → a slot of the host → the
//! host's turn (its pause, its rate limiter) → a global slot → the request and its redirects →
//! classify the answer → on a transient or rate-limited failure, back off (or obey
//! `Retry-After`) and retry. The modules hold the rest: `hosts` (each host's limits, shared by
//! its sources), `client` (reqwest), `body` (size cap, charset), `error` (classes and retry
//! policy), `robots_cache`.

mod body;
mod client;
mod error;
mod hosts;
mod robots_cache;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use url::Url;

use crate::guard::HostGuard;
use crate::Rate;
use body::{body_hash, gunzip_file, header_str, read_capped};
use error::{classify_status, transport_error};
use hosts::Hosts;
use robots_cache::RobotsCache;

pub use body::decode;
pub use error::{FailureClass, FetchError};
pub use hosts::HostLimits;
pub use robots_cache::RobotsTxt;

#[derive(Clone, Debug)]
pub struct FetcherConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Bodies larger than this (as decompressed) are refused while streaming.
    pub max_body_bytes: usize,
    /// Retries after the first attempt, for transient and rate-limited failures.
    pub retries: u32,
    /// First backoff; doubled on every retry.
    pub backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the page fails as rate limited.
    pub max_retry_after: Duration,
    /// The default rate and burst of a host no source configured.
    pub rate: Rate,
    pub burst: NonZeroU32,
    /// Requests at once to a host no source configured.
    pub host_concurrency: usize,
    /// Requests at once over every host.
    pub max_concurrency: usize,
    /// Only hosts given to [`Fetcher::configure_host`] may be fetched (and redirected to).
    pub only_known_hosts: bool,
    /// Private, loopback and link-local addresses are allowed for every host; otherwise only for
    /// hosts configured with `allow_private_networks`.
    pub allow_private_networks: bool,
}

/// What a source sets for its host. Two sources on one host share its limits: the stricter
/// rate, burst and concurrency win.
#[derive(Clone, Debug)]
pub struct HostSettings {
    pub rate: Rate,
    pub burst: NonZeroU32,
    /// Requests to the host at once.
    pub concurrency: usize,
    pub allow_private_networks: bool,
    /// Sent with every request to the host (`Accept-Language`, `Referer`, a token).
    pub headers: Vec<(String, String)>,
    /// Sent as one `Cookie` header (a session the supplier gave the merchant).
    pub cookies: Vec<(String, String)>,
    /// An HTTP(S) proxy for the host's requests (`http://user:pass@proxy:3128`).
    pub proxy: Option<String>,
}

impl Default for FetcherConfig {
    fn default() -> Self {
        FetcherConfig {
            user_agent: concat!("specsync/", env!("CARGO_PKG_VERSION"), " (+supplier sync)")
                .to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            rate: Rate::per_second(5).unwrap_or(Rate {
                count: NonZeroU32::MIN,
                per: Duration::from_secs(1),
            }),
            burst: NonZeroU32::MIN,
            host_concurrency: 8,
            max_concurrency: 64,
            only_known_hosts: false,
            allow_private_networks: false,
        }
    }
}

/// A page as fetched and decoded to text.
#[derive(Clone, Debug)]
pub struct FetchedPage {
    /// The final URL, after redirects.
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    /// What to send next time to ask whether the page changed.
    pub validators: Validators,
}

/// What a page's last answer said, to ask again conditionally.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body's XXH3-128 fingerprint, in hex.
    pub body_hash: Option<String>,
}

/// A conditional fetch's answer.
#[derive(Debug)]
pub enum Fetched {
    Page(Box<FetchedPage>),
    /// 304, or the same body as last time: nothing to extract.
    Unchanged,
}

pub struct Fetcher {
    /// For hosts without headers, cookies or a proxy of their own.
    client: reqwest::Client,
    config: FetcherConfig,
    guard: Arc<HostGuard>,
    hosts: Hosts,
    /// Requests at once over every host.
    global: Arc<Semaphore>,
    robots: RobotsCache,
}

const MAX_REDIRECTS: usize = 5;

impl Fetcher {
    pub fn new(config: FetcherConfig) -> Result<Fetcher, FetchError> {
        let guard = Arc::new(HostGuard::new(
            config.only_known_hosts,
            config.allow_private_networks,
        ));
        Ok(Fetcher {
            client: client::shared(&config, &guard)?,
            global: Arc::new(Semaphore::new(config.max_concurrency.max(1))),
            hosts: Hosts::new(HostLimits::new(
                config.rate,
                config.burst,
                config.host_concurrency,
            )),
            config,
            guard,
            robots: RobotsCache::default(),
        })
    }

    /// The robots.txt of `base`'s origin, fetched at most once an hour.
    pub async fn robots_txt(&self, base: &Url) -> RobotsTxt {
        let origin = base.origin().ascii_serialization();
        let fetch = async {
            match base.join("/robots.txt") {
                Err(_) => RobotsTxt::Missing,
                Ok(url) => match self.fetch(&url).await {
                    Ok(page) => RobotsTxt::Found(page.body),
                    Err(FetchError::Gone { .. } | FetchError::Permanent { .. }) => {
                        RobotsTxt::Missing
                    }
                    Err(FetchError::Blocked { status, .. }) if status < 500 => RobotsTxt::Missing,
                    Err(_) => RobotsTxt::Unreadable,
                },
            }
        };
        self.robots.get(origin, fetch).await
    }

    /// The robots.txt rules for this crawler at `base`'s origin.
    pub async fn robots_rules(&self, base: &Url) -> crate::robots::RobotsRules {
        match self.robots_txt(base).await {
            RobotsTxt::Found(text) => {
                crate::robots::RobotsRules::parse(&text, &self.config.user_agent)
            }
            RobotsTxt::Missing => crate::robots::RobotsRules::allow_all(),
            RobotsTxt::Unreadable => crate::robots::RobotsRules::deny_all(),
        }
    }

    /// Applies what `source`, whose pages are at `base`, asks of its host now: allowed by the
    /// guard (private addresses, if it allows them, for `base`'s origin only), its rate, burst
    /// and concurrency (the host enforces the strictest of what its sources ask; an edit takes
    /// effect at once), its headers, cookies, proxy.
    pub fn configure_host(
        &self,
        base: &Url,
        source: &str,
        settings: &HostSettings,
    ) -> Result<(), FetchError> {
        let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
        let clients = client::for_host(&self.config, &self.guard, &host, settings)?;
        self.guard.allow(base, settings.allow_private_networks);
        let limits = HostLimits::new(settings.rate, settings.burst, settings.concurrency);
        self.hosts.configure(&host, source, limits, clients);
        Ok(())
    }

    /// Lets `base`'s origin be on a private network (a page checked by hand on a local site).
    pub fn allow_private_origin(&self, base: &Url) {
        self.guard.allow(base, true);
    }

    /// robots.txt's `Crawl-delay` for `host`, as read now (`None`: it asks for none): the host
    /// is slowed to one request per delay while it asks for it.
    pub fn set_crawl_delay(&self, host: &str, delay: Option<Duration>) {
        self.hosts
            .set_crawl_delay(&host.to_ascii_lowercase(), delay);
    }

    /// Forgets what sources not named here asked, and the hosts no source uses any more (the
    /// guard no longer lets them through).
    pub fn retain_sources(&self, sources: &[&str]) {
        for host in self.hosts.retain_sources(sources) {
            self.guard.forget(&host);
        }
    }

    /// What `host` enforces now, if a request or a source made it known.
    pub fn host_limits(&self, host: &str) -> Option<HostLimits> {
        self.hosts.limits(&host.to_ascii_lowercase())
    }

    /// Fetches `url`, retrying transient and rate-limited failures.
    pub async fn fetch(&self, url: &Url) -> Result<FetchedPage, FetchError> {
        match self.fetch_if_changed(url, &Validators::default()).await? {
            Fetched::Page(page) => Ok(*page),
            // Without validators nothing can be unchanged; a 304 anyway is the server's error.
            Fetched::Unchanged => Err(FetchError::Permanent {
                url: url.clone(),
                status: 304,
            }),
        }
    }

    /// How long `host` asked to be left alone, if it asked for longer than the crawler waits
    /// (`Retry-After` over [`FetcherConfig::max_retry_after`]) and that time has not passed:
    /// its pages fail at once, unasked, until then.
    pub fn held_off(&self, host: &str) -> Option<Duration> {
        self.hosts.held_off(host)
    }

    /// Fetches `url` unless it is the same as when `known` was taken (ETag, Last-Modified, or
    /// the same body), retrying transient and rate-limited failures.
    pub async fn fetch_if_changed(
        &self,
        url: &Url,
        known: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.guard
            .check(url, url)
            .map_err(|reason| FetchError::Refused {
                url: url.clone(),
                reason: Box::new(reason),
            })?;
        // An http(s) URL's host is already lower case, as the hosts are kept.
        let host = url.host_str().unwrap_or_default();
        let mut attempt = 0;
        loop {
            let held_off = |asked| FetchError::HeldOff {
                url: url.clone(),
                asked,
                cap: self.config.max_retry_after,
            };
            if let Some(asked) = self.hosts.held_off(host) {
                return Err(held_off(asked));
            }
            let turn = self.hosts.turn(host);
            let Ok(_slot) = turn.slots.acquire().await else {
                unreachable!("the semaphore is never closed")
            };
            let _global = self.take_turn(host, &turn.limiter).await;
            // Left alone while this waited its turn: not asked after all.
            if let Some(asked) = self.hosts.held_off(host) {
                return Err(held_off(asked));
            }
            let result = self.fetch_once(url, known).await;
            let Err(error) = result else { return result };
            if let FetchError::RateLimited {
                retry_after: Some(asked),
                ..
            } = &error
            {
                if *asked > self.config.max_retry_after {
                    // Longer than the crawler waits: no page of the host waits for it (each
                    // would hold the crawl for the cap); the host is left alone until then.
                    self.hosts.hold_off(host, *asked);
                    return Err(error);
                }
            }
            if let FetchError::RateLimited { retry_after, .. } = &error {
                // The whole host slows down, not just this page.
                let pause = retry_after
                    .unwrap_or(self.config.backoff)
                    .min(self.config.max_retry_after);
                self.hosts.pause(host, pause);
            }
            let delay = (attempt < self.config.retries)
                .then(|| error.retry_delay(attempt, &self.config))
                .flatten();
            let Some(delay) = delay else {
                return Err(error);
            };
            tracing::debug!(%url, %error, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Waits for the host's turn (its pause, then its rate limiter), then for a global slot.
    /// A request never holds a global slot while it waits for its host: a slow host does not
    /// hold up the others. When no global slot is free at its turn, it waits for one without
    /// taking it, and takes a new turn: sent late, it would go together with later ones.
    async fn take_turn(
        &self,
        host: &str,
        limiter: &governor::DefaultDirectRateLimiter,
    ) -> tokio::sync::OwnedSemaphorePermit {
        loop {
            loop {
                if let Some(until) = self.hosts.paused_until(host) {
                    tokio::time::sleep_until(until).await;
                }
                limiter.until_ready().await;
                // A pause may have begun while this waited its turn: then wait it out and take
                // a new turn, so that requests held by the pause do not all go at its end.
                if self.hosts.paused_until(host).is_none() {
                    break;
                }
            }
            if let Ok(permit) = Arc::clone(&self.global).try_acquire_owned() {
                return permit;
            }
            let Ok(free) = self.global.acquire().await else {
                unreachable!("the semaphore is never closed")
            };
            drop(free);
        }
    }

    /// One attempt: the request and its redirects, and the answer read, within the timeout.
    async fn fetch_once(&self, url: &Url, known: &Validators) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(self.config.timeout, self.answer(url, known)).await {
            Ok(answer) => answer,
            Err(_) => Err(FetchError::Transient {
                url: url.clone(),
                reason: "timed out".to_owned(),
            }),
        }
    }

    async fn answer(&self, url: &Url, known: &Validators) -> Result<Fetched, FetchError> {
        let conditional = known.etag.is_some() || known.last_modified.is_some();
        let (response, final_url) = self.follow(url, known).await?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Fetched::Unchanged);
        }
        classify_status(url, status, response.headers())?;
        let etag = header_str(response.headers(), ETAG.as_str());
        let last_modified = header_str(response.headers(), LAST_MODIFIED.as_str());
        let content_type = header_str(response.headers(), CONTENT_TYPE.as_str());
        let bytes = read_capped(url, response, self.config.max_body_bytes).await?;
        let bytes = gunzip_file(url, bytes, self.config.max_body_bytes)?;
        let body_hash = body_hash(&bytes);
        if known.body_hash.as_deref() == Some(body_hash.as_str()) {
            return Ok(Fetched::Unchanged);
        }
        let body = decode(bytes, content_type.as_deref());
        if let Some(reason) = crate::blocked::block_page(&body) {
            return Err(FetchError::Blocked {
                url: url.clone(),
                status: status.as_u16(),
                reason: Some(reason),
            });
        }
        Ok(Fetched::Page(Box::new(FetchedPage {
            url: final_url,
            status: status.as_u16(),
            content_type,
            body,
            validators: Validators {
                etag,
                last_modified,
                body_hash: Some(body_hash),
            },
        })))
    }

    /// Asks for `url` and follows its redirects: at most [`MAX_REDIRECTS`], never in a loop,
    /// and only where the guard lets a request that started at `url` go. Each hop is sent with
    /// its own host's client; a hop to a host without one goes through `url`'s host's proxy,
    /// if it has one (never around it), without that host's headers and cookies.
    async fn follow(
        &self,
        url: &Url,
        known: &Validators,
    ) -> Result<(reqwest::Response, Url), FetchError> {
        let mut at = url.clone();
        let mut visited = Vec::new();
        loop {
            let mut request = self.client(&at, url).get(at.clone());
            if let Some(etag) = &known.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &known.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
            let response = request.send().await.map_err(|e| transport_error(url, &e))?;
            let Some(next) = redirect_target(&at, &response) else {
                return Ok((response, at));
            };
            let refused = |reason: String| FetchError::Redirect {
                url: url.clone(),
                reason,
            };
            if visited.len() >= MAX_REDIRECTS {
                return Err(refused(format!("more than {MAX_REDIRECTS} redirects")));
            }
            visited.push(std::mem::replace(&mut at, next));
            if visited.contains(&at) {
                return Err(refused(format!("a redirect loop (back to {at})")));
            }
            self.guard
                .check(&at, url)
                .map_err(|refusal| refused(format!("redirected to {at}: {refusal}")))?;
        }
    }

    /// The client for a request to `url` that started at `from`: `url`'s host's own when it has
    /// headers, cookies or a proxy; else `from`'s host's proxy, if it has one; else the shared.
    fn client(&self, url: &Url, from: &Url) -> reqwest::Client {
        let host = url.host_str().unwrap_or_default();
        if let Some(own) = self.hosts.client(host) {
            return own;
        }
        let started = from.host_str().unwrap_or_default();
        (started != host)
            .then(|| self.hosts.proxy_client(started))
            .flatten()
            .unwrap_or_else(|| self.client.clone())
    }
}

/// Where a redirect answer sends the request next, if it is one.
fn redirect_target(at: &Url, response: &reqwest::Response) -> Option<Url> {
    let redirect = matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308);
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    redirect.then(|| at.join(location.trim()).ok()).flatten()
}

//! Fetching one URL politely, with every failure classified.
//!
//! `Fetcher::fetch` reads as its steps: wait for the host's rate limiter → request → classify the
//! answer → on a transient or rate-limited failure, back off (or obey `Retry-After`) and retry.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::header::{
    HeaderMap, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LOCATION, RETRY_AFTER,
};
use http::StatusCode;
use url::Url;

use tokio::sync::Semaphore;

use crate::guard::HostGuard;
use crate::http::{ClientSettings, HttpClient};
use crate::Rate;

#[derive(Clone, Debug)]
pub struct FetcherConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Bodies larger than this are refused while streaming.
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

/// How a failure is handled: by the queue (retry or not) and by the source's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    Transient,
    RateLimited,
    Blocked,
    Gone,
    Permanent,
    TooLarge,
    Undecodable,
    /// The page was fetched but gave no product.
    Extraction,
}

impl FailureClass {
    pub fn as_str(&self) -> &'static str {
        match self {
            FailureClass::Transient => "transient",
            FailureClass::RateLimited => "rate_limited",
            FailureClass::Blocked => "blocked",
            FailureClass::Gone => "gone",
            FailureClass::Permanent => "permanent",
            FailureClass::TooLarge => "too_large",
            FailureClass::Undecodable => "undecodable",
            FailureClass::Extraction => "extraction",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {reason} (will retry on a later crawl)")]
    Transient { url: Url, reason: String },
    #[error("{url}: rate limited by the supplier (HTTP {status}){}", retry_after.map(|d| format!(", retry after {}s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        url: Url,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("{url}: blocked by the supplier (HTTP {status}{})", reason.map(|r| format!(", {r}")).unwrap_or_default())]
    Blocked {
        url: Url,
        status: u16,
        /// What the page showed instead of the product, when it said (a captcha, a login wall).
        reason: Option<&'static str>,
    },
    #[error("{url}: the page is gone (HTTP {status})")]
    Gone { url: Url, status: u16 },
    #[error("{url}: HTTP {status}")]
    Permanent { url: Url, status: u16 },
    #[error("{url}: the page is larger than the {limit}-byte limit")]
    TooLarge { url: Url, limit: usize },
    #[error("{url}: {reason}")]
    Redirect { url: Url, reason: String },
    #[error("{url}: not fetched: {reason}")]
    Refused {
        url: Url,
        reason: crate::guard::Refusal,
    },
    #[error("failed to build the HTTP client: {0}")]
    Client(#[source] crate::http::ClientError),
    #[error("host {host}: {reason}")]
    Settings { host: String, reason: String },
}

impl FetchError {
    pub fn class(&self) -> FailureClass {
        match self {
            FetchError::Transient { .. } | FetchError::Client(_) => FailureClass::Transient,
            FetchError::RateLimited { .. } => FailureClass::RateLimited,
            FetchError::Blocked { .. } => FailureClass::Blocked,
            FetchError::Gone { .. } => FailureClass::Gone,
            FetchError::Permanent { .. }
            | FetchError::Refused { .. }
            | FetchError::Redirect { .. }
            | FetchError::Settings { .. } => FailureClass::Permanent,
            FetchError::TooLarge { .. } => FailureClass::TooLarge,
        }
    }

    fn retry_delay(&self, attempt: u32, config: &FetcherConfig) -> Option<Duration> {
        match self {
            FetchError::Transient { .. } => {
                Some(jittered(config.backoff * 2u32.saturating_pow(attempt)))
            }
            FetchError::RateLimited { retry_after, .. } => match retry_after {
                Some(d) if *d > config.max_retry_after => None,
                Some(d) => Some(*d),
                None => Some(jittered(config.backoff * 2u32.saturating_pow(attempt + 1))),
            },
            _ => None,
        }
    }
}

/// `delay` and up to half as much again, at random: pages that failed together (a burst of
/// 503s) are not all retried in the same instant. Never less than `delay`, which is the
/// backoff the host was promised.
fn jittered(delay: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // A new `RandomState` is randomly keyed: enough randomness for spreading retries.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    let fraction = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
    delay + delay.mul_f64(fraction / 2.0)
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
    /// Hex SHA-256 of the body as received.
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
    client: Arc<HttpClient>,
    config: FetcherConfig,
    guard: Arc<HostGuard>,
    hosts: Mutex<HashMap<String, HostState>>,
    /// Requests at once over every host.
    global: Arc<Semaphore>,
    /// robots.txt per origin, with when it was fetched.
    robots: tokio::sync::Mutex<HashMap<String, (std::time::Instant, RobotsTxt)>>,
    /// Hosts that said to slow down (429, 503 with Retry-After): no request before this time.
    paused: Mutex<HashMap<String, tokio::time::Instant>>,
}

/// One host's limits, shared by every source on it.
struct HostState {
    limiter: Arc<DefaultDirectRateLimiter>,
    /// The limiter's quota as (interval, burst): a stricter one replaces it, a laxer one not.
    quota: (Duration, u32),
    slots: Arc<Semaphore>,
    concurrency: usize,
    /// The host's own client, when it has headers, cookies or a proxy.
    client: Option<Arc<HttpClient>>,
    /// A source has configured the host (else it runs on the fetcher's defaults).
    configured: bool,
}

/// A host's robots.txt as fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RobotsTxt {
    Found(String),
    /// 4xx: there is none, everything is allowed.
    Missing,
    /// 5xx or no answer: nothing is allowed for now.
    Unreadable,
}

/// How long a robots.txt is trusted before it is fetched again.
const ROBOTS_TTL: Duration = Duration::from_secs(3600);

impl Fetcher {
    pub fn new(config: FetcherConfig) -> Result<Fetcher, FetchError> {
        let guard = Arc::new(HostGuard::new(
            config.only_known_hosts,
            config.allow_private_networks,
        ));
        let client = HttpClient::new(client_settings(&config, &guard, HeaderMap::new(), None))
            .map_err(FetchError::Client)?;
        Ok(Fetcher {
            client: Arc::new(client),
            global: Arc::new(Semaphore::new(config.max_concurrency.max(1))),
            config,
            guard,
            hosts: Mutex::new(HashMap::new()),
            robots: tokio::sync::Mutex::new(HashMap::new()),
            paused: Mutex::new(HashMap::new()),
        })
    }

    /// The robots.txt of `base`'s origin, fetched at most once an hour.
    pub async fn robots_txt(&self, base: &Url) -> RobotsTxt {
        let origin = base.origin().ascii_serialization();
        let mut cache = self.robots.lock().await;
        if let Some((at, robots)) = cache.get(&origin) {
            if at.elapsed() < ROBOTS_TTL {
                return robots.clone();
            }
        }
        let robots = match base.join("/robots.txt") {
            Err(_) => RobotsTxt::Missing,
            Ok(url) => match self.fetch(&url).await {
                Ok(page) => RobotsTxt::Found(page.body),
                Err(FetchError::Gone { .. } | FetchError::Permanent { .. }) => RobotsTxt::Missing,
                Err(FetchError::Blocked { status, .. }) if status < 500 => RobotsTxt::Missing,
                Err(_) => RobotsTxt::Unreadable,
            },
        };
        cache.insert(origin, (std::time::Instant::now(), robots.clone()));
        robots
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

    /// Applies a source's settings to its host: allowed by the guard, its rate, burst and
    /// concurrency (the stricter of what sources on the host ask), its headers, cookies, proxy.
    pub fn configure_host(&self, host: &str, settings: &HostSettings) -> Result<(), FetchError> {
        let host = host.to_ascii_lowercase();
        self.guard.allow(&host, settings.allow_private_networks);
        let client = host_client(&self.config, &self.guard, &host, settings)?;
        let mut hosts = self.lock_hosts();
        let state = hosts
            .entry(host)
            .or_insert_with(|| self.default_host_state());
        if !state.configured {
            // The first source on the host replaces the defaults; later ones only tighten them.
            *state = HostState::new(settings.rate, settings.burst, settings.concurrency);
            state.configured = true;
        }
        state.slow_to(settings.rate, settings.burst);
        let concurrency = settings.concurrency.clamp(1, Semaphore::MAX_PERMITS);
        if concurrency < state.concurrency {
            state.concurrency = concurrency;
            state.slots = Arc::new(Semaphore::new(concurrency));
        }
        if let Some(client) = client {
            state.client = Some(Arc::new(client));
        }
        Ok(())
    }

    /// Slows one host to at most this rate (robots.txt's `Crawl-delay`); never speeds it up.
    pub fn set_host_rate(&self, host: &str, rate: Rate, burst: NonZeroU32) {
        let mut hosts = self.lock_hosts();
        hosts
            .entry(host.to_ascii_lowercase())
            .or_insert_with(|| self.default_host_state())
            .slow_to(rate, burst);
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

    /// Fetches `url` unless it is the same as when `known` was taken (ETag, Last-Modified, or
    /// the same body), retrying transient and rate-limited failures.
    pub async fn fetch_if_changed(
        &self,
        url: &Url,
        known: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.guard
            .check(url)
            .map_err(|reason| FetchError::Refused {
                url: url.clone(),
                reason,
            })?;
        let mut attempt = 0;
        loop {
            let (slots, limiter) = self.host(url);
            // A free slot first, then the rate: a request that waited for a slot after taking
            // its turn from the limiter would be sent late, together with later ones.
            let Ok(_global) = self.global.acquire().await else {
                unreachable!("the semaphore is never closed")
            };
            let Ok(_slot) = slots.acquire().await else {
                unreachable!("the semaphore is never closed")
            };
            loop {
                self.wait_if_paused(url).await;
                limiter.until_ready().await;
                // A pause may have begun while this waited its turn: then wait it out and take
                // a new turn, so that requests held by the pause do not all go at its end.
                if !self.is_paused(url) {
                    break;
                }
            }
            let result = self.fetch_once(url, known).await;
            let Err(error) = result else { return result };
            if let FetchError::RateLimited { retry_after, .. } = &error {
                // The whole host slows down, not just this page.
                let pause = retry_after
                    .unwrap_or(self.config.backoff)
                    .min(self.config.max_retry_after);
                self.pause_host(url, pause);
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
        let mut conditional = Vec::with_capacity(2);
        if let Some(etag) = &known.etag {
            conditional.push((IF_NONE_MATCH, etag.as_str()));
        }
        if let Some(date) = &known.last_modified {
            conditional.push((IF_MODIFIED_SINCE, date.as_str()));
        }
        let (response, final_url) = self.follow(url, &conditional).await?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && !conditional.is_empty() {
            return Ok(Fetched::Unchanged);
        }
        classify_status(url, status, response.headers())?;
        let etag = header_str(response.headers(), http::header::ETAG.as_str());
        let last_modified = header_str(response.headers(), http::header::LAST_MODIFIED.as_str());
        let content_type = header_str(response.headers(), CONTENT_TYPE.as_str());
        let bytes = read_capped(url, response, self.config.max_body_bytes).await?;
        // A file that is gzip itself (`sitemap.xml.gz`), not a gzip transfer encoding.
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
    /// and only to hosts the guard lets through. Each hop is sent with its own host's headers.
    async fn follow(
        &self,
        url: &Url,
        conditional: &[(http::HeaderName, &str)],
    ) -> Result<(http::Response<hyper::body::Incoming>, Url), FetchError> {
        let mut at = url.clone();
        let mut visited = Vec::new();
        loop {
            let response = self.client(&at).get(&at, conditional).await.map_err(|e| {
                FetchError::Transient {
                    url: url.clone(),
                    reason: e.to_string(),
                }
            })?;
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
                .check(&at)
                .map_err(|refusal| refused(format!("redirected to {at}: {refusal}")))?;
        }
    }

    fn pause_host(&self, url: &Url, pause: Duration) {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let until = tokio::time::Instant::now() + pause;
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        let entry = paused.entry(host).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    fn is_paused(&self, url: &Url) -> bool {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.paused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host)
            .is_some_and(|until| *until > tokio::time::Instant::now())
    }

    async fn wait_if_paused(&self, url: &Url) {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let until = self
            .paused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host)
            .copied();
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }

    /// The host's concurrency slots and rate limiter.
    fn host(&self, url: &Url) -> (Arc<Semaphore>, Arc<DefaultDirectRateLimiter>) {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut hosts = self.lock_hosts();
        let state = hosts
            .entry(host)
            .or_insert_with(|| self.default_host_state());
        (Arc::clone(&state.slots), Arc::clone(&state.limiter))
    }

    /// The client for the host's requests: its own when it has headers, cookies or a proxy.
    fn client(&self, url: &Url) -> Arc<HttpClient> {
        // An http(s) URL's host is already lower case, as the hosts are kept.
        let hosts = self.lock_hosts();
        let own = hosts
            .get(url.host_str().unwrap_or_default())
            .and_then(|state| state.client.as_ref());
        Arc::clone(own.unwrap_or(&self.client))
    }

    fn default_host_state(&self) -> HostState {
        let config = &self.config;
        HostState::new(config.rate, config.burst, config.host_concurrency)
    }

    fn lock_hosts(&self) -> std::sync::MutexGuard<'_, HashMap<String, HostState>> {
        self.hosts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl HostState {
    fn new(rate: Rate, burst: NonZeroU32, concurrency: usize) -> HostState {
        let concurrency = concurrency.clamp(1, Semaphore::MAX_PERMITS);
        HostState {
            limiter: Arc::new(RateLimiter::direct(quota(rate, burst))),
            quota: (rate.interval(), burst.get()),
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            client: None,
            configured: false,
        }
    }

    /// Replaces the limiter if `rate`/`burst` is stricter than what it enforces now.
    fn slow_to(&mut self, rate: Rate, burst: NonZeroU32) {
        let wanted = (rate.interval(), burst.get());
        let stricter =
            wanted.0 > self.quota.0 || (wanted.0 == self.quota.0 && wanted.1 < self.quota.1);
        if stricter {
            self.limiter = Arc::new(RateLimiter::direct(quota(rate, burst)));
            self.quota = wanted;
        }
    }
}

fn client_settings<'a>(
    config: &'a FetcherConfig,
    guard: &'a Arc<HostGuard>,
    headers: HeaderMap,
    proxy: Option<&'a str>,
) -> ClientSettings<'a> {
    ClientSettings {
        user_agent: &config.user_agent,
        connect_timeout: config.connect_timeout,
        guard,
        headers,
        proxy,
    }
}

const MAX_REDIRECTS: usize = 5;

/// Where a redirect answer sends the request next, if it is one.
fn redirect_target<B>(at: &Url, response: &http::Response<B>) -> Option<Url> {
    let redirect = matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308);
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    redirect.then(|| at.join(location.trim()).ok()).flatten()
}

/// A client of its own for a host with headers, cookies or a proxy; `None` when it needs none.
fn host_client(
    config: &FetcherConfig,
    guard: &Arc<HostGuard>,
    host: &str,
    settings: &HostSettings,
) -> Result<Option<HttpClient>, FetchError> {
    if settings.headers.is_empty() && settings.cookies.is_empty() && settings.proxy.is_none() {
        return Ok(None);
    }
    let bad = |reason: String| FetchError::Settings {
        host: host.to_owned(),
        reason,
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &settings.headers {
        let name = http::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| bad(format!("header name `{name}`: {e}")))?;
        let value = http::header::HeaderValue::from_str(value)
            .map_err(|e| bad(format!("header `{name}`: {e}")))?;
        headers.insert(name, value);
    }
    if !settings.cookies.is_empty() {
        let cookie = settings
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let value = http::header::HeaderValue::from_str(&cookie)
            .map_err(|e| bad(format!("cookies: {e}")))?;
        headers.insert(http::header::COOKIE, value);
    }
    let settings = client_settings(config, guard, headers, settings.proxy.as_deref());
    HttpClient::new(settings)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

/// The limiter's quota: the configured rate with a 1% margin on each interval. The limit is
/// what the supplier observes, and requests sent exactly one interval apart can arrive a few
/// milliseconds closer than that; the margin keeps every window of the host's log within the
/// configured rate (DESIGN.md invariant 4) for 1% of throughput.
fn quota(rate: Rate, burst: NonZeroU32) -> Quota {
    let interval = rate.interval();
    let with_margin = interval + (interval / 100).max(Duration::from_nanos(1));
    Quota::with_period(with_margin)
        .unwrap_or_else(|| Quota::per_second(rate.count))
        .allow_burst(burst)
}

fn classify_status(url: &Url, status: StatusCode, headers: &HeaderMap) -> Result<(), FetchError> {
    let code = status.as_u16();
    let url = url.clone();
    match code {
        200..=299 => Ok(()),
        404 | 410 => Err(FetchError::Gone { url, status: code }),
        429 => Err(FetchError::RateLimited {
            url,
            status: code,
            retry_after: retry_after(headers),
        }),
        503 if headers.contains_key(RETRY_AFTER) => Err(FetchError::RateLimited {
            url,
            status: code,
            retry_after: retry_after(headers),
        }),
        401 | 403 => Err(FetchError::Blocked {
            url,
            status: code,
            reason: None,
        }),
        500..=599 => Err(FetchError::Transient {
            url,
            reason: format!("HTTP {code}"),
        }),
        _ => Err(FetchError::Permanent { url, status: code }),
    }
}

/// `Retry-After` in either form: delta-seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_str(headers, RETRY_AFTER.as_str())?;
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value.trim()).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// The body, at most `limit` bytes as sent and as decompressed (`Content-Encoding`).
async fn read_capped(
    url: &Url,
    response: http::Response<hyper::body::Incoming>,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    use http_body_util::BodyExt;
    let too_large = || FetchError::TooLarge {
        url: url.clone(),
        limit,
    };
    let declared = header_str(response.headers(), CONTENT_LENGTH.as_str())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let encoding = header_str(response.headers(), CONTENT_ENCODING.as_str());
    let mut incoming = response.into_body();
    let mut body = Vec::with_capacity(declared.unwrap_or(64 * 1024));
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| FetchError::Transient {
            url: url.clone(),
            reason: format!("the body was cut short: {e}"),
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    match encoding {
        Some(encoding) => decompressed(url, &encoding, body, limit),
        None => Ok(body),
    }
}

/// Decodes a body: charset from the Content-Type header, else a BOM, else a `<meta>` charset in
/// the first 2 KB, else UTF-8. Undecodable bytes become U+FFFD.
pub fn decode(bytes: Vec<u8>, content_type: Option<&str>) -> String {
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(&bytes[..bytes.len().min(2048)]))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let encoding = encoding_rs::Encoding::for_bom(&bytes)
        .map(|(e, _)| e)
        .or(declared)
        .unwrap_or_else(|| guess_encoding(&bytes));
    if encoding == encoding_rs::UTF_8 && !bytes.starts_with(b"\xEF\xBB\xBF") {
        // The common case takes the bytes as they are, without a copy.
        return String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    let (text, _, _) = encoding.decode(&bytes);
    text.into_owned()
}

/// Nothing declared: UTF-8 if the bytes are UTF-8, else what chardetng reads them as (a GBK
/// page without a `<meta>` is common on older Chinese supplier sites).
fn guess_encoding(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// Decompresses a body that is a gzip file (it starts with gzip's magic bytes), within the size cap.
fn gunzip_file(url: &Url, bytes: Vec<u8>, limit: usize) -> Result<Vec<u8>, FetchError> {
    match bytes.starts_with(&[0x1f, 0x8b]) {
        true => decompressed(url, "gzip", bytes, limit),
        false => Ok(bytes),
    }
}

/// `bytes` without their `encoding` (gzip, deflate, br), within the size cap.
fn decompressed(
    url: &Url,
    encoding: &str,
    bytes: Vec<u8>,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    match crate::http::decompress(encoding, bytes, limit) {
        Ok(Some(body)) => Ok(body),
        Ok(None) => Err(FetchError::TooLarge {
            url: url.clone(),
            limit,
        }),
        Err(reason) => Err(FetchError::Transient {
            url: url.clone(),
            reason,
        }),
    }
}

/// The body's fingerprint, 128-bit XXH3 in hex: it tells the page the supplier served last time
/// from a changed one (a collision would at worst skip one extraction until the page changes
/// again, and the product's own SHA-256 content hash still decides its versions), at a tenth
/// of BLAKE3's cost over a 90 KB page.
fn body_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let at = text.find("charset=")? + "charset=".len();
    let value: String = text[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_comes_from_header_then_meta_then_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("颜色 红色");
        assert_eq!(
            decode(gbk.to_vec(), Some("text/html; charset=GBK")),
            "颜色 红色"
        );
        let mut page = b"<html><head><meta charset=\"gbk\"></head>".to_vec();
        page.extend_from_slice(&gbk);
        assert!(decode(page, Some("text/html")).ends_with("颜色 红色"));
        assert_eq!(decode("红色".as_bytes().to_vec(), None), "红色");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("红色".as_bytes());
        assert_eq!(decode(bom, None), "红色", "the BOM is not part of the text");
        assert_eq!(
            decode(b"a\xFFb".to_vec(), Some("text/html; charset=utf-8")),
            "a\u{FFFD}b"
        );
    }

    #[test]
    fn undeclared_encodings_are_detected() {
        let text =
            "<html><body><h1>纯棉短袖T恤 男士夏季宽松</h1><table><tr><th>颜色</th><th>尺码</th>\
                    <th>价格</th></tr><tr><td>白色</td><td>XL</td><td>39.90元</td></tr></table>\
                    <p>现货 库存 123 件 仅剩 3 件</p></body></html>";
        for encoding in [encoding_rs::GBK, encoding_rs::BIG5, encoding_rs::SHIFT_JIS] {
            let text = if encoding == encoding_rs::SHIFT_JIS {
                "<html><body><h1>綿100% Tシャツ メンズ 半袖</h1><p>在庫あり カラー ホワイト サイズ XL 価格 ￥1,980</p></body></html>"
            } else if encoding == encoding_rs::BIG5 {
                "<html><body><h1>純棉短袖T恤 男士夏季寬鬆</h1><table><tr><th>顏色</th><th>尺碼</th>\
                 <th>價格</th></tr><tr><td>白色</td><td>XL</td><td>39.90元</td></tr></table>\
                 <p>現貨 庫存 123 件 僅剩 3 件</p></body></html>"
            } else {
                text
            };
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable, "{}", encoding.name());
            assert_eq!(
                decode(bytes.to_vec(), Some("text/html")),
                text,
                "{}",
                encoding.name()
            );
        }
    }

    #[test]
    fn statuses_are_classified() {
        let url = Url::parse("http://s/p").expect("url");
        let headers = HeaderMap::new();
        let class = |code: u16| {
            classify_status(&url, StatusCode::from_u16(code).expect("code"), &headers)
                .err()
                .map(|e| e.class())
        };
        assert_eq!(class(200), None);
        assert_eq!(class(404), Some(FailureClass::Gone));
        assert_eq!(class(410), Some(FailureClass::Gone));
        assert_eq!(class(429), Some(FailureClass::RateLimited));
        assert_eq!(class(500), Some(FailureClass::Transient));
        assert_eq!(class(503), Some(FailureClass::Transient));
        assert_eq!(class(403), Some(FailureClass::Blocked));
        assert_eq!(class(400), Some(FailureClass::Permanent));
    }

    #[test]
    fn backoffs_are_spread_but_never_shorter_than_promised() {
        let delay = Duration::from_millis(400);
        let drawn: Vec<Duration> = (0..200).map(|_| jittered(delay)).collect();
        assert!(drawn.iter().all(|d| *d >= delay && *d <= delay + delay / 2));
        let distinct: std::collections::BTreeSet<_> = drawn.iter().collect();
        assert!(distinct.len() > 100, "{} distinct delays", distinct.len());
        let error = FetchError::Transient {
            url: Url::parse("http://s/p").expect("url"),
            reason: "reset".into(),
        };
        let config = FetcherConfig::default();
        let second = error.retry_delay(1, &config).expect("retried");
        assert!(second >= config.backoff * 2 && second <= config.backoff * 3);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().expect("value"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(
            RETRY_AFTER,
            httpdate::fmt_http_date(later).parse().expect("value"),
        );
        let got = retry_after(&headers).expect("date form");
        assert!(
            got <= Duration::from_secs(120) && got >= Duration::from_secs(110),
            "{got:?}"
        );
    }
}

//! What a failed fetch is, and what is done about it: every failure classified (transient, rate
//! limited, blocked, gone, permanent, too large), and the retry policy of each class.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use url::Url;

use super::body::header_str;
use super::FetcherConfig;

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
        /// Boxed: a refusal names origins, and every `Result` of the fetcher carries the size
        /// of its largest error.
        reason: Box<crate::guard::Refusal>,
    },
    /// Not asked: the host said to wait longer than the crawler waits (`Retry-After` over
    /// the cap), so it is left alone until then.
    #[error("{url}: not asked: the supplier said to wait {}s before asking again (Retry-After), longer than the {}s this crawler waits; the host is left alone until then", asked.as_secs(), cap.as_secs())]
    HeldOff {
        url: Url,
        asked: Duration,
        cap: Duration,
    },
    #[error("failed to build the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("host {host}: {reason}")]
    Settings { host: String, reason: String },
}

impl FetchError {
    pub fn class(&self) -> FailureClass {
        match self {
            FetchError::Transient { .. } | FetchError::Client(_) => FailureClass::Transient,
            FetchError::RateLimited { .. } | FetchError::HeldOff { .. } => {
                FailureClass::RateLimited
            }
            FetchError::Blocked { .. } => FailureClass::Blocked,
            FetchError::Gone { .. } => FailureClass::Gone,
            FetchError::Permanent { .. }
            | FetchError::Refused { .. }
            | FetchError::Redirect { .. }
            | FetchError::Settings { .. } => FailureClass::Permanent,
            FetchError::TooLarge { .. } => FailureClass::TooLarge,
        }
    }

    /// How long to wait before attempt `attempt + 1`, if this failure is worth another one.
    pub(super) fn retry_delay(&self, attempt: u32, config: &FetcherConfig) -> Option<Duration> {
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

pub(super) fn classify_status(
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<(), FetchError> {
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

/// A request that got no answer, or an answer cut short.
pub(super) fn transport_error(url: &Url, e: &reqwest::Error) -> FetchError {
    let mut reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the body was cut short".to_owned()
    } else {
        "request failed".to_owned()
    };
    // The causes say what happened (refused by the guard, reset, a TLS failure).
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        reason = format!("{reason}: {inner}");
        source = inner.source();
    }
    FetchError::Transient {
        url: url.clone(),
        reason,
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

#[cfg(test)]
mod tests {
    use super::*;

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

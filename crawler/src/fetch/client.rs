//! The HTTP clients, reqwest: the guard as the DNS resolver (every address a name resolves to
//! is checked), rustls with Mozilla's roots, gzip/deflate/br undone as the body streams, no
//! redirects (the fetcher follows them itself, so every hop is checked by the guard and sent
//! with its own host's headers), no retries (the fetcher retries by failure class). A host with
//! headers, cookies or a proxy (HTTP or HTTPS; HTTPS pages go through it with `CONNECT`) has a
//! client of its own.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, COOKIE};

use super::error::FetchError;
use super::hosts::HostClients;
use super::{FetcherConfig, HostSettings};
use crate::guard::{GuardedResolver, HostGuard};

/// A client with the fetcher's settings and these headers (and proxy).
fn build(
    config: &FetcherConfig,
    guard: &Arc<HostGuard>,
    headers: HeaderMap,
    proxy: Option<reqwest::Proxy>,
) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder()
        .user_agent(&config.user_agent)
        .default_headers(headers)
        .connect_timeout(config.connect_timeout)
        .dns_resolver(Arc::new(GuardedResolver(Arc::clone(guard))))
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .pool_idle_timeout(std::time::Duration::from_secs(90));
    builder = match proxy {
        Some(proxy) => builder.proxy(proxy),
        // A supplier page is fetched directly unless its source names a proxy: an
        // `HTTP_PROXY` in the environment is not the supplier's.
        None => builder.no_proxy(),
    };
    builder.build()
}

/// The client of every host without settings of its own.
pub(super) fn shared(
    config: &FetcherConfig,
    guard: &Arc<HostGuard>,
) -> Result<reqwest::Client, FetchError> {
    build(config, guard, HeaderMap::new(), None).map_err(FetchError::Client)
}

/// Clients of its own for a host with headers, cookies or a proxy; `None` when it needs none.
pub(super) fn for_host(
    config: &FetcherConfig,
    guard: &Arc<HostGuard>,
    host: &str,
    settings: &HostSettings,
) -> Result<Option<HostClients>, FetchError> {
    if settings.headers.is_empty() && settings.cookies.is_empty() && settings.proxy.is_none() {
        return Ok(None);
    }
    let bad = |reason: String| FetchError::Settings {
        host: host.to_owned(),
        reason,
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &settings.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| bad(format!("header name `{name}`: {e}")))?;
        let value =
            HeaderValue::from_str(value).map_err(|e| bad(format!("header `{name}`: {e}")))?;
        headers.insert(name, value);
    }
    if !settings.cookies.is_empty() {
        let cookie = settings
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let value = HeaderValue::from_str(&cookie).map_err(|e| bad(format!("cookies: {e}")))?;
        headers.insert(COOKIE, value);
    }
    let proxy = settings
        .proxy
        .as_deref()
        .map(|p| reqwest::Proxy::all(p).map_err(|e| bad(format!("proxy `{p}`: {e}"))))
        .transpose()?;
    let proxy_only = proxy
        .clone()
        .map(|proxy| build(config, guard, HeaderMap::new(), Some(proxy)))
        .transpose()
        .map_err(|e| bad(e.to_string()))?;
    let own = build(config, guard, headers, proxy).map_err(|e| bad(e.to_string()))?;
    Ok(Some(HostClients { own, proxy_only }))
}

//! The crawler's HTTP/1.1 client: hyper's pooled connections, the guard's resolver, rustls with
//! Mozilla's roots, and a host's own headers, cookies and proxy. Redirects, timeouts, the body
//! cap and decompression are the fetcher's rules, applied in `fetch.rs` and here.
//!
//! reqwest did this before. Its layers (the URL parsed three more times per request, a tower
//! stack, boxed bodies and futures) were a third of the CPU of a recrawl, which is 20,000
//! conditional requests answered 304; none of what they did is left undone here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, Uri};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use url::Url;

use crate::guard::{GuardedResolver, HostGuard};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type HyperClient =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<Connector>, Body>;
type Body = http_body_util::Empty<Bytes>;

/// A client for one host's requests (or for every host without settings of its own).
pub(crate) struct HttpClient {
    client: HyperClient,
    /// Sent with every request: user agent, accepted encodings, the host's headers and cookies.
    headers: Arc<HeaderMap>,
    /// Sent with plain-HTTP requests through the proxy (HTTPS ones give it to `CONNECT`).
    proxy_auth: Option<HeaderValue>,
}

/// How the client is built: the fetcher's settings and a host's.
pub(crate) struct ClientSettings<'a> {
    pub user_agent: &'a str,
    pub connect_timeout: Duration,
    pub guard: &'a Arc<HostGuard>,
    /// The host's headers (cookies already folded into a `Cookie` header).
    pub headers: HeaderMap,
    /// `http://[user:pass@]proxy:port`.
    pub proxy: Option<&'a str>,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("proxy `{proxy}`: {reason}")]
    Proxy { proxy: String, reason: String },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("user agent: {0}")]
    UserAgent(String),
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Other(String),
}

impl HttpClient {
    pub(crate) fn new(settings: ClientSettings<'_>) -> Result<HttpClient, ClientError> {
        let direct = tcp(
            HttpConnector::new_with_resolver(GuardedResolver(Arc::clone(settings.guard))),
            settings.connect_timeout,
        );
        let (proxy, proxy_auth) = match settings.proxy {
            None => (None, None),
            Some(text) => {
                let bad = |reason: String| ClientError::Proxy {
                    proxy: text.to_owned(),
                    reason,
                };
                let (uri, auth) = proxy_target(text).map_err(bad)?;
                // The proxy is the merchant's own, often on a private network: reached without
                // the guard (the pages asked through it are checked before every request).
                let route = ProxyRoute {
                    uri,
                    auth: auth.clone(),
                    connector: tcp(HttpConnector::new(), settings.connect_timeout),
                };
                (Some(Arc::new(route)), auth)
            }
        };
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| ClientError::Tls(e.to_string()))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(Connector { direct, proxy });
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(tls);
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::USER_AGENT,
            HeaderValue::from_str(settings.user_agent)
                .map_err(|e| ClientError::UserAgent(e.to_string()))?,
        );
        headers.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
        headers.insert(
            http::header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br, deflate"),
        );
        headers.extend(settings.headers);
        Ok(HttpClient {
            client,
            headers: Arc::new(headers),
            proxy_auth,
        })
    }

    /// Sends a GET for `url` with these extra headers and waits for the answer's head.
    pub(crate) async fn get(
        &self,
        url: &Url,
        extra: &[(HeaderName, &str)],
    ) -> Result<http::Response<hyper::body::Incoming>, RequestError> {
        // The fragment is not sent; the rest of a `Url` is already percent-encoded ASCII.
        let uri: Uri = url[..url::Position::AfterQuery]
            .parse()
            .map_err(|e| RequestError::Other(format!("{url} is not a request URI: {e}")))?;
        let mut request = Request::get(uri)
            .body(Body::new())
            .map_err(|e| RequestError::Other(e.to_string()))?;
        let headers = request.headers_mut();
        headers.clone_from(&self.headers);
        for (name, value) in extra {
            let value = HeaderValue::from_str(value)
                .map_err(|e| RequestError::Other(format!("header {name}: {e}")))?;
            headers.insert(name.clone(), value);
        }
        if let (Some(auth), "http") = (&self.proxy_auth, url.scheme()) {
            headers.insert(http::header::PROXY_AUTHORIZATION, auth.clone());
        }
        self.client.request(request).await.map_err(|e| {
            let chain = error_chain(&e);
            match e.is_connect() {
                true => RequestError::Connect(chain),
                false => RequestError::Other(chain),
            }
        })
    }
}

/// A TCP connector as every connection is made: for `https` too (TLS goes on top), without
/// Nagle's delay, within the connect timeout.
fn tcp<R>(mut connector: HttpConnector<R>, timeout: Duration) -> HttpConnector<R> {
    connector.enforce_http(false);
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(timeout));
    connector
}

/// An error and its causes, as one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

/// The proxy's address and its `Proxy-Authorization` (from `user:pass@`), if any.
fn proxy_target(text: &str) -> Result<(Uri, Option<HeaderValue>), String> {
    let url = Url::parse(text).map_err(|e| e.to_string())?;
    if url.scheme() != "http" {
        return Err(format!(
            "`{}` proxies are not supported: use an http:// proxy (it tunnels HTTPS too)",
            url.scheme()
        ));
    }
    let host = url.host_str().ok_or("no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let uri: Uri = format!("http://{host}:{port}")
        .parse()
        .map_err(|e: http::uri::InvalidUri| e.to_string())?;
    let auth = match url.username() {
        "" => None,
        user => {
            use base64::Engine as _;
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let pair = format!("{}:{}", decode(user), decode(url.password().unwrap_or("")));
            let token = base64::engine::general_purpose::STANDARD.encode(pair);
            let mut value =
                HeaderValue::from_str(&format!("Basic {token}")).map_err(|e| e.to_string())?;
            value.set_sensitive(true);
            Some(value)
        }
    };
    Ok((uri, auth))
}

/// Where a host's requests go through a proxy.
struct ProxyRoute {
    uri: Uri,
    auth: Option<HeaderValue>,
    connector: HttpConnector,
}

/// Connects to the page's host (through the guard's resolver), or to the proxy: plain HTTP is
/// sent to it as is (absolute-form), HTTPS through a `CONNECT` tunnel and TLS on top.
#[derive(Clone)]
struct Connector {
    direct: HttpConnector<GuardedResolver>,
    proxy: Option<Arc<ProxyRoute>>,
}

impl tower_service::Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut direct = self.direct.clone();
        let proxy = self.proxy.clone();
        Box::pin(async move {
            let Some(proxy) = proxy else {
                let io = tower_service::Service::call(&mut direct, dst).await?;
                return Ok(Conn { io, proxied: false });
            };
            let mut connector = proxy.connector.clone();
            if dst.scheme() == Some(&http::uri::Scheme::HTTPS) {
                use hyper_util::client::legacy::connect::proxy::Tunnel;
                let mut tunnel = Tunnel::new(proxy.uri.clone(), connector);
                if let Some(auth) = &proxy.auth {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tower_service::Service::call(&mut tunnel, dst).await?;
                return Ok(Conn { io, proxied: false });
            }
            let io = tower_service::Service::call(&mut connector, proxy.uri.clone()).await?;
            Ok(Conn { io, proxied: true })
        })
    }
}

/// A connection, marked as to a proxy when requests on it must name the whole URL.
struct Conn {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Undoes a `Content-Encoding` (gzip, deflate, br) within `limit` bytes; `Ok(None)` when the
/// result would be larger.
pub(crate) fn decompress(
    encoding: &str,
    bytes: Vec<u8>,
    limit: usize,
) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let read_capped = |mut reader: Box<dyn Read + '_>| -> Result<Option<Vec<u8>>, String> {
        let mut out = Vec::new();
        (&mut reader)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("a {encoding} body that does not decompress: {e}"))?;
        Ok((out.len() <= limit).then_some(out))
    };
    match encoding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Ok((bytes.len() <= limit).then_some(bytes)),
        "gzip" | "x-gzip" => read_capped(Box::new(flate2::read::MultiGzDecoder::new(
            bytes.as_slice(),
        ))),
        // Meant to be zlib-wrapped; some servers send raw deflate.
        "deflate" => match bytes.first().is_some_and(|b| b & 0x0f == 8) {
            true => read_capped(Box::new(flate2::read::ZlibDecoder::new(bytes.as_slice()))),
            false => read_capped(Box::new(flate2::read::DeflateDecoder::new(
                bytes.as_slice(),
            ))),
        },
        "br" => read_capped(Box::new(brotli_decompressor::Decompressor::new(
            bytes.as_slice(),
            4096,
        ))),
        other => Err(format!("an unknown content encoding `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_decompressed_within_the_limit() {
        use std::io::Write;
        let text = "颜色 红色 ".repeat(1000).into_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&text).expect("zlib");
        let zlib = zlib.finish().expect("zlib");
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).expect("deflate");
        let raw = raw.finish().expect("deflate");
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(&text).expect("br");
        }
        for (encoding, body) in [
            ("gzip", gz.clone()),
            ("deflate", zlib),
            ("deflate", raw),
            ("br", br),
            ("identity", text.clone()),
        ] {
            assert_eq!(
                decompress(encoding, body.clone(), text.len()).expect(encoding),
                Some(text.clone()),
                "{encoding}"
            );
            assert_eq!(
                decompress(encoding, body, text.len() - 1).expect(encoding),
                None,
                "{encoding}: over the limit"
            );
        }
        assert!(decompress("gzip", b"not gzip".to_vec(), 100).is_err());
        assert!(decompress("zstd", gz, 100)
            .expect_err("unknown")
            .contains("zstd"));
    }

    #[test]
    fn a_proxy_url_gives_its_address_and_credentials() {
        let (uri, auth) = proxy_target("http://me:p%40ss@proxy.example:3128").expect("proxy");
        assert_eq!(uri.to_string(), "http://proxy.example:3128/");
        use base64::Engine as _;
        let expected = base64::engine::general_purpose::STANDARD.encode("me:p@ss");
        assert_eq!(
            auth.expect("credentials").to_str().expect("ascii"),
            format!("Basic {expected}")
        );
        assert_eq!(
            proxy_target("http://proxy.example").expect("proxy"),
            ("http://proxy.example:80".parse().expect("uri"), None)
        );
        assert!(proxy_target("socks5://proxy.example:1080")
            .expect_err("socks")
            .contains("socks5"));
        assert!(proxy_target("not a proxy url").is_err());
    }
}

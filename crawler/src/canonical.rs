//! One product, one URL: the canonical form of a page URL, so that links from a sitemap, a
//! category page and a merchant's listing file name the same product.
//!
//! Lower-case scheme and host, no default port (the `url` crate does these), no fragment, and
//! no tracking parameters (`utm_*`, `spm`, `scm`, click ids, …); the rest of the query stays, in
//! its order, because many shops identify products by it (`item.htm?id=123`).

use url::Url;

/// Tracking parameters, by name or by prefix (ending in `*`).
pub const TRACKING_PARAMS: &[&str] = &[
    "utm_*",
    "spm",
    "scm",
    "pvid",
    "algo_pvid",
    "algo_expid",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "_ga",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_",
    "srsltid",
    "trackid",
    "tracelog",
    "clickid",
    "share_crt_v",
    "sourcetype",
    "suid",
    "ut_sk",
    "un",
    "share_from",
    "_t",
    "abbucket",
    "ns",
    "ali_refid",
    "ali_trackid",
];

fn is_tracking(name: &str, extra: &[String]) -> bool {
    let name = name.to_ascii_lowercase();
    let matches = |pattern: &str| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    };
    TRACKING_PARAMS.iter().any(|p| matches(p)) || extra.iter().any(|p| matches(p))
}

/// Whether two URLs are on the same site: the same host and port (the default port counted).
pub fn same_site(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// The canonical form of `url`; `extra` names more tracking parameters (a source's config).
pub fn canonical_url(url: &Url, extra: &[String]) -> Url {
    if url.query().is_none() && url.fragment().is_none() {
        // `Url` has already lower-cased the host and dropped a default port.
        return url.clone();
    }
    let mut out = url.clone();
    out.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !is_tracking(name, extra))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_parameters_fragments_and_ports_go_the_rest_stays() {
        let cases = [
            (
                "HTTPS://Shop.Example.COM:443/p/1.html?utm_source=x&utm_medium=y#reviews",
                "https://shop.example.com/p/1.html",
            ),
            (
                "https://detail.1688.com/offer/123.html?spm=a26.1&scm=1007&tracelog=pc",
                "https://detail.1688.com/offer/123.html",
            ),
            (
                "https://item.taobao.com/item.htm?id=123&spm=a1z10&ali_refid=a3",
                "https://item.taobao.com/item.htm?id=123",
            ),
            (
                "https://shop.example/products/tee?variant=42&fbclid=abc",
                "https://shop.example/products/tee?variant=42",
            ),
            (
                "http://127.0.0.1:8080/p?b=2&a=1",
                "http://127.0.0.1:8080/p?b=2&a=1",
            ),
        ];
        for (input, want) in cases {
            let url = Url::parse(input).expect("url");
            assert_eq!(canonical_url(&url, &[]).as_str(), want, "{input}");
        }
        let url = Url::parse("https://s.example/p?id=1&aff=me").expect("url");
        assert_eq!(
            canonical_url(&url, &["aff".to_owned()]).as_str(),
            "https://s.example/p?id=1"
        );
    }
}

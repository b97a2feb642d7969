//! Discovering a source's product pages from its sitemap(s).
//!
//! The sitemap is named by robots.txt's `Sitemap:` lines, else `/sitemap.xml`; sitemap indexes
//! are followed (to a depth of 3). Only URLs on the source's own host are kept.

use std::collections::BTreeSet;

use url::Url;

use crate::{FetchError, Fetcher};

const MAX_INDEX_DEPTH: usize = 3;

/// Every page URL the source's sitemaps list, on the source's host (and under `product_path`,
/// when given), deduplicated and sorted.
pub async fn sitemap_urls(
    fetcher: &Fetcher,
    base: &Url,
    product_path: Option<&str>,
) -> Result<Vec<Url>, FetchError> {
    let mut queue: Vec<(Url, usize)> = robots_sitemaps(fetcher, base)
        .await
        .into_iter()
        .map(|u| (u, 0))
        .collect();
    if queue.is_empty() {
        queue.push((join(base, "/sitemap.xml")?, 0));
    }
    let mut seen_sitemaps = BTreeSet::new();
    let mut pages = BTreeSet::new();
    while let Some((sitemap, depth)) = queue.pop() {
        if !seen_sitemaps.insert(sitemap.clone()) {
            continue;
        }
        let page = fetcher.fetch(&sitemap).await?;
        let parsed = parse_sitemap(&page.body);
        for loc in parsed.locs {
            let Ok(url) = Url::parse(&loc) else {
                tracing::debug!(%sitemap, loc, "skipping a sitemap entry that is not a URL");
                continue;
            };
            if url.host_str() != base.host_str() {
                continue;
            }
            if parsed.is_index {
                if depth < MAX_INDEX_DEPTH {
                    queue.push((url, depth + 1));
                }
            } else if product_path.is_none_or(|p| url.path().starts_with(p)) {
                pages.insert(crate::canonical_url(&url, &[]));
            }
        }
    }
    Ok(pages.into_iter().collect())
}

async fn robots_sitemaps(fetcher: &Fetcher, base: &Url) -> Vec<Url> {
    match fetcher.robots_txt(base).await {
        // A sitemap on another host is not the source's to follow (and not the guard's to allow).
        crate::fetch::RobotsTxt::Found(text) => sitemap_lines(&text)
            .filter_map(|s| base.join(s).ok())
            .filter(|u| crate::same_site(u, base))
            .collect(),
        // No robots.txt is common; the default sitemap location is tried instead.
        _ => Vec::new(),
    }
}

fn join(base: &Url, path: &str) -> Result<Url, FetchError> {
    base.join(path).map_err(|e| FetchError::Transient {
        url: base.clone(),
        reason: format!("cannot form {path}: {e}"),
    })
}

/// The most category pages followed from one start page.
const MAX_CATEGORY_PAGES: usize = 10_000;

/// Where category pages are, for [`category_urls`].
#[derive(Clone, Copy, Debug)]
pub struct Categories<'a> {
    pub start: &'a Url,
    /// Links whose path starts with this are category pages too (sub-categories, numbered
    /// pages); `rel="next"` is always followed.
    pub category_path: Option<&'a str>,
    /// Links whose path starts with this are product pages.
    pub product_path: &'a str,
    /// Category pages fetched at once.
    pub concurrency: usize,
}

/// Product URLs from category pages: from `start`, following `rel="next"` links and links under
/// `category_path`, every link on the start's host whose path starts with `product_path`.
/// Canonical, deduplicated, sorted. Query strings of category links are kept only for
/// `rel="next"` (a `?page=2`); filters and sorts (`?sort=price`) would list the same products.
pub async fn category_urls(
    fetcher: &Fetcher,
    categories: Categories<'_>,
) -> Result<Vec<Url>, FetchError> {
    use futures::stream::{FuturesUnordered, StreamExt};
    let start = categories.start;
    let same_host = |u: &Url| crate::same_site(u, start);
    let mut products = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut queue = vec![crate::canonical_url(start, &[])];
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < categories.concurrency.max(1) {
            let Some(page_url) = queue.pop() else { break };
            if seen.len() >= MAX_CATEGORY_PAGES || !seen.insert(page_url.clone()) {
                continue;
            }
            in_flight.push(async move {
                let page = fetcher.fetch(&page_url).await;
                (page_url, page)
            });
        }
        let Some((page_url, page)) = in_flight.next().await else {
            break;
        };
        let links = category_links(&page?.body, &page_url);
        for link in links.links.iter().filter(|l| same_host(l)) {
            if link.path().starts_with(categories.product_path) {
                products.insert(crate::canonical_url(link, &[]));
            } else if categories
                .category_path
                .is_some_and(|p| link.path().starts_with(p) && link.query().is_none())
            {
                let link = crate::canonical_url(link, &[]);
                if !seen.contains(&link) {
                    queue.push(link);
                }
            }
        }
        if let Some(next) = links.next.filter(|n| same_host(n)) {
            let next = crate::canonical_url(&next, &[]);
            if !seen.contains(&next) {
                queue.push(next);
            }
        }
    }
    Ok(products.into_iter().collect())
}

/// The links of a category page.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CategoryLinks {
    pub links: Vec<Url>,
    /// The next page (`rel="next"` on an `<a>` or `<link>`).
    pub next: Option<Url>,
}

/// Every link of a page, resolved against `base`, and its `rel="next"`. Pure. A scan of the
/// `<a>` and `<link>` tags, not a DOM: category pages are read on every crawl.
pub fn category_links(html: &str, base: &Url) -> CategoryLinks {
    use crate::extract::scan;
    let mut out = CategoryLinks::default();
    let href = |tag: &scan::Tag<'_>| {
        tag.attr("href")
            .map(|h| unescape_xml(h.trim()))
            .and_then(|h| base.join(&h).ok())
    };
    let is_next = |tag: &scan::Tag<'_>| {
        tag.attr("rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|w| w.eq_ignore_ascii_case("next"))
        })
    };
    for tag in scan::tags(html, "a") {
        let Some(url) = href(&tag) else { continue };
        if out.next.is_none() && is_next(&tag) {
            out.next = Some(url.clone());
        }
        out.links.push(url);
    }
    if out.next.is_none() {
        out.next = scan::tags(html, "link")
            .filter(is_next)
            .find_map(|tag| href(&tag));
    }
    out
}

/// `Sitemap:` lines of a robots.txt.
pub fn sitemap_lines(robots: &str) -> impl Iterator<Item = &str> {
    robots.lines().filter_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("sitemap")
            .then(|| value.trim())
            .filter(|v| !v.is_empty())
    })
}

#[derive(Debug, PartialEq, Eq)]
pub struct Sitemap {
    pub is_index: bool,
    pub locs: Vec<String>,
}

/// The `<loc>` entries of a sitemap or sitemap index. A plain scan, not an XML parser: sitemaps
/// are flat, and a broken one still yields the entries it has.
pub fn parse_sitemap(xml: &str) -> Sitemap {
    let is_index = xml.contains("<sitemapindex");
    let mut locs = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + 5..];
        let Some(end) = rest.find("</loc>") else {
            break;
        };
        let raw = rest[..end].trim();
        let raw = raw
            .strip_prefix("<![CDATA[")
            .and_then(|r| r.strip_suffix("]]>"))
            .unwrap_or(raw);
        locs.push(unescape_xml(raw.trim()));
        rest = &rest[end..];
    }
    Sitemap { is_index, locs }
}

fn unescape_xml(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_entries_are_read_with_entities_and_cdata() {
        let xml = r#"<?xml version="1.0"?><urlset><url><loc> http://s/p/1?a=1&amp;b=2 </loc></url>
            <url><loc><![CDATA[http://s/p/2]]></loc></url><url><loc>http://s/p/3"#;
        let map = parse_sitemap(xml);
        assert!(!map.is_index);
        assert_eq!(map.locs, ["http://s/p/1?a=1&b=2", "http://s/p/2"]);
        assert!(
            parse_sitemap("<sitemapindex><sitemap><loc>http://s/a.xml</loc></sitemap>").is_index
        );
    }

    #[test]
    fn category_pages_give_their_links_and_the_next_page() {
        let base = Url::parse("https://s.example/collections/all?page=1").expect("url");
        let html = r#"<ul><li><a href="/products/1.html?utm_source=x">1</a></li><li><a href="https://s.example/products/2.html">2</a></li>
            <li><a href="/pages/about">about</a></li></ul><a rel="next" href="?page=2">next</a>"#;
        let links = category_links(html, &base);
        let products: Vec<String> = links
            .links
            .iter()
            .filter(|u| u.path().starts_with("/products/"))
            .map(|u| u.path().to_owned())
            .collect();
        assert_eq!(products, ["/products/1.html", "/products/2.html"]);
        assert_eq!(
            links.next.map(|u| u.to_string()).as_deref(),
            Some("https://s.example/collections/all?page=2")
        );
        assert_eq!(
            category_links("<p>no links</p>", &base),
            CategoryLinks::default()
        );
    }

    #[test]
    fn robots_sitemap_lines_are_found_in_any_case() {
        let robots =
            "User-agent: *\nDisallow: /cart\nsitemap: http://s/a.xml\nSITEMAP:http://s/b.xml\n";
        assert_eq!(
            sitemap_lines(robots).collect::<Vec<_>>(),
            ["http://s/a.xml", "http://s/b.xml"]
        );
    }
}

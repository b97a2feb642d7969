//! Product pages from a source's category pages: the start page, its `rel="next"` chain and
//! the category links under `category_path`, read by a tag scan (no DOM).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use url::Url;

use super::{links_of, unescape_xml, Memo, Remembered, CATEGORY};
use crate::{FetchError, Fetcher};

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
///
/// Numbered pages form chains (page 2 is only known from page 1), which would make a crawl wait
/// for one page after another. So every page reached last time (in `memo`) is asked again at
/// once, conditionally; pages that changed may lead to new ones, asked as they are found. The
/// products are then read from the pages reachable from `start` as the site is now: a page no
/// longer linked does not count, and only its failure is forgiven.
pub async fn category_urls(
    fetcher: &Fetcher,
    categories: Categories<'_>,
    memo: &mut Memo,
) -> Result<Vec<Url>, FetchError> {
    use futures::stream::{FuturesUnordered, StreamExt};
    let start = crate::canonical_url(categories.start, &[]);
    let known = &memo.known;
    let mut pages: HashMap<Url, Result<Cow<'_, Remembered>, FetchError>> = HashMap::new();
    // Each page's category links, read once: as remembered, then as answered now.
    let mut was: HashMap<Url, Vec<Url>> = HashMap::new();
    let mut now: HashMap<Url, Vec<Url>> = HashMap::new();
    let mut queue: Vec<Url> = reachable(&start, |u| {
        let page = known.get(u.as_str()).filter(|k| k.kind == CATEGORY)?;
        Some(
            was.entry(u.clone())
                .or_insert_with(|| followed(u, page, categories))
                .clone(),
        )
    });
    tracing::debug!(
        pages = queue.len(),
        "category pages known from the last crawl"
    );
    queue.reverse();
    let mut asked: BTreeSet<Url> = queue.iter().cloned().collect();
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < categories.concurrency.max(1) {
            let Some(page_url) = queue.pop() else { break };
            in_flight.push(async move {
                let remembered = known.get(page_url.as_str());
                let page = links_of(fetcher, &page_url, remembered, |body, url| {
                    let links = category_links(body, url);
                    Remembered {
                        kind: CATEGORY.to_owned(),
                        // Only links that can be products or category pages are kept (the
                        // store forgets them all when the source's settings change).
                        links: links
                            .links
                            .iter()
                            .map(Url::as_str)
                            .filter(|l| {
                                l.contains(categories.product_path)
                                    || categories.category_path.is_some_and(|p| l.contains(p))
                            })
                            .map(str::to_owned)
                            .collect(),
                        next: links.next.map(String::from),
                        ..Remembered::default()
                    }
                })
                .await;
                (page_url, page)
            });
        }
        let Some((page_url, page)) = in_flight.next().await else {
            break;
        };
        if let Ok(page) = &page {
            let links = match (page, was.remove(&page_url)) {
                (Cow::Borrowed(_), Some(links)) => links,
                _ => followed(&page_url, page, categories),
            };
            for link in links.iter().cloned() {
                if asked.len() < MAX_CATEGORY_PAGES && asked.insert(link.clone()) {
                    queue.push(link);
                }
            }
            if let Cow::Borrowed(_) = page {
                memo.unchanged += 1;
            }
            now.insert(page_url.clone(), links);
        }
        pages.insert(page_url, page);
    }
    // The site as it answered now: the pages reachable from `start`, and their products.
    let mut products = Vec::new();
    let mut failed = None;
    let reached = reachable(&start, |u| match pages.get(u) {
        Some(Ok(_)) => now.get(u).cloned(),
        Some(Err(_)) => {
            failed.get_or_insert_with(|| u.clone());
            None
        }
        None => None,
    });
    let failure = failed.and_then(|u| pages.remove(&u)?.err());
    if failure.is_none() {
        for page in reached.iter().filter_map(|u| pages.get(u)?.as_ref().ok()) {
            products.extend(product_links(page, &start, categories.product_path));
        }
    }
    // The pages read (not remembered) are remembered for the next crawl, reached or not, and
    // even when another page failed.
    memo.read
        .extend(pages.into_iter().filter_map(|(url, page)| match page {
            Ok(Cow::Owned(page)) => Some((url.to_string(), page)),
            _ => None,
        }));
    match failure {
        Some(e) => Err(e),
        None => {
            products.sort_unstable();
            products.dedup();
            Ok(products)
        }
    }
}

/// The category pages reachable from `start` through `links_of` (a page's category links, when
/// known), in breadth-first order, `start` first.
fn reachable(start: &Url, mut links_of: impl FnMut(&Url) -> Option<Vec<Url>>) -> Vec<Url> {
    let mut order = vec![start.clone()];
    let mut seen: BTreeSet<Url> = order.iter().cloned().collect();
    let mut at = 0;
    while at < order.len() && seen.len() < MAX_CATEGORY_PAGES {
        let url = order[at].clone();
        at += 1;
        let Some(links) = links_of(&url) else {
            continue;
        };
        for link in links {
            if seen.insert(link.clone()) {
                order.push(link);
            }
        }
    }
    order
}

/// The category pages a category page leads to: its `rel="next"` and its links under
/// `category_path` (without a query string), on the start's host, canonical.
fn followed(page_url: &Url, page: &Remembered, categories: Categories<'_>) -> Vec<Url> {
    let same_host = |u: &Url| crate::same_site(u, page_url);
    let mut out = Vec::new();
    if let Some(path) = categories.category_path {
        // Only links that can be under the path are parsed; one with a query string (a filter,
        // a sort) is not followed.
        for link in page
            .links
            .iter()
            .filter(|l| l.contains(path) && !l.contains('?'))
        {
            let Some(link) = parse_on_site(page_url, link) else {
                continue;
            };
            if same_host(&link)
                && link.path().starts_with(path)
                && link.query().is_none()
                && !link.path().starts_with(categories.product_path)
            {
                out.push(crate::canonical_url(&link, &[]));
            }
        }
    }
    let next = page
        .next
        .as_deref()
        .and_then(|n| parse_on_site(page_url, n));
    out.extend(
        next.filter(|n| same_host(n))
            .map(|n| crate::canonical_url(&n, &[])),
    );
    out
}

/// The product links of a category page: on the start's host, under `product_path`, canonical.
fn product_links<'a>(
    page: &'a Remembered,
    start: &'a Url,
    product_path: &'a str,
) -> impl Iterator<Item = Url> + 'a {
    page.links
        .iter()
        .filter(move |l| l.contains(product_path))
        .filter_map(|l| parse_on_site(start, l))
        .filter(move |u| crate::same_site(u, start) && u.path().starts_with(product_path))
        .map(|u| crate::canonical_url(&u, &[]))
}

/// A remembered link as a URL. Links on the page's own site (most of them) are joined to it
/// from the path on, which is `Url::parse`'s result without parsing the host again (host parsing
/// is most of the cost, and a recrawl turns 40,000 remembered links into URLs).
pub(super) fn parse_on_site(site: &Url, link: &str) -> Option<Url> {
    let path = link
        .strip_prefix(&site[..url::Position::BeforePath])
        // `//host` or `/\host` after the origin would join as another host: parsed in full;
        // so is a path with tabs or line breaks, which URL parsing drops (`/\t/` is `//`).
        .filter(|p| {
            p.starts_with('/')
                && !p[1..].starts_with(['/', '\\'])
                && !p.contains(['\t', '\n', '\r'])
        });
    match path {
        Some(path) if !site.cannot_be_a_base() => site.join(path).ok(),
        _ => Url::parse(link).ok(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn links_on_the_site_parse_as_url_parse_does() {
        let site =
            Url::parse("http://127.0.0.1:18080/collections/shirts/page-2.html").expect("url");
        let links = [
            "http://127.0.0.1:18080/products/1-t.html",
            "http://127.0.0.1:18080/products/%E7%BA%A2.html?id=1&spm=a#top",
            "http://127.0.0.1:18080/products/红色 T.html",
            "http://127.0.0.1:18080/a/../b/./c",
            "http://127.0.0.1:18080//evil.example/x",
            "http://127.0.0.1:18080/\\evil.example/x",
            "http://127.0.0.1:18080/\tproducts/\n1",
            "http://127.0.0.1:18080/\t/evil.example/x",
            "http://127.0.0.1:18080/x ",
            "http://127.0.0.1:18080?q=1",
            "http://127.0.0.1:180800/x",
            "http://127.0.0.1:18080@evil.example/x",
            "https://127.0.0.1:18080/x",
            "http://other.example/products/1.html",
            "not a url",
            "",
        ];
        for link in links {
            assert_eq!(
                parse_on_site(&site, link),
                Url::parse(link).ok(),
                "{link:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_path_after_the_origin_parses_as_url_parse_does(path in "[/\\\\a-z0-9%?#&=. \t:@-]{0,24}") {
            let site = Url::parse("https://s.example:8443/c/1").expect("url");
            let link = format!("https://s.example:8443{path}");
            proptest::prop_assert_eq!(parse_on_site(&site, &link), Url::parse(&link).ok());
        }
    }
}

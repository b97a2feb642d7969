//! Discovering a source's product pages: from its sitemap(s) here, from its category pages in
//! `category.rs`. What discovery remembers between crawls ([`Memo`]) is shared by both.
//!
//! The sitemap is named by robots.txt's `Sitemap:` lines, else `/sitemap.xml`; sitemap indexes
//! are followed (to a depth of 3). Only URLs on the source's own host are kept.

mod category;

use category::parse_on_site;
pub use category::{category_links, category_urls, Categories, CategoryLinks};

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use url::Url;

use crate::fetch::{Fetched, Validators};
use crate::{FetchError, Fetcher};

const MAX_INDEX_DEPTH: usize = 3;

/// A discovery page (a sitemap, a category page) as read before: how to ask it again, and
/// what it gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Remembered {
    /// [`SITEMAP`], [`SITEMAP_INDEX`] or [`CATEGORY`].
    pub kind: String,
    pub validators: Validators,
    /// Its links (a sitemap's `<loc>`s, a category page's `<a href>`s), absolute, in page order.
    pub links: Vec<String>,
    /// A category page's `rel="next"` page.
    pub next: Option<String>,
}

pub const SITEMAP: &str = "sitemap";
pub const SITEMAP_INDEX: &str = "sitemap index";
pub const CATEGORY: &str = "category";

/// What discovery remembers between crawls. A discovery page is asked conditionally; one that
/// answers 304 (or the same body) gives the links it gave last time, so an unchanged catalogue
/// costs a request per page and no reading.
#[derive(Debug, Default)]
pub struct Memo {
    /// What the last crawl read, by URL.
    pub known: HashMap<String, Remembered>,
    /// Pages read this time (new, or changed since): to remember for the next crawl.
    pub read: Vec<(String, Remembered)>,
    /// Pages that had not changed, whose remembered links were used.
    pub unchanged: usize,
}

/// A discovery page's links: the remembered ones when it has not changed (borrowed), else read
/// from its body by `parse` (owned: to be remembered).
async fn links_of<'k>(
    fetcher: &Fetcher,
    url: &Url,
    known: Option<&'k Remembered>,
    parse: impl FnOnce(&str, &Url) -> Remembered,
) -> Result<Cow<'k, Remembered>, FetchError> {
    let validators = known.map(|k| k.validators.clone()).unwrap_or_default();
    let page = match fetcher.fetch_if_changed(url, &validators).await? {
        Fetched::Page(page) => page,
        Fetched::Unchanged => match known {
            Some(known) => return Ok(Cow::Borrowed(known)),
            // Not asked conditionally, so not answered so: read it as any page.
            None => Box::new(fetcher.fetch(url).await?),
        },
    };
    let mut read = parse(&page.body, &page.url);
    read.validators = page.validators;
    Ok(Cow::Owned(read))
}

/// Every page URL the source's sitemaps list, on the source's host (and under `product_path`,
/// when given), deduplicated and sorted.
pub async fn sitemap_urls(
    fetcher: &Fetcher,
    base: &Url,
    product_path: Option<&str>,
    memo: &mut Memo,
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
        let known = memo.known.get(sitemap.as_str());
        let map = links_of(fetcher, &sitemap, known, |body, _| {
            let parsed = parse_sitemap(body);
            Remembered {
                kind: match parsed.is_index {
                    true => SITEMAP_INDEX,
                    false => SITEMAP,
                }
                .to_owned(),
                // Only what is used is remembered (the store forgets it all when the source's
                // settings change).
                links: match (parsed.is_index, product_path) {
                    (false, Some(path)) => parsed
                        .locs
                        .into_iter()
                        .filter(|l| l.contains(path))
                        .collect(),
                    _ => parsed.locs,
                },
                ..Remembered::default()
            }
        })
        .await?;
        // A sitemap's links are only those under `product_path` already (see above).
        let is_index = map.kind == SITEMAP_INDEX;
        for loc in &map.links {
            let Some(url) = parse_on_site(base, loc) else {
                tracing::debug!(%sitemap, loc, "skipping a sitemap entry that is not a URL");
                continue;
            };
            if !crate::same_site(&url, base) {
                continue;
            }
            if is_index {
                if depth < MAX_INDEX_DEPTH {
                    queue.push((url, depth + 1));
                }
            } else if product_path.is_none_or(|p| url.path().starts_with(p)) {
                pages.insert(crate::canonical_url(&url, &[]));
            }
        }
        match map {
            Cow::Owned(map) => memo.read.push((sitemap.to_string(), map)),
            Cow::Borrowed(_) => memo.unchanged += 1,
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

pub(super) fn unescape_xml(s: &str) -> String {
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
    fn robots_sitemap_lines_are_found_in_any_case() {
        let robots =
            "User-agent: *\nDisallow: /cart\nsitemap: http://s/a.xml\nSITEMAP:http://s/b.xml\n";
        assert_eq!(
            sitemap_lines(robots).collect::<Vec<_>>(),
            ["http://s/a.xml", "http://s/b.xml"]
        );
    }
}

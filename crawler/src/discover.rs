//! Discovering a source's product pages from its sitemap(s).
//!
//! The sitemap is named by robots.txt's `Sitemap:` lines, else `/sitemap.xml`; sitemap indexes
//! are followed (to a depth of 3). Only URLs on the source's own host are kept.

use std::collections::BTreeSet;

use url::Url;

use crate::{FetchError, Fetcher};

const MAX_INDEX_DEPTH: usize = 3;

/// Every page URL the source's sitemaps list, on the source's host, deduplicated and sorted.
pub async fn sitemap_urls(fetcher: &Fetcher, base: &Url) -> Result<Vec<Url>, FetchError> {
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
            } else {
                pages.insert(crate::canonical_url(&url, &[]));
            }
        }
    }
    Ok(pages.into_iter().collect())
}

async fn robots_sitemaps(fetcher: &Fetcher, base: &Url) -> Vec<Url> {
    match fetcher.robots_txt(base).await {
        crate::fetch::RobotsTxt::Found(text) => sitemap_lines(&text)
            .filter_map(|s| base.join(s).ok())
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
    fn robots_sitemap_lines_are_found_in_any_case() {
        let robots =
            "User-agent: *\nDisallow: /cart\nsitemap: http://s/a.xml\nSITEMAP:http://s/b.xml\n";
        assert_eq!(
            sitemap_lines(robots).collect::<Vec<_>>(),
            ["http://s/a.xml", "http://s/b.xml"]
        );
    }
}

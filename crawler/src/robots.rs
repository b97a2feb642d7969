//! robots.txt: which paths a crawler may fetch, and how slowly.
//!
//! The group whose `User-agent` names this crawler's product token (`specsync`) applies, else
//! the `*` group. Within it the longest matching `Allow` or `Disallow` wins (a tie allows), with
//! `*` and a final `$` as in the common extension. `Crawl-delay` is a floor on the interval
//! between requests. A robots.txt that is missing (4xx) allows everything; one that cannot be
//! read (5xx, network) allows nothing for now, as the major crawlers do.

use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RobotsRules {
    /// `(allow, pattern)`.
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<Duration>,
    /// Nothing may be fetched (robots.txt could not be read).
    deny_all: bool,
}

impl RobotsRules {
    pub fn allow_all() -> RobotsRules {
        RobotsRules::default()
    }

    pub fn deny_all() -> RobotsRules {
        RobotsRules {
            deny_all: true,
            ..RobotsRules::default()
        }
    }

    /// The rules in `text` for a crawler whose user agent starts with `agent` (`specsync/0.1`).
    pub fn parse(text: &str, agent: &str) -> RobotsRules {
        let token = agent
            .split(['/', ' '])
            .next()
            .unwrap_or(agent)
            .to_ascii_lowercase();
        let mut specific: Option<RobotsRules> = None;
        let mut general: Option<RobotsRules> = None;
        // Consecutive User-agent lines share the group that follows them.
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        let mut current = RobotsRules::default();
        let mut flush = |agents: &[String], group: &RobotsRules| {
            if agents
                .iter()
                .any(|a| !token.is_empty() && a.contains(&token))
                && specific.is_none()
            {
                specific = Some(group.clone());
            } else if agents.iter().any(|a| a == "*") && general.is_none() {
                general = Some(group.clone());
            }
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        flush(&agents, &current);
                        agents.clear();
                        current = RobotsRules::default();
                        in_rules = false;
                    }
                    agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    // An empty Disallow allows everything: no rule.
                    if !value.is_empty() {
                        current.rules.push((key == "allow", value.to_owned()));
                    }
                }
                "crawl-delay" => {
                    in_rules = true;
                    current.crawl_delay = value
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite() && *d >= 0.0)
                        .map(|d| Duration::from_secs_f64(d.min(60.0)));
                }
                _ => {}
            }
        }
        if !agents.is_empty() {
            flush(&agents, &current);
        }
        specific.or(general).unwrap_or_default()
    }

    /// Whether `path` (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        if self.deny_all {
            return false;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                let better = match best {
                    None => true,
                    Some((l, a)) => len > l || (len == l && *allow && !a),
                };
                if better {
                    best = Some((len, *allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// `pattern` matches the start of `path`; `*` is any run of characters, a final `$` anchors.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some(first) = parts.first() else {
        return true;
    };
    if !path.starts_with(first) {
        return false;
    }
    let mut at = first.len();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        if last && anchored {
            return path.len() >= at + part.len() && path.ends_with(part);
        }
        match path[at..].find(part) {
            Some(found) => at += found + part.len(),
            None => return false,
        }
    }
    !anchored || at == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROBOTS: &str = "\
# a shop
User-agent: *
Disallow: /cart
Disallow: /search
Disallow: /*?sort=
Allow: /search/help
Crawl-delay: 2

User-agent: BadBot
User-agent: specsync
Disallow: /private/
Disallow: /*.pdf$
Crawl-delay: 0.5

Sitemap: https://shop.example/sitemap.xml
";

    #[test]
    fn the_group_naming_this_crawler_applies() {
        let r = RobotsRules::parse(ROBOTS, "specsync/0.1 (+supplier sync)");
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(500)));
        assert!(!r.allows("/private/x.html"));
        assert!(!r.allows("/files/a.pdf"));
        assert!(
            r.allows("/files/a.pdf?download=1"),
            "`$` anchors at the end"
        );
        assert!(
            r.allows("/cart"),
            "the `*` group does not apply to specsync here"
        );
    }

    #[test]
    fn otherwise_the_star_group_with_the_longest_match() {
        let r = RobotsRules::parse(ROBOTS, "otherbot/1.0");
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        assert!(!r.allows("/cart/add"));
        assert!(!r.allows("/search?q=tee"));
        assert!(r.allows("/search/help"), "the longer Allow wins");
        assert!(!r.allows("/collections/all?sort=price"));
        assert!(r.allows("/products/1.html"));
    }

    #[test]
    fn missing_empty_and_unreadable_robots() {
        assert!(RobotsRules::parse("", "specsync").allows("/anything"));
        assert!(RobotsRules::parse("User-agent: *\nDisallow:\n", "specsync").allows("/anything"));
        assert!(!RobotsRules::parse("User-agent: *\nDisallow: /\n", "specsync").allows("/p/1"));
        assert!(!RobotsRules::deny_all().allows("/"));
        let garbage = RobotsRules::parse(
            "\u{0}\u{1}<html>not robots</html>\nCrawl-delay: lots\n",
            "specsync",
        );
        assert!(garbage.allows("/p/1") && garbage.crawl_delay.is_none());
    }
}

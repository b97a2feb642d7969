//! The pipeline of one crawl run, wiring the stages (DESIGN.md "Data flow"):
//! lease → discover → fetch → extract → normalize → snapshot → diff → record. Delivering the
//! alerts is `deliver.rs`.
//!
//! Each page is recorded in its own transaction with the changes it caused. A failed fetch is
//! never a change (invariant 1): only a product page that was fetched and extracted is compared,
//! and a 404/410 becomes "product gone" only after `gone_confirmations` crawls in a row.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroU32;
use std::path::PathBuf;

use anyhow::Context as _;
use catalog::{Currency, NormalizeRules, Product};
use crawler::{discover, fetch_product, FailureClass, Fetcher, PageFailure, PageOutcome, Rate};
use futures::StreamExt;
use serde::Serialize;
use store::{GoneOutcome, PageRecord, Source, SourceSettings, Store};
use url::Url;

use crate::config::Config;
use crate::error::Usage;

/// Everything a command needs: the validated config, the store, the fetcher.
pub struct App {
    pub config: Config,
    pub store: Store,
    /// Shared with the tasks that fetch pages.
    pub fetcher: std::sync::Arc<Fetcher>,
    /// This process, as the holder of source leases.
    pub worker: String,
}

impl App {
    pub async fn open(config: Config) -> anyhow::Result<App> {
        let store = Store::open(&config.database_url)
            .await
            .with_context(|| format!("failed to open the database of {}", config.path.display()))?;
        let fetcher = std::sync::Arc::new(Fetcher::new(crawler::FetcherConfig {
            user_agent: config.user_agent.clone(),
            timeout: config.timeout,
            retries: config.retries,
            max_concurrency: config.max_concurrency,
            // Only the sources' hosts are fetched; each says whether it may be private.
            only_known_hosts: true,
            ..crawler::FetcherConfig::default()
        })?);
        for declared in &config.sources {
            let source = checked_source(&declared.name, &declared.url, declared.settings.clone())
                .map_err(|e| {
                Usage::new(format!(
                    "{}: sources.{}: {e}",
                    config.path.display(),
                    declared.name
                ))
            })?;
            store.upsert_source(&source).await?;
        }
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(App {
            config,
            store,
            fetcher,
            worker: format!("specsync-{}-{started}", std::process::id()),
        })
    }
}

/// What one crawl run did; `specsync crawl --json` prints it.
#[derive(Debug, Default, Serialize)]
pub struct CrawlSummary {
    pub source: String,
    pub run_id: i64,
    /// Product pages attempted.
    pub pages: usize,
    /// Pages answered with a product.
    pub products: usize,
    /// Products whose content was the same as at the last crawl.
    pub unchanged: usize,
    /// Failed pages by class (`transient`, `rate_limited`, `blocked`, `gone`, …).
    pub failed: BTreeMap<&'static str, usize>,
    pub new_styles: usize,
    /// Pages the supplier answered 304 or with the same body (not extracted again).
    pub not_modified: usize,
    /// Discovery pages (sitemaps, category pages) asked.
    pub discovery_pages: usize,
    /// Discovery pages that had not changed: their links from the last crawl were used.
    pub discovery_unchanged: usize,
    /// Pages robots.txt does not allow (not fetched).
    pub disallowed: usize,
    /// Changes recorded by this run.
    pub changes: usize,
    /// Why the rest of the host was not fetched this run, if it was paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<String>,
    /// The health alert written because the source failed too many crawls in a row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_alert: Option<PathBuf>,
    /// Why the source was not crawled by this worker (another one holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why discovery failed, when it did (known products were crawled anyway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_error: Option<String>,
}

/// Per-source settings, validated.
struct Politeness {
    obey_robots: bool,
    rate: Rate,
    burst: NonZeroU32,
    concurrency: usize,
    currency: Option<Currency>,
}

fn politeness(name: &str, s: &SourceSettings) -> Result<Politeness, Usage> {
    let bad = |what: String| Usage::new(format!("source `{name}`: {what}"));
    let obey_robots = match s.robots.as_str() {
        "obey" => true,
        "ignore" => false,
        other => return Err(bad(format!("robots `{other}`: expected obey or ignore"))),
    };
    Ok(Politeness {
        obey_robots,
        rate: s
            .rate
            .parse()
            .map_err(|e: crawler::RateError| bad(e.to_string()))?,
        burst: NonZeroU32::new(s.burst).ok_or_else(|| bad("burst must be at least 1".into()))?,
        concurrency: usize::try_from(s.concurrency).unwrap_or(1).max(1),
        currency: s
            .currency
            .as_deref()
            .map(Currency::parse)
            .transpose()
            .map_err(|e| bad(e.to_string()))?,
    })
}

/// A supplier site is never on the merchant's own network; a local test site must say so.
pub fn refuse_private(name: &str, base: &Url, settings: &SourceSettings) -> Result<(), Usage> {
    if crawler::guard::is_private_host(base) && !settings.allow_private_networks {
        return Err(Usage::new(format!(
            "source `{name}`: {base} is a loopback or private address; \
             pass --allow-private-networks if it really is a supplier site (a local test site)"
        )));
    }
    Ok(())
}

/// Checks a source's settings and gives its host to the fetcher: the guard lets it through,
/// with the source's rate, burst, concurrency, headers, cookies and proxy.
fn prepare(app: &App, source: &Source) -> Result<(Politeness, Url), Usage> {
    let polite = politeness(&source.name, &source.settings)?;
    let base = Url::parse(&source.base_url)
        .map_err(|e| Usage::new(format!("source `{}`: base URL: {e}", source.name)))?;
    refuse_private(&source.name, &base, &source.settings)?;
    if let Some(host) = base.host_str() {
        let s = &source.settings;
        let host_settings = crawler::fetch::HostSettings {
            rate: polite.rate,
            burst: polite.burst,
            concurrency: polite.concurrency,
            allow_private_networks: s.allow_private_networks,
            headers: s.headers.clone().into_iter().collect(),
            cookies: s.cookies.clone().into_iter().collect(),
            proxy: s.proxy.clone(),
        };
        app.fetcher
            .configure_host(host, &host_settings)
            .map_err(|e| Usage::new(format!("source `{}`: {e}", source.name)))?;
    }
    Ok((polite, base))
}

/// How the source's pages are read: its currency, the merchant's option names, its rules file.
fn page_rules(
    app: &App,
    source: &Source,
    polite: &Politeness,
) -> Result<crawler::PageRules, Usage> {
    let extract = match &source.settings.rules {
        None => None,
        Some(path) => {
            let bad =
                |e: String| Usage::new(format!("source `{}`: rules file {path}: {e}", source.name));
            let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
            let rules =
                crawler::extract::rules::Rules::parse(&text).map_err(|e| bad(e.to_string()))?;
            Some(std::sync::Arc::new(rules))
        }
    };
    Ok(crawler::PageRules {
        normalize: NormalizeRules {
            currency: polite.currency,
            names: app.config.option_names.clone(),
        },
        extract,
    })
}

/// Whether the source's rules file was written after its last crawl started.
async fn rules_edited_since_last_crawl(app: &App, source: &Source) -> anyhow::Result<bool> {
    let Some(path) = &source.settings.rules else {
        return Ok(false);
    };
    let Some(last) = app.store.last_run_started(source.id).await? else {
        return Ok(false);
    };
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(i64::MAX, |d| {
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
        });
    Ok(modified >= last)
}

/// A source as it may be stored: settings valid, URL an http(s) URL, not private unless allowed.
pub fn checked_source(
    name: &str,
    url: &str,
    settings: SourceSettings,
) -> Result<store::NewSource, Usage> {
    politeness(name, &settings)?;
    let base = crate::listings::parse_product_url(url)
        .map_err(|e| Usage::new(format!("source `{name}`: {e}")))?;
    refuse_private(name, &base, &settings)?;
    Ok(store::NewSource {
        name: name.to_owned(),
        base_url: base.to_string(),
        settings,
    })
}

/// Crawls one source now and records what changed.
pub async fn crawl_source(app: &App, source: &Source) -> anyhow::Result<CrawlSummary> {
    crawl(app, source, None).await
}

/// Crawls these pages of a source now (`specsync resync`), recording as a crawl does.
pub async fn crawl_urls(
    app: &App,
    source: &Source,
    urls: Vec<Url>,
) -> anyhow::Result<CrawlSummary> {
    crawl(app, source, Some(urls)).await
}

/// Fetches and normalizes one page with the source's politeness and rules, recording nothing.
pub async fn fetch_now(app: &App, source: &Source, url: &Url) -> anyhow::Result<PageOutcome> {
    let (polite, _) = prepare(app, source)?;
    let rules = page_rules(app, source, &polite)?;
    Ok(fetch_product(&app.fetcher, url, &rules, &crawler::Validators::default()).await)
}

/// A page URL as the source it belongs to keys it: canonical, without the source's own tracking
/// parameters too (so a merchant's link names the page the crawl fetches).
pub async fn canonical_for_source(app: &App, url: &Url) -> anyhow::Result<Url> {
    let extra = match source_for(app, url).await {
        Ok(source) => source.settings.tracking_params,
        Err(_) => Vec::new(),
    };
    Ok(crawler::canonical_url(url, &extra))
}

/// The source a page belongs to: the one on its host.
pub async fn source_for(app: &App, url: &Url) -> anyhow::Result<Source> {
    let sources = app.store.sources().await?;
    sources
        .into_iter()
        .find(|s| Url::parse(&s.base_url).is_ok_and(|b| crawler::same_site(&b, url)))
        .ok_or_else(|| {
            Usage::new(format!(
                "no source crawls {url}: add its site with `specsync source add`"
            ))
            .into()
        })
}

/// A lease outlives a crawl's pauses; a crawl renews it every [`RENEW_EVERY`] as pages come in.
const LEASE_MS: i64 = 15 * 60 * 1000;
/// Pages failing in a row (not gone) after which a host is left alone for the rest of the run.
const PAUSE_AFTER_FAILURES: usize = 10;
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Crawls under the source's lease: one worker at a time per source (DESIGN.md "lease").
async fn crawl(app: &App, source: &Source, only: Option<Vec<Url>>) -> anyhow::Result<CrawlSummary> {
    if !app
        .store
        .acquire_lease(source.id, &app.worker, LEASE_MS)
        .await?
    {
        return Ok(CrawlSummary {
            source: source.name.clone(),
            skipped: Some("another worker is crawling this source".into()),
            ..CrawlSummary::default()
        });
    }
    let result = match wait_for_previous_worker(app, source).await {
        Ok(()) => crawl_leased(app, source, only).await,
        Err(e) => Err(e),
    };
    // Given back whatever happened; a worker that dies leaves it to expire.
    app.store.release_lease(source.id, &app.worker).await?;
    result
}

/// The previous holder's requests count against the host's rate too: a new holder starts no
/// sooner than a full burst's interval after the lease was given back.
async fn wait_for_previous_worker(app: &App, source: &Source) -> anyhow::Result<()> {
    let polite = politeness(&source.name, &source.settings)?;
    let Some(released) = app.store.lease_released_at(source.id).await? else {
        return Ok(());
    };
    let spacing = polite.rate.interval() * polite.burst.get();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let waited =
        std::time::Duration::from_millis(u64::try_from(now.saturating_sub(released)).unwrap_or(0));
    if let Some(rest) = spacing.checked_sub(waited) {
        tokio::time::sleep(rest).await;
    }
    Ok(())
}

async fn crawl_leased(
    app: &App,
    source: &Source,
    only: Option<Vec<Url>>,
) -> anyhow::Result<CrawlSummary> {
    let started = std::time::Instant::now();
    let (polite, base) = prepare(app, source)?;
    let run_id = app.store.start_run(source.id).await?;
    let mut summary = CrawlSummary {
        source: source.name.clone(),
        run_id,
        ..CrawlSummary::default()
    };
    // What the store knows and what the site lists are read at once: one waits on the
    // database, the other on the supplier. The known products are read by a task of their own:
    // converting 20,000 rows keeps a thread busy, which would hold up discovery on a shared one.
    let store = app.store.clone();
    let source_id = source.id;
    let known_products = tokio::spawn(async move { store.source_products(source_id).await });
    let preload = async {
        let known = Known {
            products: known_products
                .await
                .context("reading the known products crashed")??,
            linked: app.store.links().await?.into_values().collect(),
        };
        let reread_all = rules_edited_since_last_crawl(app, source).await?;
        tracing::debug!(source = %source.name, elapsed = ?started.elapsed(), "known products read");
        anyhow::Ok((known, reread_all))
    };
    // What discovery remembers is read first: the database is busy with the preload once that
    // starts. Nothing is discovered when the crawl was given its pages.
    let memo = match only {
        Some(_) => None,
        None => Some(discover::Memo {
            known: app
                .store
                .discovery_pages(source.id)
                .await?
                .into_iter()
                .map(|(url, page)| (url, remembered_of(page)))
                .collect(),
            ..discover::Memo::default()
        }),
    };
    let discovery = async {
        match memo {
            None => Ok(None),
            Some(memo) => discovered(app, source, &base, memo, &mut summary)
                .await
                .map(Some),
        }
    };
    let (preloaded, found) = tokio::join!(preload, discovery);
    let (known, reread_all) = preloaded?;
    let mut targets = match (only, found?) {
        (Some(urls), _) => urls,
        (None, found) => with_known(found.unwrap_or_default(), &known, source, &base),
    };
    if polite.obey_robots {
        obey_robots(app, &base, &polite, &mut targets, &mut summary).await;
    }
    summary.pages = targets.len();
    tracing::debug!(source = %source.name, pages = summary.pages, elapsed = ?started.elapsed(), "discovered");
    let rules = std::sync::Arc::new(page_rules(app, source, &polite)?);
    let mut pending = Pending::default();
    let pages = futures::stream::iter(targets)
        .map(|url| {
            // What the page's last answer said: a 304 or the same body skips extraction. Not
            // after the source's rules file changed: every page is read again under the new rules.
            let validators = match reread_all {
                true => None,
                false => known.products.get(url.as_str()),
            }
            .map(|p| validators_of(&p.validators))
            .unwrap_or_default();
            let fetcher = std::sync::Arc::clone(&app.fetcher);
            let rules = std::sync::Arc::clone(&rules);
            // Each page its own task, so that fetching (TLS, decompression, decoding) runs on
            // every core; this loop only records.
            let task = tokio::spawn(async move {
                let outcome = fetch_product(&fetcher, &url, &rules, &validators).await;
                (url, outcome)
            });
            task
        })
        .buffer_unordered(polite.concurrency);
    // Fetching goes on while a batch is written: the pages in flight are driven by their own
    // future, and hand their outcomes over through a channel of a few batches.
    let (answered, outcomes) = tokio::sync::mpsc::channel(BATCH / 4);
    let fetching = async move {
        let mut pages = pages;
        while let Some(outcome) = pages.next().await {
            if answered.send(outcome).await.is_err() {
                // The recorder stopped (the host was paused, or a write failed).
                break;
            }
        }
    };
    let progress = progress_bar(&source.name, summary.pages);
    let mut reached = 0;
    let mut failing_in_a_row = 0;
    let mut renewed = std::time::Instant::now();
    let mut last_error: Option<String> = None;
    let recording = async {
        // Owned here: when recording ends, early or not, the channel closes and fetching stops.
        let mut outcomes = outcomes;
        while let Some(joined) = outcomes.recv().await {
            // A page task ends only by returning or by a panic, which is a bug to report as such.
            let (url, outcome) = joined.context("a page's fetch task crashed")?;
            progress.inc(1);
            if renewed.elapsed() >= RENEW_EVERY {
                app.store
                    .acquire_lease(source.id, &app.worker, LEASE_MS)
                    .await?;
                renewed = std::time::Instant::now();
            }
            match outcome {
                PageOutcome::Product {
                    product,
                    validators,
                } => {
                    reached += 1;
                    let validators = Some(store_validators(validators));
                    let page = judge_page(app, source, &known, &url, *product, validators).await?;
                    pending.pages.push(page);
                }
                PageOutcome::Unchanged => {
                    reached += 1;
                    summary.not_modified += 1;
                    // The stored snapshot still holds. Only a listing not yet compared with it (linked
                    // or re-imported since) makes it worth loading; otherwise the page is just seen.
                    let needs_compare = known.linked.contains(url.as_str())
                        && app.store.needs_compare(url.as_str()).await?;
                    let snapshot = match needs_compare {
                        true => app.store.latest_snapshot(url.as_str()).await?,
                        false => None,
                    };
                    match snapshot {
                        Some(snapshot) => {
                            let page =
                                judge_page(app, source, &known, &url, snapshot, None).await?;
                            pending.pages.push(page);
                        }
                        None => pending.touched.push(url.to_string()),
                    }
                }
                PageOutcome::Failed(failure) => {
                    if failure.class() == FailureClass::Gone {
                        // A 404 is the host answering: it is not failing.
                        reached += 1;
                        failing_in_a_row = 0;
                    } else {
                        failing_in_a_row += 1;
                        last_error = Some(failure.to_string());
                    }
                    record_failure(app, source, run_id, &url, &failure, &mut summary).await?;
                    if failing_in_a_row >= PAUSE_AFTER_FAILURES {
                        // The rest is not fetched: each page would fail the same way and only add load.
                        summary.paused = Some(format!(
                            "paused after {failing_in_a_row} pages failed in a row: {failure}"
                        ));
                        break;
                    }
                    continue;
                }
            }
            failing_in_a_row = 0;
            if pending.is_full() {
                pending.flush(app, source, run_id, &mut summary).await?;
            }
        }
        pending.flush(app, source, run_id, &mut summary).await
    };
    let ((), recorded) = tokio::join!(fetching, recording);
    recorded?;
    progress.finish_and_clear();
    tracing::debug!(source = %source.name, elapsed = ?started.elapsed(), "pages fetched and recorded");
    let summary_json = serde_json::to_string(&summary)?;
    let health = app
        .store
        .finish_run(source.id, run_id, &summary_json, reached > 0)
        .await?;
    if health.consecutive_failures == i64::from(app.config.health_alert_after) {
        let last = last_error
            .as_deref()
            .or(summary.discovery_error.as_deref())
            .unwrap_or("no page answered");
        summary.health_alert = Some(crate::deliver::send_health_alert(
            app, &health, run_id, last,
        )?);
    }
    Ok(summary)
}

fn remembered_of(page: store::DiscoveryPage) -> discover::Remembered {
    discover::Remembered {
        kind: page.kind,
        validators: validators_of(&page.validators),
        links: page.links,
        next: page.next_page,
    }
}

fn discovery_page_of(page: discover::Remembered) -> store::DiscoveryPage {
    store::DiscoveryPage {
        kind: page.kind,
        validators: store_validators(page.validators),
        links: page.links,
        next_page: page.next,
    }
}

fn validators_of(v: &store::PageValidators) -> crawler::Validators {
    crawler::Validators {
        etag: v.etag.clone(),
        last_modified: v.last_modified.clone(),
        body_hash: v.body_hash.clone(),
    }
}

fn store_validators(v: crawler::Validators) -> store::PageValidators {
    store::PageValidators {
        etag: v.etag,
        last_modified: v.last_modified,
        body_hash: v.body_hash,
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise (scripts, `--json`, tests).
fn progress_bar(source: &str, pages: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    // Sources crawled at once each have a line.
    static BARS: std::sync::LazyLock<indicatif::MultiProgress> =
        std::sync::LazyLock::new(indicatif::MultiProgress::new);
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = BARS.add(indicatif::ProgressBar::new(pages as u64));
    let style = indicatif::ProgressStyle::with_template(
        "{prefix} [{bar:30}] {pos}/{len} pages, {per_sec}, eta {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(source.to_owned());
    bar
}

/// Leaves out what robots.txt disallows and slows the host to its `Crawl-delay`.
async fn obey_robots(
    app: &App,
    base: &Url,
    polite: &Politeness,
    targets: &mut Vec<Url>,
    summary: &mut CrawlSummary,
) {
    let rules = app.fetcher.robots_rules(base).await;
    let before = targets.len();
    targets.retain(|url| {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        rules.allows(&path)
    });
    summary.disallowed = before - targets.len();
    if let (Some(delay), Some(host)) = (rules.crawl_delay, base.host_str()) {
        if delay > polite.rate.interval() {
            let slower = Rate {
                count: NonZeroU32::MIN,
                per: delay,
            };
            app.fetcher.set_host_rate(host, slower, NonZeroU32::MIN);
        }
    }
}

/// The product pages the site lists: in its sitemap(s) and on its category pages. Discovery
/// pages are asked conditionally; the unchanged ones give the links remembered from the last
/// crawl.
async fn discovered(
    app: &App,
    source: &Source,
    base: &Url,
    mut memo: discover::Memo,
    summary: &mut CrawlSummary,
) -> anyhow::Result<Vec<Url>> {
    let mut urls: Vec<Url> = Vec::new();
    let product_path = source.settings.product_path.as_deref();
    let started = std::time::Instant::now();
    match discover::sitemap_urls(&app.fetcher, base, product_path, &mut memo).await {
        Ok(found) => urls.extend(found),
        Err(e) => {
            tracing::warn!(source = %source.name, error = %e, "discovery failed; crawling known products only");
            summary.discovery_error = Some(e.to_string());
        }
    }
    if let (Some(category), Some(product_path)) = (&source.settings.category, product_path) {
        let start = base.join(category).map_err(|e| {
            Usage::new(format!(
                "source `{}`: category `{category}`: {e}",
                source.name
            ))
        })?;
        let categories = discover::Categories {
            start: &start,
            category_path: source.settings.category_path.as_deref(),
            product_path,
            concurrency: usize::try_from(source.settings.concurrency).unwrap_or(1),
        };
        tracing::debug!(elapsed = ?started.elapsed(), "sitemap read");
        match discover::category_urls(&app.fetcher, categories, &mut memo).await {
            Ok(found) => urls.extend(found),
            Err(e) => summary.discovery_error = Some(e.to_string()),
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "category pages read");
    summary.discovery_pages = memo.unchanged + memo.read.len();
    summary.discovery_unchanged = memo.unchanged;
    let read: Vec<(String, store::DiscoveryPage)> = memo
        .read
        .into_iter()
        .map(|(url, page)| (url, discovery_page_of(page)))
        .collect();
    app.store.save_discovery_pages(source.id, &read).await?;
    urls.sort_unstable();
    urls.dedup();
    Ok(urls)
}

/// The crawl's pages: those discovered, and every product already known or linked on the
/// source's host, so a product that left the catalogue is still checked (that is how it is found
/// gone). Canonical (with the source's own tracking parameters), sorted, deduplicated.
fn with_known(mut urls: Vec<Url>, known: &Known, source: &Source, base: &Url) -> Vec<Url> {
    let extra = &source.settings.tracking_params;
    // Discovery made them canonical already, but for the source's own tracking parameters.
    if !extra.is_empty() {
        for url in &mut urls {
            *url = crawler::canonical_url(url, extra);
        }
    }
    // Known URLs are compared as text first: most are listed, and parsing 20,000 URLs again
    // would be most of an unchanged recrawl's discovery.
    let listed: HashSet<&str> = urls.iter().map(Url::as_str).collect();
    let unlisted: Vec<Url> = known
        .products
        .values()
        .filter(|p| p.status == "active")
        .map(|p| &p.url)
        .chain(&known.linked)
        .filter(|u| !listed.contains(u.as_str()))
        .filter_map(|u| Url::parse(u).ok())
        .filter(|u| u.host_str() == base.host_str())
        .map(|u| crawler::canonical_url(&u, extra))
        .collect();
    drop(listed);
    urls.extend(unlisted);
    urls.sort_unstable();
    urls.dedup();
    urls
}

/// What the crawl knows of the source before it starts, so that a page is judged without a
/// query of its own.
struct Known {
    /// Every product of the source, by URL.
    products: HashMap<String, store::StoredProduct>,
    /// Product URLs some listing is linked to.
    linked: HashSet<String>,
}

/// A page compared and decided on, waiting to be written with its batch.
struct PendingPage {
    product: Product,
    hash: String,
    json: String,
    changes: Vec<diff::Proposal>,
    compared: Vec<catalog::ListingId>,
    flap_crawls: i64,
    validators: Option<store::PageValidators>,
    new_style: bool,
}

/// Pages are written in batches, a transaction each: one commit per page would make the crawl
/// wait on the database rather than on the supplier.
#[derive(Default)]
struct Pending {
    pages: Vec<PendingPage>,
    /// Unchanged pages, only to be noted as seen.
    touched: Vec<String>,
}

const BATCH: usize = 256;

impl Pending {
    fn is_full(&self) -> bool {
        self.pages.len() >= BATCH || self.touched.len() >= 4 * BATCH
    }

    async fn flush(
        &mut self,
        app: &App,
        source: &Source,
        run_id: i64,
        summary: &mut CrawlSummary,
    ) -> anyhow::Result<()> {
        if !self.touched.is_empty() {
            app.store.touch_products(&self.touched).await?;
            summary.products += self.touched.len();
            summary.unchanged += self.touched.len();
            self.touched.clear();
        }
        if self.pages.is_empty() {
            return Ok(());
        }
        let records: Vec<PageRecord<'_>> = self
            .pages
            .iter()
            .map(|p| PageRecord {
                source_id: source.id,
                run_id,
                product: &p.product,
                content_hash: &p.hash,
                product_json: Some(&p.json),
                changes: &p.changes,
                compared: &p.compared,
                flap_crawls: p.flap_crawls,
                validators: p.validators.clone(),
            })
            .collect();
        let recorded = app.store.record_pages(&records).await?;
        for (page, recorded) in self.pages.iter().zip(&recorded) {
            summary.products += 1;
            summary.unchanged += usize::from(!recorded.new_version);
            summary.new_styles += usize::from(page.new_style);
            summary.changes += recorded.changes;
        }
        self.pages.clear();
        Ok(())
    }
}

/// Compares a crawled product with the listings linked to it and decides on each change.
async fn judge_page(
    app: &App,
    source: &Source,
    known: &Known,
    url: &Url,
    mut product: Product,
    validators: Option<store::PageValidators>,
) -> anyhow::Result<PendingPage> {
    // The requested URL is the product's identity, whatever the page calls itself.
    product.url = url.to_string();
    let (json, hash) = product.json_and_hash();
    let stored = known.products.get(&product.url);
    let version_after = match stored {
        Some(s) if s.content_hash.as_deref() == Some(hash.as_str()) => s.version,
        Some(s) => s.version + 1,
        None => 1,
    };
    let linked = match known.linked.contains(&product.url) {
        true => app.store.listings_linked_to(&product.url).await?,
        false => Vec::new(),
    };
    let mut changes = Vec::new();
    let mut compared = Vec::new();
    for (listing, diffed_version) in &linked {
        if *diffed_version != Some(version_after) {
            let rules = &app
                .config
                .rules
                .for_listing(Some(&source.name), listing.id.as_str());
            let found = diff::compare(listing, &product, rules);
            changes.extend(diff::decide(listing, &product, found, rules));
            compared.push(listing.id.clone());
        }
    }
    // On a source's first crawl every product is new: that is the baseline, not news.
    let new_style = stored.is_none() && linked.is_empty() && source.crawls > 0;
    if new_style {
        changes.push(diff::decide_without_product(
            diff::new_style(&product),
            app.config.rules.for_source(&source.name),
        ));
    }
    Ok(PendingPage {
        product,
        hash,
        json,
        changes,
        compared,
        flap_crawls: i64::from(app.config.rules.for_source(&source.name).flap_crawls),
        validators,
        new_style,
    })
}

async fn record_failure(
    app: &App,
    source: &Source,
    run_id: i64,
    url: &Url,
    failure: &PageFailure,
    summary: &mut CrawlSummary,
) -> anyhow::Result<()> {
    *summary.failed.entry(failure.class().as_str()).or_default() += 1;
    tracing::info!(%url, class = failure.class().as_str(), "{failure}");
    if failure.class() != FailureClass::Gone {
        return Ok(());
    }
    let confirmations = i64::from(app.config.gone_confirmations);
    if app.store.observe_gone(url.as_str(), confirmations).await? == GoneOutcome::Confirmed {
        let changes: Vec<_> = app
            .store
            .listings_linked_to(url.as_str())
            .await?
            .iter()
            .map(|(listing, _)| {
                diff::decide_without_product(
                    diff::product_gone(listing, url.as_str()),
                    app.config
                        .rules
                        .for_listing(Some(&source.name), listing.id.as_str()),
                )
            })
            .collect();
        summary.changes += app
            .store
            .record_gone(run_id, url.as_str(), &changes)
            .await?;
    }
    Ok(())
}

//! The composition root: the validated configuration, the store, the fetcher and the rules, and
//! what every caller (the CLI today, `specsync serve` next) asks of them as one product.

use std::path::Path;
use std::sync::Arc;

use crawler::{fetch_product, Fetcher, PageOutcome};
use serde::Serialize;
use store::{Source, SourceSettings, Store};
use url::Url;

use crate::config::Config;
use crate::crawl::{self, CrawlSummary};
use crate::error::{Error, Result};
use crate::plan::SourcePlan;
use crate::progress::{NoProgress, Progress};

/// Everything a command needs: the validated config, the store, the fetcher.
pub struct App {
    pub config: Config,
    pub store: Store,
    /// Shared with the tasks that fetch pages.
    pub fetcher: Arc<Fetcher>,
    /// This process, as the holder of source leases.
    pub worker: String,
    /// Told how each crawl gets on (a progress bar in a terminal; nothing otherwise).
    pub progress: Arc<dyn Progress>,
    /// How alert emails leave: the outbox folder by default.
    pub mailer: Arc<dyn notify::Mailer>,
    /// What time it is when how long something lasted matters (the system clock).
    pub clock: Arc<dyn crate::Clock>,
    /// Asked to stop (by a signal): crawls end after the batch they are recording.
    pub stop: crate::Stop,
}

/// The mailer the configuration names: SMTP with `[email] smtp_url` (the password from
/// `SPECSYNC_SMTP_PASSWORD`), else the outbox folder.
fn mailer(config: &Config) -> Result<Arc<dyn notify::Mailer>> {
    match &config.smtp_url {
        None => Ok(Arc::new(notify::Outbox::new(&config.outbox))),
        Some(url) => {
            let password = std::env::var(notify::PASSWORD_ENV).ok();
            let smtp = notify::SmtpMailer::new(url, password)
                .map_err(|e| Error::invalid(format!("{}: {e}", config.path.display())))?;
            Ok(Arc::new(smtp))
        }
    }
}

/// What `listings import` did.
#[derive(Debug, Serialize)]
pub struct ImportSummary {
    pub listings: usize,
    pub variants: usize,
    pub linked: usize,
}

impl App {
    pub async fn open(config: Config) -> Result<App> {
        let store = Store::open(&config.database_url).await?;
        let fetcher = Arc::new(
            Fetcher::new(crawler::FetcherConfig {
                user_agent: config.user_agent.clone(),
                timeout: config.timeout,
                retries: config.retries,
                max_concurrency: config.max_concurrency,
                // Only the sources' hosts are fetched; each says whether it may be private.
                only_known_hosts: true,
                ..crawler::FetcherConfig::default()
            })
            .map_err(Error::Fetcher)?,
        );
        for declared in &config.sources {
            // Validated when the configuration was read.
            store
                .upsert_source(&store::NewSource {
                    name: declared.name.clone(),
                    base_url: declared.url.clone(),
                    settings: declared.settings.clone(),
                })
                .await?;
        }
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(App {
            store,
            fetcher,
            worker: format!(
                "specsync pid {} on {} #{started}",
                std::process::id(),
                hostname()
            ),
            progress: Arc::new(NoProgress),
            mailer: mailer(&config)?,
            clock: Arc::new(crate::SystemClock),
            stop: crate::Stop::default(),
            config,
        })
    }

    /// Adds a supplier, its settings validated first.
    pub async fn add_source(
        &self,
        name: &str,
        url: &str,
        settings: SourceSettings,
    ) -> Result<Source> {
        let plan = SourcePlan::new(name, url, &settings)?;
        let source = store::NewSource {
            name: name.to_owned(),
            base_url: plan.base.to_string(),
            settings,
        };
        Ok(self.store.add_source(&source).await?)
    }

    /// The named sources, or every source when none is named.
    pub async fn sources(&self, names: &[String]) -> Result<Vec<Source>> {
        if names.is_empty() {
            return Ok(self.store.sources().await?);
        }
        let mut found = Vec::with_capacity(names.len());
        for name in names {
            let source = self.store.source(name).await?;
            found.push(source.ok_or_else(|| store::StoreError::NoSource(name.clone()))?);
        }
        Ok(found)
    }

    /// Crawls the named sources (all when none is named) at once: each waits on its own
    /// supplier's rate limit, and the fetcher's caps (per host, global) hold over all of them.
    pub async fn crawl_sources(&self, names: &[String]) -> Result<Vec<CrawlSummary>> {
        self.know_sources().await?;
        let sources = self.sources(names).await?;
        if sources.is_empty() {
            return Err(Error::invalid(
                "no sources to crawl: add one with `specsync source add NAME --url URL`",
            ));
        }
        let crawls = sources
            .iter()
            .map(|source| crawl::crawl_source(self, source));
        futures::future::join_all(crawls)
            .await
            .into_iter()
            .collect()
    }

    /// The fetcher knows every source's host as stored now, whichever is crawled: a redirect
    /// between two sources' sites is checked against both (private addresses for the origins
    /// allowed them, each host's own client), and the hosts of removed sources are forgotten (a
    /// daemon lives on). A source whose settings are invalid is left out here; its own crawl
    /// says why.
    async fn know_sources(&self) -> Result<()> {
        let sources = self.store.sources().await?;
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        self.fetcher.retain_sources(&names);
        for source in &sources {
            if let Err(error) = crawl::prepare(self, source) {
                tracing::debug!(source = %source.name, %error, "source not configured");
            }
        }
        Ok(())
    }

    /// Crawls these pages of a source now (`specsync resync`), recording as a crawl does.
    pub async fn crawl_urls(&self, source: &Source, urls: Vec<Url>) -> Result<CrawlSummary> {
        self.know_sources().await?;
        crawl::crawl_pages(self, source, urls).await
    }

    /// Fetches and normalizes one page with the source's politeness and rules, recording nothing.
    pub async fn fetch_now(&self, source: &Source, url: &Url) -> Result<PageOutcome> {
        self.know_sources().await?;
        let plan = crawl::prepare(self, source)?;
        let rules = crawl::page_rules(self, &plan)?;
        Ok(fetch_product(&self.fetcher, url, &rules, &crawler::Validators::default()).await)
    }

    /// Why a page that redirected is another product's, if it is (a "moved" link: not read).
    pub async fn moved(
        &self,
        source: &Source,
        url: &Url,
        redirected: &crawler::Redirected,
        product: &catalog::Product,
    ) -> Result<Option<String>> {
        // The source's own tracking parameters, as its plan takes them (no need to configure
        // its host again: the page was fetched).
        crawl::moved::moved(
            self,
            source,
            &source.settings.tracking_params,
            url,
            redirected,
            product,
        )
        .await
    }

    /// The source a page belongs to: the one on its site.
    pub async fn source_for(&self, url: &Url) -> Result<Source> {
        let sources = self.store.sources().await?;
        crawled_by(&sources, url)
            .cloned()
            .map_err(|e| Error::invalid(format!("{url}: {e}")))
    }

    /// A page URL as the source it belongs to keys it: canonical, without the source's own
    /// tracking parameters too (so a merchant's link names the page the crawl fetches).
    pub async fn canonical_for_source(&self, url: &Url) -> Result<Url> {
        Ok(canonical_among(&self.store.sources().await?, url))
    }

    /// Links a listing to a supplier page, keyed as its source keys it.
    pub async fn link(&self, listing: &catalog::ListingId, url: &Url) -> Result<Url> {
        let sources = self.store.sources().await?;
        crawled_by(&sources, url).map_err(Error::invalid)?;
        let url = canonical_among(&sources, url);
        self.store.link(listing, url.as_str()).await?;
        Ok(url)
    }

    /// Imports a listings file; everything is validated before anything is stored, so a bad
    /// file changes nothing.
    pub async fn import_listings(&self, file: &Path) -> Result<ImportSummary> {
        let shown = file.display().to_string();
        let text = crate::import::read_text(file)?;
        // Links name pages as their source keys them (without its own tracking parameters).
        let sources = self.store.sources().await?;
        let names = self.config.option_names.clone();
        // The file is read on a thread of its own, a chunk of listings at a time, while the
        // chunks before are written: the listings are never all in memory at once, in their
        // JSON form or in ours. One transaction: a bad listing anywhere, or a kill, stores none.
        let (chunks, mut written) = tokio::sync::mpsc::channel(2);
        let reading = tokio::task::spawn_blocking(move || {
            let mut summary = ImportSummary {
                listings: 0,
                variants: 0,
                linked: 0,
            };
            let mut chunk = Vec::with_capacity(IMPORT_CHUNK);
            crate::import::parse_each(&shown, &text, &names, |item| {
                summary.listings += 1;
                summary.variants += item.listing.variants.len();
                summary.linked += usize::from(item.supplier_url.is_some());
                let url = match item.supplier_url {
                    None => None,
                    Some(url) => {
                        crawled_by(&sources, &url).map_err(|e| {
                            Error::invalid(format!(
                                "{shown}: listing #{} (`{}`): supplier_url: {e}",
                                summary.listings, item.listing.id
                            ))
                        })?;
                        Some(canonical_among(&sources, &url).to_string())
                    }
                };
                chunk.push((item.listing, url));
                if chunk.len() == IMPORT_CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(IMPORT_CHUNK));
                    // The writer stopped (a write failed): it reports why.
                    chunks
                        .blocking_send(full)
                        .map_err(|_| Error::invalid("the import stopped"))?;
                }
                Ok(())
            })?;
            if !chunk.is_empty() {
                let _ = chunks.blocking_send(chunk);
            }
            Ok::<_, Error>(summary)
        });
        let mut import = self.store.begin_import().await?;
        while let Some(chunk) = written.recv().await {
            import.write(&chunk).await?;
        }
        let summary = reading.await.map_err(|source| Error::Crashed {
            what: "reading the listings file",
            source,
        })??;
        import.commit().await?;
        Ok(summary)
    }

    /// What `product` means for `listing` now, under the rules of the listing's source.
    pub fn judge(
        &self,
        source: Option<&str>,
        listing: &catalog::Listing,
        product: &catalog::Product,
    ) -> Vec<diff::Proposal> {
        self.config.rules.judge(source, listing, product)
    }
}

/// Listings read before they are written, in one go.
const IMPORT_CHUNK: usize = 1000;

/// This machine's name, to tell the operator where a lease's holder runs.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".into())
}

/// The source that crawls `url`'s site, or why none does (naming the sources there are): a link
/// to a page no source crawls would wait for a crawl forever.
fn crawled_by<'a>(sources: &'a [Source], url: &Url) -> std::result::Result<&'a Source, String> {
    sources
        .iter()
        .find(|s| Url::parse(&s.base_url).is_ok_and(|b| crawler::same_site(&b, url)))
        .ok_or_else(|| {
            let host = url.host_str().unwrap_or_default();
            let known: Vec<String> = sources
                .iter()
                .map(|s| format!("{} ({})", s.name, s.base_url))
                .collect();
            match known.is_empty() {
                true => format!(
                    "no source crawls {host}: add it first (`specsync source add NAME --url …`)"
                ),
                false => format!(
                    "no source crawls {host} (the sources are {}): add it first \
                     (`specsync source add NAME --url …`)",
                    known.join(", ")
                ),
            }
        })
}

/// `url` as the source whose site it is on keys it (see [`App::canonical_for_source`]).
fn canonical_among(sources: &[Source], url: &Url) -> Url {
    let extra = crawled_by(sources, url)
        .map(|s| s.settings.tracking_params.as_slice())
        .unwrap_or_default();
    crawler::canonical_url(url, extra)
}

//! Fetching supplier pages politely, discovering product URLs, and extracting products.
//!
//! - [`fetch`]: per-host rate limits (governor), retries with backoff, a body size cap, charset
//!   decoding; every failure is a classified [`FetchError`].
//! - [`discover`]: product URLs from a source's sitemap.
//! - [`extract`]: a fetched page → [`catalog::RawProduct`]; pure, no I/O.
//!
//! `crawler` knows nothing of the store: it hands [`PageOutcome`]s to its caller.

mod blocked;
mod canonical;
pub mod discover;
pub mod extract;
pub mod fetch;
pub mod guard;
mod rate;
pub mod robots;

pub use canonical::{canonical_url, same_site, TRACKING_PARAMS};
use catalog::{NormalizeRules, Product};
pub use extract::ExtractError;
pub use fetch::{
    FailureClass, FetchError, Fetched, FetchedPage, Fetcher, FetcherConfig, RobotsTxt, Validators,
};
pub use rate::{Rate, RateError};

/// What one product page gave.
#[derive(Debug)]
pub enum PageOutcome {
    Product {
        product: Box<Product>,
        /// To ask next time whether the page changed.
        validators: Validators,
    },
    /// 304, or the same body as last time: the stored snapshot still holds.
    Unchanged,
    Failed(PageFailure),
}

/// Why a page gave no product. None of these is ever a change to a listing (DESIGN.md
/// invariant 1); `Gone` becomes one only after confirmation on separate crawls.
#[derive(Debug, thiserror::Error)]
pub enum PageFailure {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error(transparent)]
    Normalize(#[from] catalog::NormalizeError),
}

impl PageFailure {
    pub fn class(&self) -> FailureClass {
        match self {
            PageFailure::Fetch(e) => e.class(),
            PageFailure::Extract(_) | PageFailure::Normalize(_) => FailureClass::Extraction,
        }
    }
}

/// How a source's pages are read: its normalization rules and its rules file, if it has one.
#[derive(Clone, Debug, Default)]
pub struct PageRules {
    pub normalize: NormalizeRules,
    pub extract: Option<std::sync::Arc<extract::rules::Rules>>,
}

/// Fetches one product page, unless it is unchanged since `known`, and turns it into a
/// normalized product. On a Shopify shop whose page carries no product JSON, the product's
/// `/products/<handle>.js` is fetched too (politely, as a page of the host).
pub async fn fetch_product(
    fetcher: &Fetcher,
    url: &url::Url,
    rules: &PageRules,
    known: &Validators,
) -> PageOutcome {
    let page = match fetcher.fetch_if_changed(url, known).await {
        Ok(Fetched::Page(page)) => page,
        Ok(Fetched::Unchanged) => return PageOutcome::Unchanged,
        Err(e) => return PageOutcome::Failed(e.into()),
    };
    let mut extra = Vec::new();
    if let Some(js_url) = extract::shopify_js_url(&page.url, &page.body) {
        // The endpoint failing is no failure of the page: it is read without it.
        if let Ok(js) = fetcher.fetch(&js_url).await {
            if let Some(found) = serde_json::from_str(&js.body)
                .ok()
                .and_then(|v: serde_json::Value| extract::platform_shopify(&v, js_url.as_str()))
            {
                extra.push(found);
            }
        }
    }
    // Extraction runs in the page's own task, on the runtime's threads (one per core): about
    // 0.3 ms for a 100 KB page, so other pages' I/O waits no longer than that. Handing it to a
    // blocking pool instead was measured slower (thread hand-offs on every page) and took more
    // memory (an allocator arena per blocking thread); BENCHMARKS.md has the figures.
    let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let raw = extract::extract_with(&page.url, &page.body, rules.extract.as_deref(), extra)?;
        Ok::<_, PageFailure>(catalog::normalize(&raw, &rules.normalize)?)
    }));
    match extracted {
        Ok(Ok(product)) => PageOutcome::Product {
            product: Box::new(product),
            validators: page.validators,
        },
        Ok(Err(failure)) => PageOutcome::Failed(failure),
        Err(_) => PageOutcome::Failed(PageFailure::Extract(ExtractError::Crashed {
            url: page.url.to_string(),
        })),
    }
}

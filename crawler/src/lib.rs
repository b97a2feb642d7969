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
use catalog::{NormalizeRules, Product, RawProduct};
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
        /// What the page did not say for sure (see [`PageReading::warnings`]).
        warnings: Vec<PageWarning>,
        /// Where the request was redirected to, when it was: the page may be another product's.
        redirected: Option<Box<Redirected>>,
    },
    /// 304, or the same body as last time: the stored snapshot still holds.
    Unchanged,
    Failed(PageFailure),
}

/// A product page asked for at one URL and answered from another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirected {
    /// The final URL, after every redirect.
    pub to: url::Url,
    /// The URL the page it landed on gives as its own (`<link rel="canonical">`, `og:url`).
    pub canonical: Option<url::Url>,
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
    let redirected = (page.url != *url).then(|| {
        Box::new(Redirected {
            to: page.url.clone(),
            canonical: extract::canonical_link(&page.body, &page.url),
        })
    });
    let extra = fetch_extras(fetcher, &page).await;
    // Extraction runs in the page's own task, on the runtime's threads (one per core): about
    // 0.3 ms for a 100 KB page, so other pages' I/O waits no longer than that. Handing it to a
    // blocking pool instead was measured slower (thread hand-offs on every page) and took more
    // memory (an allocator arena per blocking thread); BENCHMARKS.md has the figures.
    match read_page(&page.url, &page.body, rules, extra) {
        Ok(reading) => PageOutcome::Product {
            product: Box::new(reading.product),
            validators: page.validators,
            warnings: reading.warnings,
            redirected,
        },
        Err(failure) => PageOutcome::Failed(failure),
    }
}

/// What a page needs fetched besides itself: on a Shopify shop whose page carries no product
/// JSON, the product's `/products/<handle>.js`. The endpoint failing is no failure of the page:
/// it is read without it.
pub async fn fetch_extras(fetcher: &Fetcher, page: &FetchedPage) -> Vec<extract::Found> {
    let mut extra = Vec::new();
    if let Some(js_url) = extract::shopify_js_url(&page.url, &page.body) {
        if let Ok(js) = fetcher.fetch(&js_url).await {
            if let Some(found) = serde_json::from_str(&js.body)
                .ok()
                .and_then(|v: serde_json::Value| extract::platform_shopify(&v, js_url.as_str()))
            {
                extra.push(found);
            }
        }
    }
    extra
}

/// What one page reads as: what each extractor found, merged; the normalized product; where
/// its currency came from; what could not be read for sure.
#[derive(Clone, Debug)]
pub struct PageReading {
    pub raw: RawProduct,
    pub product: Product,
    /// Where the currency came from when the page's prices show none and the source sets
    /// none (`the country of its domain (.pl)`).
    pub currency_from: Option<String>,
    pub warnings: Vec<PageWarning>,
}

/// Something a page did not say for sure: not a failure of the page, but a health problem of
/// its source for the crawl to report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageWarning {
    /// Prices are shown, but nothing on the page or in the source gives their currency: the
    /// prices are not read.
    CurrencyUnknown { price: String },
    /// The structured data and the visible page disagree on whether the product is in stock:
    /// its stock is read as unknown (no stock change).
    StockConflict { detail: String },
}

impl std::fmt::Display for PageWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageWarning::CurrencyUnknown { price } => write!(
                f,
                "currency unknown: the page shows `{price}` but no currency, and none could be \
                 inferred; set the source's currency (`--currency`)"
            ),
            PageWarning::StockConflict { detail } => write!(f, "stock conflict: {detail}"),
        }
    }
}

/// Reads a fetched page: extraction, currency inference, normalization. The one path for the
/// crawl and for `specsync extract`, so that `extract` prints what `crawl` would record.
pub fn read_page(
    url: &url::Url,
    html: &str,
    rules: &PageRules,
    extra: Vec<extract::Found>,
) -> Result<PageReading, PageFailure> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut raw = extract::extract_with(url, html, rules.extract.as_deref(), extra)?;
        let declared = raw.currency.is_some() || raw.variants.iter().any(|v| v.currency.is_some());
        let mut normalize = rules.normalize.clone();
        let mut currency_from = None;
        if normalize.currency.is_none() && !declared {
            if let Some(inferred) = extract::currency::infer(url, html) {
                raw.note(
                    "currency",
                    format!("inferred {}: {}", inferred.currency, inferred.from),
                );
                normalize.currency = Some(inferred.currency);
                currency_from = Some(inferred.from);
            }
        }
        let product = catalog::normalize(&raw, &normalize)?;
        let mut warnings = Vec::new();
        if product.currency.is_none() {
            if let Some(price) = raw.variants.iter().find_map(|v| v.price.clone()) {
                warnings.push(PageWarning::CurrencyUnknown { price });
            }
        }
        warnings.extend(
            raw.provenance
                .iter()
                .filter(|p| p.field == extract::STOCK_CONFLICT)
                .map(|p| PageWarning::StockConflict {
                    detail: p.from.clone(),
                }),
        );
        Ok::<_, PageFailure>(PageReading {
            raw,
            product,
            currency_from,
            warnings,
        })
    }));
    let read = read.unwrap_or_else(|_| {
        Err(PageFailure::Extract(ExtractError::Crashed {
            url: url.to_string(),
        }))
    });
    // A product behind a regional or login wall is not what the supplier sells: nothing on
    // such a page is read. A wall hides the whole product: its prices, or every variant reads
    // as sold out. So it is looked for only where the reading has an unpriced variant, no
    // variant, or every one sold out, not on the many pages with one size sold out (reading
    // a page's shown sentences costs about as much as extracting it).
    let walled = match &read {
        Ok(reading) => {
            let variants = &reading.product.variants;
            variants.iter().any(|v| v.price.is_none())
                || variants
                    .iter()
                    .all(|v| v.stock.status == catalog::Availability::OutOfStock)
        }
        Err(failure) => failure.class() == FailureClass::Extraction,
    };
    if walled {
        let wall = std::panic::catch_unwind(|| blocked::wall(html)).unwrap_or_default();
        if let Some(reason) = wall {
            return Err(PageFailure::Fetch(FetchError::Blocked {
                url: url.clone(),
                status: 200,
                reason: Some(reason),
            }));
        }
    }
    read
}

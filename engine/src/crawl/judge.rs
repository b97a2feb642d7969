//! Stage "fetch and judge": a fetched product compared with the listings linked to it, each
//! difference decided on under the merchant's rules (`RuleSet::judge`), and a product new to
//! the catalogue noted as a new style.

use catalog::Product;
use store::Source;
use url::Url;

use super::targets::Known;
use crate::app::App;
use crate::error::Result;

/// A page compared and decided on, waiting to be written with its batch.
pub(super) struct PendingPage {
    pub product: Product,
    pub hash: String,
    pub json: String,
    pub changes: Vec<diff::Proposal>,
    pub compared: Vec<catalog::ListingId>,
    pub flap_crawls: i64,
    pub validators: Option<store::PageValidators>,
    pub new_style: bool,
    /// Its product had been confirmed gone.
    pub back: bool,
}

/// Compares a crawled product with the listings linked to it and decides on each change.
pub(super) async fn judge_page(
    app: &App,
    source: &Source,
    known: &Known,
    url: &Url,
    mut product: Product,
    validators: Option<store::PageValidators>,
) -> Result<PendingPage> {
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
    // A product confirmed gone whose page answers again: every listing linked to it is compared
    // afresh (which resolves its gone change) and told that it is back.
    let back = stored.is_some_and(|s| s.status == "gone");
    let mut changes = Vec::new();
    let mut compared = Vec::new();
    for (listing, diffed_version) in &linked {
        if back || *diffed_version != Some(version_after) {
            changes.extend(app.judge(Some(&source.name), listing, &product));
            compared.push(listing.id.clone());
        }
        if back {
            changes.push(diff::decide_without_product(
                diff::product_back(listing, &product),
                app.config
                    .rules
                    .for_listing(Some(&source.name), listing.id.as_str()),
            ));
        }
    }
    // On a source's first crawl every product is new: that is the baseline, not news.
    let new_style = stored.is_none() && linked.is_empty() && source.crawls > 0;
    let source_rules = app.config.rules.for_source(&source.name);
    if new_style {
        changes.push(diff::decide_without_product(
            diff::new_style(&product),
            source_rules,
        ));
    }
    Ok(PendingPage {
        product,
        hash,
        json,
        changes,
        compared,
        flap_crawls: i64::from(source_rules.flap_crawls),
        validators,
        new_style,
        back,
    })
}

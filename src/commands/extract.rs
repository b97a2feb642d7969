//! `specsync extract URL|FILE`: what specsync reads from one page, without a database.

use std::io::Read;
use std::path::Path;

use catalog::{NormalizeRules, Product, RawProduct};
use serde_json::json;
use url::Url;

use crate::cli::ExtractArgs;
use crate::error::Usage;

pub async fn run(args: &ExtractArgs, names: catalog::OptionNames) -> anyhow::Result<()> {
    let rules = match &args.rules {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Usage::new(format!(
                    "cannot read the rules file {}: {e}",
                    path.display()
                ))
            })?;
            Some(
                crawler::extract::rules::Rules::parse(&text)
                    .map_err(|e| Usage::new(format!("rules file {}: {e}", path.display())))?,
            )
        }
    };
    let currency = args
        .currency
        .as_deref()
        .map(catalog::Currency::parse)
        .transpose()
        .map_err(|e| Usage::new(format!("--currency: {e}")))?;
    let page_rules = crawler::PageRules {
        normalize: NormalizeRules { currency, names },
        extract: rules.map(std::sync::Arc::new),
    };
    let (url, html, extra) = page(args).await?;
    // The crawl's own path: what is printed is what `crawl` would record.
    let reading = match crawler::read_page(&url, &html, &page_rules, extra) {
        Ok(reading) => reading,
        Err(e) if args.explain => {
            // Why: what each reader found on the page, most trusted first.
            let found = crawler::extract::extract_all(&url, &html);
            if found.is_empty() {
                eprintln!("no reader found anything on the page (no structured data, no <h1>, no price-marked element)");
            }
            for f in &found {
                let p = &f.product;
                eprintln!(
                    "{} (rank {}): title {:?}, sku {:?}, {} variant(s){}",
                    f.from,
                    f.rank,
                    p.title.as_deref().unwrap_or("-"),
                    p.sku.as_deref().unwrap_or("-"),
                    p.variants.len(),
                    p.variants
                        .first()
                        .map(|v| format!(
                            ", first: price {:?}, stock {:?}",
                            v.price.as_deref().unwrap_or("-"),
                            v.availability.as_deref().unwrap_or("-")
                        ))
                        .unwrap_or_default()
                );
            }
            return Err(anyhow::Error::new(e)
                .context(format!("{url}: the page's product could not be read")));
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
            "{url}: the page's product could not be read (--explain shows what each reader found)"
        )))
        }
    };
    for warning in &reading.warnings {
        eprintln!("warning: {warning}");
    }
    let product = &reading.product;
    if args.json {
        let mut out = serde_json::to_value(product)?;
        if args.explain {
            out = json!({
                "product": product,
                "provenance": reading.raw.provenance,
                "currency_from": reading.currency_from,
                "warnings": reading.warnings,
            });
        }
        println!("{out}");
    } else {
        print_table(product, &reading.raw, args.explain);
    }
    Ok(())
}

/// The page: fetched when the argument is an http(s) URL (with what the crawl fetches besides
/// it), else read from a file (gzip or not).
async fn page(args: &ExtractArgs) -> anyhow::Result<(Url, String, Vec<crawler::extract::Found>)> {
    if let Ok(url) = Url::parse(&args.page) {
        if matches!(url.scheme(), "http" | "https") {
            let fetcher = crawler::Fetcher::new(crawler::FetcherConfig::default())?;
            if args.allow_private_networks {
                // The page's own origin, not every private address a redirect could name.
                fetcher.allow_private_origin(&url);
            }
            let page = fetcher.fetch(&url).await?;
            let extra = crawler::fetch_extras(&fetcher, &page).await;
            return Ok((page.url, page.body, extra));
        }
    }
    let path = Path::new(&args.page);
    let mut bytes = std::fs::read(path)
        .map_err(|e| Usage::new(format!("cannot read {}: {e}", path.display())))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| {
                Usage::new(format!("{}: not a readable gzip file: {e}", path.display()))
            })?;
        bytes = out;
    }
    let base = match &args.base_url {
        Some(base) => {
            Url::parse(base).map_err(|e| Usage::new(format!("--base-url `{base}`: {e}")))?
        }
        None => Url::from_file_path(std::fs::canonicalize(path)?)
            .map_err(|()| Usage::new(format!("{}: give --base-url", path.display())))?,
    };
    Ok((base, crawler::fetch::decode(bytes, None), Vec::new()))
}

fn print_table(product: &Product, raw: &RawProduct, explain: bool) {
    println!("{}", product.title);
    for (label, value) in [
        ("brand", product.brand.as_deref()),
        ("sku", product.sku.as_deref()),
        ("currency", product.currency.as_ref().map(|c| c.as_str())),
    ] {
        if let Some(value) = value {
            println!("  {label}: {value}");
        }
    }
    let rows: Vec<Vec<String>> = product
        .variants
        .iter()
        .map(|v| {
            vec![
                v.spec
                    .iter()
                    .map(|(k, val)| format!("{k}={val}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                v.sku.clone().unwrap_or_default(),
                v.price.map(|p| p.to_string()).unwrap_or_default(),
                match v.stock.quantity {
                    Some(q) => format!("{} ({q})", v.stock.status.as_str()),
                    None => v.stock.status.as_str().to_owned(),
                },
            ]
        })
        .collect();
    print!(
        "{}",
        crate::output::table(&["spec", "sku", "price", "stock"], &rows)
    );
    if explain {
        println!("\nwhere each value came from:");
        for p in &raw.provenance {
            println!("  {:<24} {}", p.field, p.from);
        }
    }
}

//! `specsync demo`: the whole loop on loopback, against the bundled supplier simulator.
//!
//! It starts the simulator, initializes DIR, adds the source, imports the merchant's listings
//! as published from the catalogue at epoch 0, crawls (the baseline), moves the simulator to
//! epoch 1, crawls again (and once more, seven hours later on a simulated clock, which confirms
//! removed products gone: a 404 counts only once `[crawler] gone_after` has passed), writes the
//! alert email to DIR/outbox/, and checks what specsync recorded against what the simulator
//! says it changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context as _;
use fixtures::{SimConfig, SupplierSim};
use store::{ChangeFilter, SourceSettings};

use engine::config::FILE_NAME;
use engine::App;

use super::init::init;
use crate::cli::DemoArgs;
use crate::error::Usage;
use crate::output::{change_row, describe_crawl, table};

const MARKER: &str = ".specsync-demo";
const SOURCE: &str = "demo-supplier";

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    prepare_dir(&args.dir)?;
    let sim = SupplierSim::start(SimConfig {
        seed: args.seed,
        products: args.products,
    })
    .await
    .context("failed to start the supplier simulator on 127.0.0.1")?;
    println!(
        "supplier simulator: {} ({} products, seed {})",
        sim.base_url(),
        args.products,
        args.seed
    );

    let config = init(&args.dir.join(FILE_NAME), false).await?;
    let mut app = super::open(config).await?;
    // The demo's time is simulated, as its supplier is: the crawl that confirms a removed product
    // gone happens "seven hours later" without waiting for them.
    let clock = std::sync::Arc::new(engine::ManualClock::new(store::now_ms()));
    app.clock = clock.clone();
    let settings = SourceSettings {
        rate: "50/s".into(),
        burst: 5,
        concurrency: 4,
        currency: Some("CNY".into()),
        // The simulator is on loopback; a real supplier never is.
        allow_private_networks: true,
        ..SourceSettings::default()
    };
    app.add_source(SOURCE, &sim.base_url(), settings).await?;

    let listings_file = args.dir.join("listings.json");
    std::fs::write(
        &listings_file,
        serde_json::to_vec_pretty(&sim.listings_json())?,
    )
    .with_context(|| format!("failed to write {}", listings_file.display()))?;
    let imported = app.import_listings(&listings_file).await?;
    println!(
        "imported {} listings ({} variants) as published at epoch 0, {} linked",
        imported.listings, imported.variants, imported.linked
    );

    crawl_step(&app, "crawl 1, epoch 0 (baseline)").await?;
    let truth = sim.set_epoch(1);
    println!(
        "simulator moved to epoch 1: it applied {} changes",
        truth.len()
    );
    crawl_step(&app, "crawl 2, epoch 1").await?;
    clock.advance(std::time::Duration::from_secs(7 * 3600));
    crawl_step(
        &app,
        "crawl 3, epoch 1, 7 h later on the demo's clock (confirms removed products)",
    )
    .await?;

    let recorded = app.store.changes(&ChangeFilter::default()).await?;
    let rows: Vec<Vec<String>> = recorded.iter().map(|c| change_row(&c.change)).collect();
    println!(
        "\nchanges found:\n{}",
        table(&["listing", "change", "variant", "before → after"], &rows)
    );
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &recorded {
        *by_kind.entry(c.change.kind.label()).or_default() += 1;
    }
    let rows: Vec<Vec<String>> = by_kind
        .iter()
        .map(|(k, n)| vec![(*k).to_owned(), n.to_string()])
        .collect();
    println!("{}", table(&["kind", "count"], &rows));
    let outbox: Vec<_> = std::fs::read_dir(&app.config.outbox)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    for path in &outbox {
        println!("alert email: {}", path.display());
    }

    let expected: BTreeSet<_> = truth.iter().map(|c| c.expected()).collect();
    let found: BTreeSet<_> = recorded
        .iter()
        .map(|c| {
            let path = url::Url::parse(&c.change.product_url)
                .map(|u| u.path().to_owned())
                .unwrap_or_default();
            (
                c.change.kind.as_str(),
                path,
                c.change.variant.as_ref().map(ToString::to_string),
            )
        })
        .collect();
    let missed: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    app.store.close().await;
    if missed.is_empty() && extra.is_empty() {
        println!(
            "\nall {} changes the simulator made were found; nothing missed, nothing extra.",
            expected.len()
        );
        println!(
            "look around: specsync --config {} changes list",
            args.dir.join(FILE_NAME).display()
        );
        Ok(())
    } else {
        anyhow::bail!(
            "specsync's changes differ from the simulator's: missed {missed:?}, extra {extra:?}"
        )
    }
}

async fn crawl_step(app: &App, label: &str) -> anyhow::Result<()> {
    let summaries = app.crawl_sources(&[SOURCE.to_owned()]).await?;
    for s in &summaries {
        println!("{label}: {}", describe_crawl(s));
    }
    let report = app.deliver(engine::Due::Now).await?;
    super::crawl::undelivered(&report)?;
    Ok(())
}

/// The demo starts from scratch on every run: a folder it made before is emptied of what it
/// wrote; any other non-empty folder is refused rather than touched.
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    let marker = dir.join(MARKER);
    if dir.exists() && !marker.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("failed to read {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(Usage::new(format!(
                "{} exists and is not a specsync demo folder; choose another one with --dir",
                dir.display()
            ))
            .into());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    for name in [
        FILE_NAME,
        "specsync.db",
        "specsync.db-wal",
        "specsync.db-shm",
        "listings.json",
    ] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("failed to remove {}", path.display()))?;
        }
    }
    let outbox = dir.join("outbox");
    if outbox.exists() {
        std::fs::remove_dir_all(&outbox)
            .with_context(|| format!("failed to remove {}", outbox.display()))?;
    }
    std::fs::write(
        &marker,
        "written by `specsync demo`; the demo empties this folder on every run\n",
    )
    .with_context(|| format!("failed to write {}", marker.display()))?;
    Ok(())
}

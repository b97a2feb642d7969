//! The commands: each parses its input, calls the stages, and prints for people or, with
//! `--json`, for scripts.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use catalog::ListingId;
use serde::Serialize;
use serde_json::json;
use store::{ChangeFilter, ChangeStatus, SourceSettings, StoreError};

use crate::cli::{ChangesCommand, Cli, Command, ListingsCommand, SourceAddArgs, SourceCommand};
use crate::config::{Config, EXAMPLE, FILE_NAME};
use crate::error::Usage;
use crate::output::table;
use crate::sync::{self, App, CrawlSummary};
use crate::{demo, listings};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let app = match cli.command {
        Command::Init { dir } => {
            let path = dir.map_or(cli.config, |d| d.join(FILE_NAME));
            init(&path, true).await?;
            return Ok(());
        }
        Command::Demo(args) => return demo::run(args).await,
        // Extracting and parsing need no database; the merchant's aliases apply when a config is
        // there.
        Command::Extract(ref args) => {
            let names = match cli.config.exists() {
                true => Config::load(&cli.config, std::env::vars())?.option_names,
                false => catalog::OptionNames::default(),
            };
            return crate::extract_cmd::run(args, names).await;
        }
        Command::Parse(ref command) => {
            let names = match cli.config.exists() {
                true => Config::load(&cli.config, std::env::vars())?.option_names,
                false => catalog::OptionNames::default(),
            };
            return crate::parse::run(command, &names);
        }
        ref _other => App::open(Config::load(&cli.config, std::env::vars())?).await?,
    };
    match cli.command {
        Command::Init { .. } | Command::Demo(_) | Command::Parse(_) | Command::Extract(_) => Ok(()),
        Command::Source(SourceCommand::Add(args)) => source_add(&app, *args).await,
        Command::Source(SourceCommand::List { json }) => source_list(&app, json).await,
        Command::Source(SourceCommand::Remove { name }) => {
            app.store.remove_source(&name).await.map_err(input_error)?;
            println!("removed source {name}");
            Ok(())
        }
        Command::Listings(ListingsCommand::Import { file, json }) => {
            let imported = import_listings(&app, &file).await?;
            if json {
                println!("{}", serde_json::to_string(&imported)?);
            } else {
                println!(
                    "imported {} listings ({} variants) from {}; {} linked to supplier pages",
                    imported.listings,
                    imported.variants,
                    file.display(),
                    imported.linked
                );
            }
            Ok(())
        }
        Command::Listings(ListingsCommand::List { json }) => listings_list(&app, json).await,
        Command::Export { source } => export(&app, source.as_deref()).await,
        Command::Link {
            listing,
            url,
            confirm,
        } => {
            let id = ListingId::parse(&listing).map_err(|e| Usage::new(e.to_string()))?;
            if confirm {
                let links = app
                    .store
                    .confirm_variant_links(&id)
                    .await
                    .map_err(input_error)?;
                if links.is_empty() {
                    println!("no proposed variant links for {id}; see `specsync changes list --listing {id}`");
                }
                for (from, to) in &links {
                    println!("linked {id} [{from}] to the supplier's [{to}]");
                }
                return Ok(());
            }
            let url =
                url.ok_or_else(|| Usage::new("give the supplier page's URL, or --confirm"))?;
            let url = listings::parse_product_url(&url).map_err(Usage::new)?;
            let url = sync::canonical_for_source(&app, &url).await?;
            app.store
                .link(&id, url.as_str())
                .await
                .map_err(input_error)?;
            println!("linked {id} to {url}");
            Ok(())
        }
        Command::Crawl { sources, json } => crawl(&app, &sources, json).await,
        Command::Resync(args) => crate::resync::run(&app, args).await,
        Command::Diff { listings, json } => diff_now(&app, &listings, json).await,
        Command::Changes(ChangesCommand::List {
            status,
            listing,
            json,
        }) => changes_list(&app, &status, listing, json).await,
    }
}

/// Input the merchant named that does not exist is a usage error (exit 2), not a failure.
fn input_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NoListing(_) | StoreError::NoSource(_) | StoreError::SourceExists(_) => {
            Usage::new(e.to_string()).into()
        }
        other => other.into(),
    }
}

/// Writes the example config at `path` unless one is there, and creates the database.
pub async fn init(path: &Path, announce: bool) -> anyhow::Result<Config> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let existed = path.exists();
    if !existed {
        std::fs::write(path, EXAMPLE)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    let config = Config::load(path, std::env::vars())?;
    let app = App::open(config.clone()).await?;
    app.store.close().await;
    if announce {
        let verb = if existed {
            "kept the existing"
        } else {
            "wrote"
        };
        println!(
            "{verb} {}; database ready at {}",
            path.display(),
            config.database_url
        );
        println!(
            "next: specsync source add NAME --url URL, then specsync listings import FILE.json"
        );
    }
    Ok(config)
}

async fn source_add(app: &App, args: SourceAddArgs) -> anyhow::Result<()> {
    let settings = SourceSettings {
        rate: args.rate,
        burst: args.burst,
        concurrency: args.concurrency,
        currency: args.currency,
        allow_private_networks: args.allow_private_networks,
        robots: args.robots,
        category: args.category,
        product_path: args.product_path,
        tracking_params: args.tracking_params,
        category_path: args.category_path,
        headers: pairs("--header", &args.headers, ':')?,
        cookies: pairs("--cookie", &args.cookies, '=')?,
        proxy: args.proxy,
        rules: args
            .rules
            .as_deref()
            .map(|path| {
                std::fs::canonicalize(path)
                    .map(|p| p.display().to_string())
                    .map_err(|e| Usage::new(format!("--rules {}: {e}", path.display())))
            })
            .transpose()?,
    };
    add_source(app, &args.name, &args.url, settings).await?;
    println!("added source {} ({})", args.name, args.url);
    Ok(())
}

/// `Name: value` (or `name=value`) arguments as a map; a malformed one is a usage error naming it.
fn pairs(
    flag: &str,
    args: &[String],
    separator: char,
) -> Result<std::collections::BTreeMap<String, String>, Usage> {
    args.iter()
        .map(|arg| {
            let (k, v) = arg
                .split_once(separator)
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| {
                    Usage::new(format!("{flag} `{arg}`: expected NAME{separator}VALUE"))
                })?;
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

pub async fn add_source(
    app: &App,
    name: &str,
    url: &str,
    settings: SourceSettings,
) -> anyhow::Result<store::Source> {
    let source = sync::checked_source(name, url, settings)?;
    app.store.add_source(&source).await.map_err(input_error)
}

/// Streams the current snapshots to stdout, one JSON line each.
async fn export(app: &App, source: Option<&str>) -> anyhow::Result<()> {
    use futures::TryStreamExt;
    use std::io::Write;
    let source_id = match source {
        Some(name) => Some(
            app.store
                .source(name)
                .await?
                .ok_or_else(|| {
                    Usage::new(format!(
                        "no source named `{name}`; see `specsync source list`"
                    ))
                })?
                .id,
        ),
        None => None,
    };
    // Locked at each flush of the buffer, not across the awaits (the command is a task).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut products = std::pin::pin!(app.store.current_snapshots(source_id));
    while let Some(json) = products.try_next().await? {
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

async fn source_list(app: &App, json: bool) -> anyhow::Result<()> {
    let sources = app.store.sources().await?;
    if json {
        println!("{}", serde_json::to_string(&sources)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = sources
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.base_url.clone(),
                s.settings.rate.clone(),
                s.settings.concurrency.to_string(),
                s.crawls.to_string(),
                s.consecutive_failures.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["name", "url", "rate", "concurrency", "crawls", "failing"],
            &rows
        )
    );
    Ok(())
}

#[derive(Serialize)]
pub struct ImportSummary {
    pub listings: usize,
    pub variants: usize,
    pub linked: usize,
}

pub async fn import_listings(app: &App, file: &Path) -> anyhow::Result<ImportSummary> {
    // Everything is validated before anything is stored: a bad file changes nothing.
    let imported = listings::read_file(file, &app.config.option_names)?;
    let mut summary = ImportSummary {
        listings: 0,
        variants: 0,
        linked: 0,
    };
    for item in &imported {
        app.store.upsert_listing(&item.listing).await?;
        summary.listings += 1;
        summary.variants += item.listing.variants.len();
        if let Some(url) = &item.supplier_url {
            let url = sync::canonical_for_source(app, url).await?;
            app.store.link(&item.listing.id, url.as_str()).await?;
            summary.linked += 1;
        }
    }
    Ok(summary)
}

async fn listings_list(app: &App, json: bool) -> anyhow::Result<()> {
    let all = app.store.listings().await?;
    let links = app.store.links().await?;
    if json {
        let items: Vec<_> = all
            .iter()
            .map(|l| json!({"id": l.id, "title": l.title, "currency": l.currency, "variants": l.variants.len(), "supplier_url": links.get(&l.id)}))
            .collect();
        println!("{}", serde_json::to_string(&items)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|l| {
            vec![
                l.id.to_string(),
                l.title.clone(),
                l.variants.len().to_string(),
                links
                    .get(&l.id)
                    .cloned()
                    .unwrap_or_else(|| "(not linked)".into()),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["listing", "title", "variants", "supplier page"], &rows)
    );
    Ok(())
}

/// Crawls the named sources (all when none is named), then delivers the alerts.
pub async fn crawl_sources(
    app: &App,
    names: &[String],
) -> anyhow::Result<(Vec<CrawlSummary>, Vec<PathBuf>)> {
    let sources = if names.is_empty() {
        app.store.sources().await?
    } else {
        let mut found = Vec::new();
        for name in names {
            let source = app
                .store
                .source(name)
                .await?
                .ok_or_else(|| input_error(StoreError::NoSource(name.clone())))?;
            found.push(source);
        }
        found
    };
    if sources.is_empty() {
        return Err(Usage::new(
            "no sources to crawl: add one with `specsync source add NAME --url URL`",
        )
        .into());
    }
    // Sources are crawled at once: each waits on its own supplier's rate limit, and the
    // fetcher's caps (per host, global) hold over all of them.
    let crawls = sources.iter().map(|source| sync::crawl_source(app, source));
    let summaries = futures::future::join_all(crawls)
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
    let alerts = crate::deliver::deliver_alerts(app).await?;
    Ok((summaries, alerts))
}

async fn crawl(app: &App, names: &[String], json: bool) -> anyhow::Result<()> {
    let (summaries, alerts) = crawl_sources(app, names).await?;
    if json {
        let total = |f: fn(&CrawlSummary) -> usize| summaries.iter().map(f).sum::<usize>();
        let mut failed = std::collections::BTreeMap::new();
        for s in &summaries {
            for (class, n) in &s.failed {
                *failed.entry(*class).or_insert(0) += n;
            }
        }
        let out = json!({
            "pages": total(|s| s.pages),
            "products": total(|s| s.products),
            "unchanged": total(|s| s.unchanged),
            "failed": failed,
            "changes": total(|s| s.changes),
            "new_styles": total(|s| s.new_styles),
            "alerts": alerts,
            "sources": summaries,
        });
        println!("{out}");
        return Ok(());
    }
    for s in &summaries {
        println!("{}", describe_crawl(s));
    }
    for path in &alerts {
        println!("alert written: {}", path.display());
    }
    Ok(())
}

pub fn describe_crawl(s: &CrawlSummary) -> String {
    if let Some(why) = &s.skipped {
        return format!("{}: skipped: {why}", s.source);
    }
    let failed = if s.failed.is_empty() {
        "none failed".to_owned()
    } else {
        let parts: Vec<String> = s.failed.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!("failed: {}", parts.join(", "))
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "{}: {}, {} ({} unchanged, {} not modified), {failed}; {}, {}",
        s.source,
        plural(s.pages, "page", "pages"),
        plural(s.products, "product", "products"),
        s.unchanged,
        s.not_modified,
        plural(s.changes, "change", "changes"),
        plural(s.new_styles, "new style", "new styles"),
    );
    if let Some(why) = &s.paused {
        line.push_str(&format!("\n  {why}"));
    }
    if let Some(path) = &s.health_alert {
        line.push_str(&format!("\n  health alert written: {}", path.display()));
    }
    if let Some(e) = &s.discovery_error {
        line.push_str(&format!(
            "\n  discovery failed, known products crawled anyway: {e}"
        ));
    }
    line
}

async fn diff_now(app: &App, names: &[String], json: bool) -> anyhow::Result<()> {
    let links = app.store.links().await?;
    let ids: Vec<ListingId> = if names.is_empty() {
        links.keys().cloned().collect()
    } else {
        names
            .iter()
            .map(|n| ListingId::parse(n).map_err(|e| Usage::new(e.to_string())))
            .collect::<Result<_, _>>()?
    };
    let mut report = Vec::new();
    for id in ids {
        let listing = app
            .store
            .listing(&id)
            .await?
            .ok_or_else(|| input_error(StoreError::NoListing(id.clone())))?;
        let Some(url) = links.get(&id) else {
            report.push(ListingDiff {
                listing: id,
                supplier_url: None,
                crawled: false,
                changes: Vec::new(),
            });
            continue;
        };
        let snapshot = app.store.latest_snapshot(url).await?;
        let changes = match &snapshot {
            Some(product) => {
                let source = match url::Url::parse(url) {
                    Ok(u) => sync::source_for(app, &u).await.ok().map(|s| s.name),
                    Err(_) => None,
                };
                let rules = app.config.rules.for_listing(source.as_deref(), id.as_str());
                let found = diff::compare(&listing, product, rules);
                diff::decide(&listing, product, found, rules)
            }
            None => Vec::new(),
        };
        report.push(ListingDiff {
            listing: id,
            supplier_url: Some(url.clone()),
            crawled: snapshot.is_some(),
            changes,
        });
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let mut rows = Vec::new();
    for entry in &report {
        let id = entry.listing.to_string();
        if entry.supplier_url.is_none() {
            rows.push(vec![id, "(not linked)".into()]);
        } else if !entry.crawled {
            rows.push(vec![id, "(not crawled yet)".into()]);
        }
        rows.extend(entry.changes.iter().map(proposal_row));
    }
    if rows.is_empty() {
        println!("no differences");
    } else {
        print!("{}", table(&PROPOSAL_HEADERS, &rows));
    }
    Ok(())
}

/// What `specsync diff` reports for one listing.
#[derive(Serialize)]
struct ListingDiff {
    listing: ListingId,
    supplier_url: Option<String>,
    crawled: bool,
    changes: Vec<diff::Proposal>,
}

/// The columns of a table of proposals (`diff`, `resync --dry-run`).
pub const PROPOSAL_HEADERS: [&str; 6] = [
    "listing",
    "change",
    "variant",
    "before → after",
    "action",
    "why",
];

/// A change with what the rules decided, as a table row under [`PROPOSAL_HEADERS`].
pub fn proposal_row(p: &diff::Proposal) -> Vec<String> {
    let mut row = change_row(&p.change);
    row.push(p.action.as_str().to_owned());
    row.push(p.why.clone());
    row
}

pub fn change_row(c: &diff::Change) -> Vec<String> {
    vec![
        c.listing
            .as_ref()
            .map_or_else(|| "(new style)".to_owned(), ToString::to_string),
        c.kind.label().to_owned(),
        c.variant
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        format!(
            "{} → {}",
            short(c.before.as_deref()),
            short(c.after.as_deref())
        ),
    ]
}

/// A value shortened for a table cell: one line, at most 40 characters.
fn short(value: Option<&str>) -> String {
    let Some(v) = value else {
        return "-".to_owned();
    };
    let line = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 40 {
        line
    } else {
        format!("{}…", line.chars().take(39).collect::<String>())
    }
}

async fn changes_list(
    app: &App,
    status: &str,
    listing: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let status = match status {
        "open" => Some(ChangeStatus::Open),
        "applied" => Some(ChangeStatus::Applied),
        "rejected" => Some(ChangeStatus::Rejected),
        "resolved" => Some(ChangeStatus::Resolved),
        "all" => None,
        other => {
            return Err(Usage::new(format!(
                "--status `{other}`: expected open, applied, rejected, resolved or all"
            ))
            .into())
        }
    };
    let listing = listing
        .map(|l| ListingId::parse(&l).map_err(|e| Usage::new(e.to_string())))
        .transpose()?;
    let changes = app
        .store
        .changes(&ChangeFilter {
            status,
            listing,
            run_id: None,
        })
        .await?;
    if json {
        println!("{}", serde_json::to_string(&changes)?);
        return Ok(());
    }
    if changes.is_empty() {
        println!("no changes");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let mut row = vec![c.id.to_string(), c.severity.as_str().to_owned()];
            row.extend(proposal_row(&crate::deliver::proposal_of(c)));
            row
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "id",
                "severity",
                "listing",
                "change",
                "variant",
                "before → after",
                "action",
                "why"
            ],
            &rows
        )
    );
    Ok(())
}

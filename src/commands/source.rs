//! `specsync source add|list|remove`: the suppliers.

use std::collections::BTreeMap;

use engine::App;
use store::SourceSettings;

use crate::cli::SourceAddArgs;
use crate::error::Usage;
use crate::output::table;

pub async fn add(app: &App, args: SourceAddArgs) -> anyhow::Result<()> {
    // What is not given keeps the one set of defaults (`SourceSettings::default`).
    let d = SourceSettings::default();
    let settings = SourceSettings {
        rate: args.rate.unwrap_or(d.rate),
        burst: args.burst.unwrap_or(d.burst),
        concurrency: args.concurrency.unwrap_or(d.concurrency),
        currency: args.currency,
        allow_private_networks: args.allow_private_networks,
        robots: args.robots.into(),
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
        schedule: args.schedule,
    };
    app.add_source(&args.name, &args.url, settings).await?;
    println!("added source {} ({})", args.name, args.url);
    Ok(())
}

/// `Name: value` (or `name=value`) arguments as a map; a malformed one is a usage error naming it.
fn pairs(flag: &str, args: &[String], separator: char) -> Result<BTreeMap<String, String>, Usage> {
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

pub async fn list(app: &App, json: bool) -> anyhow::Result<()> {
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
                s.settings
                    .schedule
                    .clone()
                    .unwrap_or_else(|| "when asked".into()),
                s.crawls.to_string(),
                s.consecutive_failures.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "name",
                "url",
                "rate",
                "concurrency",
                "schedule",
                "crawls",
                "failing"
            ],
            &rows
        )
    );
    Ok(())
}

pub async fn remove(app: &App, name: &str) -> anyhow::Result<()> {
    app.store.remove_source(name).await?;
    println!("removed source {name}");
    Ok(())
}

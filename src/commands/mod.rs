//! The commands: each parses its input, calls the engine, and prints for people or, with
//! `--json`, for scripts. One module per command; this one dispatches.

mod changes;
mod crawl;
mod deliver;
mod demo;
mod diff;
mod extract;
mod init;
mod listings;
mod parse;
mod resync;
mod source;

use std::path::Path;
use std::sync::Arc;

use engine::{App, Config};

use crate::cli::{ChangesCommand, Cli, Command, ListingsCommand, SourceCommand};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let app = match cli.command {
        Command::Init { dir } => {
            let path = dir.map_or(cli.config, |d| d.join(engine::config::FILE_NAME));
            init::init(&path, true).await?;
            return Ok(());
        }
        Command::Demo(args) => return demo::run(args).await,
        // Extracting and parsing need no database; the merchant's aliases apply when a config is
        // there.
        Command::Extract(ref args) => return extract::run(args, option_names(&cli.config)?).await,
        Command::Parse(ref command) => return parse::run(command, &option_names(&cli.config)?),
        ref _other => open(Config::load(&cli.config, std::env::vars())?).await?,
    };
    let result = match cli.command {
        Command::Init { .. } | Command::Demo(_) | Command::Parse(_) | Command::Extract(_) => Ok(()),
        Command::Source(SourceCommand::Add(args)) => source::add(&app, *args).await,
        Command::Source(SourceCommand::List { json }) => source::list(&app, json).await,
        Command::Source(SourceCommand::Remove { name }) => source::remove(&app, &name).await,
        Command::Listings(ListingsCommand::Import { file, json }) => {
            listings::import(&app, &file, json).await
        }
        Command::Listings(ListingsCommand::List { json }) => listings::list(&app, json).await,
        Command::Export { source } => listings::export(&app, source.as_deref()).await,
        Command::Backup { file } => backup(&app, &file).await,
        // clap keeps --remove apart from a URL and --confirm.
        Command::Link {
            listing,
            remove: true,
            ..
        } => listings::unlink(&app, &listing).await,
        Command::Link {
            listing,
            url,
            confirm,
            ..
        } => listings::link(&app, &listing, url, confirm).await,
        Command::Listings(ListingsCommand::Remove { ids }) => listings::remove(&app, &ids).await,
        Command::Crawl { sources, json } => {
            stop_on_signals(&app.stop)?;
            crawl::run(&app, &sources, json).await
        }
        Command::Deliver { retry_now, json } => deliver::run(&app, retry_now, json).await,
        Command::Resync(args) => {
            if !args.dry_run {
                stop_on_signals(&app.stop)?;
            }
            resync::run(&app, args).await
        }
        Command::Diff { listings, json } => diff::run(&app, &listings, json).await,
        Command::Changes(ChangesCommand::List {
            status,
            listing,
            json,
        }) => changes::list(&app, status, listing, json).await,
        Command::Changes(ChangesCommand::Approve { ids, all, listing }) => {
            changes::approve(&app, ids, all, listing).await
        }
        Command::Changes(ChangesCommand::Reject { ids, reason }) => {
            changes::reject(&app, ids, reason).await
        }
    };
    // The database file alone is the whole database once a command has ended.
    app.store.close().await;
    result
}

/// `specsync backup FILE`.
async fn backup(app: &App, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        return Err(crate::error::Usage::new(format!(
            "{} exists already: name a new file for the copy",
            file.display()
        ))
        .into());
    }
    app.store.backup(file).await?;
    println!("wrote a copy of the database to {}", file.display());
    Ok(())
}

/// SIGTERM, SIGINT (Ctrl-C) and SIGHUP ask a crawl to stop after the batch it is recording
/// and give its leases back; a second one stops at once (exit 128 + its number). Other
/// commands keep the default (their writes are transactions: a kill loses nothing).
fn stop_on_signals(stop: &engine::Stop) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    for (kind, number) in [
        (SignalKind::terminate(), 15),
        (SignalKind::interrupt(), 2),
        (SignalKind::hangup(), 1),
    ] {
        let mut signals = signal(kind)?;
        let stop = stop.clone();
        tokio::spawn(async move {
            while signals.recv().await.is_some() {
                let name = engine::signal_name(number);
                if stop.requested().is_some() {
                    eprintln!("{name}: stopping at once");
                    std::process::exit(128 + number);
                }
                eprintln!(
                    "{name}: stopping after the batch being recorded, and giving the sources \
                     back (again to stop at once)"
                );
                stop.request(number);
            }
        });
    }
    Ok(())
}

/// The app, with a progress bar for crawls when stderr is a terminal.
pub async fn open(config: Config) -> anyhow::Result<App> {
    let mut app = App::open(config).await?;
    app.progress = Arc::new(crate::progress::Bars);
    Ok(app)
}

/// Option names with the merchant's aliases when a configuration is there.
fn option_names(config: &Path) -> anyhow::Result<catalog::OptionNames> {
    Ok(match config.exists() {
        true => Config::load(config, std::env::vars())?.option_names,
        false => catalog::OptionNames::default(),
    })
}

/// A listing id as the merchant typed it.
fn listing_id(text: &str) -> anyhow::Result<catalog::ListingId> {
    catalog::ListingId::parse(text).map_err(|e| crate::error::Usage::new(e.to_string()).into())
}

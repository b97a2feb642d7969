//! The command line (clap). Every listing command takes `--json` for scripts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "specsync", version, about = "Keeps your listings true to what your suppliers sell", long_about = None)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        global = true,
        default_value = "specsync.toml",
        env = "SPECSYNC_CONFIG"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write specsync.toml and create the database.
    Init {
        /// Folder to initialize (default: the current one).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Suppliers: where to crawl and how politely.
    #[command(subcommand)]
    Source(SourceCommand),
    /// The merchant's published listings.
    #[command(subcommand)]
    Listings(ListingsCommand),
    /// Link a listing to a supplier product page (its variants are linked by spec, then SKU),
    /// or with --confirm accept the variant links specsync proposed for it.
    Link {
        /// The listing's id, as imported.
        listing: String,
        /// The supplier's product page.
        #[arg(required_unless_present_any = ["confirm", "remove"])]
        url: Option<String>,
        /// Confirm the proposed variant links (look-alike values such as 大红 ↔ 红色).
        #[arg(long, conflicts_with = "url")]
        confirm: bool,
        /// Unlink the listing from its supplier page; its open changes are resolved.
        #[arg(long, conflicts_with_all = ["url", "confirm"])]
        remove: bool,
    },
    /// Crawl sources now and record what changed (all sources, or those named).
    Crawl {
        /// Source names (default: every source).
        sources: Vec<String>,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send the alerts that are due now (`crawl` does this at its end).
    Deliver {
        /// Also send those waiting for their next retry (after fixing the mail settings).
        #[arg(long)]
        retry_now: bool,
        /// Print JSON for scripts: what was sent, what failed, what is still pending.
        #[arg(long)]
        json: bool,
    },
    /// Show what differs now between listings and their suppliers' latest pages (records nothing).
    Diff {
        /// Listing ids (default: every linked listing).
        listings: Vec<String>,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Crawl a listing's supplier page, a page, or a source now, ahead of the schedule.
    Resync(ResyncArgs),
    /// The change queue.
    #[command(subcommand)]
    Changes(ChangesCommand),
    /// Print the suppliers' products as last crawled: one JSON object per line (the normalized
    /// product: options, variants with spec, price, stock).
    Export {
        /// Only this source's products (default: every source's).
        #[arg(long)]
        source: Option<String>,
    },
    /// Write a copy of the whole database to a new file, safely while other commands run
    /// (SQLite; back PostgreSQL up with pg_dump).
    Backup {
        /// The copy to write (must not exist yet).
        file: std::path::PathBuf,
    },
    /// Read one supplier page (a URL, or a saved file) and print the product specsync finds on it.
    Extract(ExtractArgs),
    /// Normalize strings read line by line from stdin; one JSON line out per line in.
    #[command(subcommand)]
    Parse(ParseCommand),
    /// The whole loop against the bundled supplier simulator, on loopback.
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct ExtractArgs {
    /// An http(s) URL to fetch, or a saved page (HTML, or gzipped HTML).
    pub page: String,
    /// The page's address, for a saved page (links and images are resolved against it).
    #[arg(long)]
    pub base_url: Option<String>,
    /// A rules file (TOML: CSS selectors, regexes, JSON paths) for pages without structured data.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// The currency of prices the page shows without one (ISO code).
    #[arg(long)]
    pub currency: Option<String>,
    /// Print the normalized product as JSON (as `crawl` stores it: title, currency, options,
    /// variants with spec, sku, price and stock).
    #[arg(long)]
    pub json: bool,
    /// Show where each value came from, and what disagreed.
    #[arg(long)]
    pub explain: bool,
    /// Allow fetching a page on a private or loopback address.
    #[arg(long)]
    pub allow_private_networks: bool,
}

#[derive(Subcommand)]
pub enum ParseCommand {
    /// Prices (`1.299,00 €`, `¥12起`), optionally `text<TAB>currency seen near it`
    /// → {"amount": "1299.00", "currency": "EUR"}.
    Price {
        /// The currency of prices that show none, and the reading of `$`, `¥`, `kr`.
        #[arg(long)]
        currency: Option<String>,
    },
    /// Stock texts (`仅剩3件`, `Only 3 left`, `Ausverkauft`, `nicht mehr vorrätig`)
    /// → {"status": …, "quantity": n|null}.
    Stock {
        /// Also print the cues found, the word that changed each (a negation, a time, a
        /// condition) and why they give the status.
        #[arg(long)]
        explain: bool,
    },
    /// `name<TAB>value` lines → {"name": "color", "value": "红色", "key": "color=红色"}.
    Spec,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["listing", "source", "url"])))]
pub struct ResyncArgs {
    /// The listing whose supplier page to crawl.
    #[arg(long)]
    pub listing: Option<String>,
    /// Every page of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// This supplier page.
    #[arg(long)]
    pub url: Option<String>,
    /// Fetch and compare, record nothing, print what would happen and why.
    #[arg(long, conflicts_with = "apply")]
    pub dry_run: bool,
    /// Push the updates to the store platform (needs a platform adapter; none exists yet).
    #[arg(long)]
    pub apply: bool,
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum SourceCommand {
    /// Add a supplier site.
    Add(Box<SourceAddArgs>),
    /// List supplier sites.
    List {
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a supplier site with its crawled products (listings and changes stay).
    Remove {
        /// The source's name.
        name: String,
    },
}

#[derive(Args)]
pub struct SourceAddArgs {
    /// A short name for the supplier, used by `crawl NAME`.
    pub name: String,
    /// The site's base URL; product pages are discovered from its sitemap.
    #[arg(long)]
    pub url: String,
    /// Most requests to the site, e.g. `5/s`, `30/m` [default: 2/s].
    #[arg(long, value_parser = rate)]
    pub rate: Option<String>,
    /// Requests that may go at once before the rate applies [default: 1].
    #[arg(long)]
    pub burst: Option<u32>,
    /// Pages fetched concurrently [default: 4].
    #[arg(long)]
    pub concurrency: Option<u32>,
    /// Currency of prices the pages show without one (ISO code, e.g. CNY).
    #[arg(long)]
    pub currency: Option<String>,
    /// Allow fetching from private, loopback and link-local addresses (for local test sites).
    #[arg(long)]
    pub allow_private_networks: bool,
    /// Whether robots.txt (Disallow, Crawl-delay) is obeyed.
    #[arg(long, value_enum, default_value_t = RobotsArg::Obey)]
    pub robots: RobotsArg,
    /// When the site is crawled without being asked, e.g. `every 6h`, `every 30m` (used by
    /// `specsync serve`); default: only when asked.
    #[arg(long, value_parser = schedule)]
    pub schedule: Option<String>,
    /// A category page to discover products from, besides the sitemap (follows `rel="next"`).
    #[arg(long, requires = "product_path")]
    pub category: Option<String>,
    /// Path prefix of product pages among the category's links, e.g. `/products/`.
    #[arg(long)]
    pub product_path: Option<String>,
    /// A query parameter this supplier uses only for tracking (repeatable; `utm_*`, `spm`, `scm`
    /// and the common click ids are always removed).
    #[arg(long = "tracking-param")]
    pub tracking_params: Vec<String>,
    /// Path prefix of more category pages to follow from `--category` (their pagination,
    /// sub-categories), e.g. `/collections/`.
    #[arg(long, requires = "category")]
    pub category_path: Option<String>,
    /// A header sent with every request to the site, `Name: value` (repeatable).
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// A cookie sent with every request to the site, `name=value` (repeatable).
    #[arg(long = "cookie")]
    pub cookies: Vec<String>,
    /// An HTTP proxy for the site's requests, `http://[user:pass@]host:port`; HTTPS pages go
    /// through it with `CONNECT`.
    #[arg(long)]
    pub proxy: Option<String>,
    /// A rules file (TOML: CSS selectors, regexes, JSON paths) for the site's pages, when they
    /// carry no structured data (see `specsync extract --rules`).
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum ListingsCommand {
    /// Import listings from a JSON file (see README for the format).
    Import {
        /// A JSON file: an array of listings (see README).
        file: PathBuf,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List imported listings and their links.
    List {
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove listings (their variants and links); their open changes are resolved and kept in
    /// the history.
    Remove {
        /// Listing ids, as imported.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum ChangesCommand {
    /// List recorded changes.
    List {
        /// Which changes.
        #[arg(long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        /// Only this listing's changes.
        #[arg(long)]
        listing: Option<String>,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Approve changes held for approval: their proposed updates may be applied.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "all"])))]
    Approve {
        /// Change ids (see `changes list`).
        ids: Vec<i64>,
        /// Every change held for approval.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// With --all: only this listing's.
        #[arg(long, requires = "all")]
        listing: Option<String>,
    },
    /// Reject changes: nothing is done about them, and the same change is not asked again.
    Reject {
        /// Change ids (see `changes list`).
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Why, kept with the change.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Args)]
pub struct DemoArgs {
    /// Folder for the demo's config, database and outbox.
    #[arg(long, default_value = "specsync-demo")]
    pub dir: PathBuf,
    /// Seed of the simulated supplier's catalogue.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Products in the simulated catalogue.
    #[arg(long, default_value_t = 20)]
    pub products: u32,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RobotsArg {
    /// Obey robots.txt.
    Obey,
    /// Ignore it: the supplier has allowed you.
    Ignore,
}

impl From<RobotsArg> for store::Robots {
    fn from(arg: RobotsArg) -> store::Robots {
        match arg {
            RobotsArg::Obey => store::Robots::Obey,
            RobotsArg::Ignore => store::Robots::Ignore,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    /// Found and not yet acted on.
    Open,
    /// Approved by you, to be applied.
    Approved,
    Applied,
    Rejected,
    /// Went away by itself.
    Resolved,
    All,
}

impl StatusArg {
    pub fn status(self) -> Option<store::ChangeStatus> {
        match self {
            StatusArg::Open => Some(store::ChangeStatus::Open),
            StatusArg::Approved => Some(store::ChangeStatus::Approved),
            StatusArg::Applied => Some(store::ChangeStatus::Applied),
            StatusArg::Rejected => Some(store::ChangeStatus::Rejected),
            StatusArg::Resolved => Some(store::ChangeStatus::Resolved),
            StatusArg::All => None,
        }
    }
}

/// A rate as written (`5/s`), checked as it is parsed; kept as written.
fn rate(text: &str) -> Result<String, String> {
    text.parse::<crawler::Rate>()
        .map(|_| text.trim().to_owned())
        .map_err(|e| e.to_string())
}

/// A schedule as written (`every 6h`), checked as it is parsed; kept as written.
fn schedule(text: &str) -> Result<String, String> {
    text.parse::<schedules::Schedule>()
        .map(|_| text.trim().to_owned())
        .map_err(|e| e.to_string())
}

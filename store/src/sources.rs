//! Suppliers (sources): where to crawl and how politely.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::deliveries::{queue_health_alert, HealthAlert, HealthCheck};
use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

/// Per-source settings, stored as JSON, as written (so `source list` shows them so). The engine
/// validates them into a plan before they are stored and when a crawl reads them. The defaults
/// are [`SourceSettings::default`], for the CLI and the config file alike.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSettings {
    pub rate: String,
    pub burst: u32,
    pub concurrency: u32,
    /// The currency of prices the pages show without one.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub allow_private_networks: bool,
    #[serde(default)]
    pub robots: Robots,
    /// A category page to discover products from (pages followed by `rel="next"`).
    #[serde(default)]
    pub category: Option<String>,
    /// The path prefix of product pages among a category page's links (`/products/`).
    #[serde(default)]
    pub product_path: Option<String>,
    /// More query parameters this supplier uses only for tracking (besides `utm_*`, `spm`, …).
    #[serde(default)]
    pub tracking_params: Vec<String>,
    /// Path prefix of category (listing) pages to follow from `category`, besides `rel="next"`.
    #[serde(default)]
    pub category_path: Option<String>,
    /// Headers sent with every request to the site.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Cookies sent with every request to the site.
    #[serde(default)]
    pub cookies: BTreeMap<String, String>,
    /// An HTTP(S) proxy for the site's requests.
    #[serde(default)]
    pub proxy: Option<String>,
    /// A rules file (absolute path) for pages without structured data.
    #[serde(default)]
    pub rules: Option<String>,
    /// When it is crawled without being asked (`every 6h`); none: only when asked.
    #[serde(default)]
    pub schedule: Option<String>,
}

/// Whether a source's robots.txt is obeyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Robots {
    #[default]
    Obey,
    /// The supplier has allowed the merchant to crawl regardless.
    Ignore,
}

impl Robots {
    pub fn as_str(self) -> &'static str {
        match self {
            Robots::Obey => "obey",
            Robots::Ignore => "ignore",
        }
    }
}

impl Default for SourceSettings {
    /// What `specsync source add` uses when nothing is given.
    fn default() -> Self {
        SourceSettings {
            rate: "2/s".to_owned(),
            burst: 1,
            concurrency: 4,
            currency: None,
            allow_private_networks: false,
            robots: Robots::Obey,
            category: None,
            product_path: None,
            tracking_params: Vec::new(),
            category_path: None,
            headers: BTreeMap::new(),
            cookies: BTreeMap::new(),
            proxy: None,
            rules: None,
            schedule: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewSource {
    pub name: String,
    pub base_url: String,
    pub settings: SourceSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub base_url: String,
    pub settings: SourceSettings,
    /// Completed crawls.
    pub crawls: i64,
    /// Crawls in a row that reached no page.
    pub consecutive_failures: i64,
}

fn source_from_row(row: &AnyRow) -> Result<Source, StoreError> {
    let name: String = row.try_get("name").op("read a source")?;
    let settings_json: String = row.try_get("settings").op("read a source")?;
    let settings = serde_json::from_str(&settings_json).map_err(|e| StoreError::Corrupt {
        what: format!("settings of source `{name}`"),
        detail: e.to_string(),
    })?;
    Ok(Source {
        id: row.try_get("id").op("read a source")?,
        base_url: row.try_get("base_url").op("read a source")?,
        crawls: row.try_get("crawls").op("read a source")?,
        consecutive_failures: row.try_get("consecutive_failures").op("read a source")?,
        name,
        settings,
    })
}

const SOURCE_COLUMNS: &str = "id, name, base_url, settings, crawls, consecutive_failures";

fn settings_json(source: &NewSource) -> Result<String, StoreError> {
    serde_json::to_string(&source.settings).map_err(|e| StoreError::Corrupt {
        what: format!("settings of source `{}`", source.name),
        detail: e.to_string(),
    })
}

impl Store {
    pub async fn add_source(&self, source: &NewSource) -> Result<Source, StoreError> {
        if self.source(&source.name).await?.is_some() {
            return Err(StoreError::SourceExists(source.name.clone()));
        }
        let settings = settings_json(source)?;
        let row = sqlx::query(&format!(
            "INSERT INTO sources (name, base_url, settings, created_at) VALUES ($1, $2, $3, $4) RETURNING {SOURCE_COLUMNS}"
        ))
        .bind(&source.name)
        .bind(&source.base_url)
        .bind(settings)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .op("add a source")?;
        source_from_row(&row)
    }

    /// Adds the source, or updates its URL and settings if one of that name exists (sources
    /// declared in the config file are put in the store this way at start-up).
    pub async fn upsert_source(&self, source: &NewSource) -> Result<Source, StoreError> {
        let Some(existing) = self.source(&source.name).await? else {
            return self.add_source(source).await;
        };
        if existing.base_url == source.base_url && existing.settings == source.settings {
            return Ok(existing);
        }
        let settings = settings_json(source)?;
        let op = "update a source";
        let mut tx = self.write(op).await?;
        let row = sqlx::query(&format!(
            "UPDATE sources SET base_url = $1, settings = $2 WHERE id = $3 RETURNING {SOURCE_COLUMNS}"
        ))
        .bind(&source.base_url)
        .bind(settings)
        .bind(existing.id)
        .fetch_one(&mut *tx)
        .await
        .op(op)?;
        // What discovery remembered was read under the old settings (it keeps only the links
        // under the product and category paths): the next crawl reads every page again.
        sqlx::query("DELETE FROM discovery_pages WHERE source_id = $1")
            .bind(existing.id)
            .execute(&mut *tx)
            .await
            .op(op)?;
        tx.commit().await.op(op)?;
        source_from_row(&row)
    }

    pub async fn source(&self, name: &str) -> Result<Option<Source>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SOURCE_COLUMNS} FROM sources WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .op("read a source")?;
        row.as_ref().map(source_from_row).transpose()
    }

    pub async fn sources(&self) -> Result<Vec<Source>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SOURCE_COLUMNS} FROM sources ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await
        .op("list sources")?;
        rows.iter().map(source_from_row).collect()
    }

    /// Removes a source with its supplier products and snapshots. Listings, links and recorded
    /// changes stay: they are the merchant's.
    pub async fn remove_source(&self, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM sources WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .op("remove a source")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSource(name.to_owned()));
        }
        Ok(())
    }

    /// Takes the lease on a source until `now + ttl_ms` if it is free, expired or already
    /// `holder`'s (times in ms since the epoch, by the caller's clock). Returns whether `holder`
    /// holds it now.
    pub async fn acquire_lease(
        &self,
        source_id: i64,
        holder: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO source_leases (source_id, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (source_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE source_leases.expires_at < $4 OR source_leases.holder = excluded.holder",
        )
        .bind(source_id)
        .bind(holder)
        .bind(now.saturating_add(ttl_ms))
        .bind(now)
        .execute(&self.pool)
        .await
        .op("take a source's lease")?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a lease back (if `holder` still holds it), noting when, for the next holder.
    pub async fn release_lease(
        &self,
        source_id: i64,
        holder: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE source_leases SET holder = '', expires_at = 0, released_at = $1 WHERE source_id = $2 AND holder = $3")
            .bind(now)
            .bind(source_id)
            .bind(holder)
            .execute(&self.pool)
            .await
            .op("give back a source's lease")?;
        Ok(())
    }

    /// Who holds the source's lease and until when (ms since the epoch), if anyone does: an
    /// expired lease is still shown, for the caller to compare with its clock.
    pub async fn lease_holder(&self, source_id: i64) -> Result<Option<(String, i64)>, StoreError> {
        let op = "read a source's lease";
        let row = sqlx::query(
            "SELECT holder, expires_at FROM source_leases WHERE source_id = $1 AND holder <> ''",
        )
        .bind(source_id)
        .fetch_optional(&self.pool)
        .await
        .op(op)?;
        row.map(|r| Ok((r.try_get("holder")?, r.try_get("expires_at")?)))
            .transpose()
            .op(op)
    }

    /// When the source's lease was last given back (ms since the epoch), if ever.
    pub async fn lease_released_at(&self, source_id: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT released_at FROM source_leases WHERE source_id = $1")
            .bind(source_id)
            .fetch_optional(&self.pool)
            .await
            .op("read a source's lease")?;
        Ok(row.and_then(|r| r.try_get::<Option<i64>, _>("released_at").ok().flatten()))
    }

    /// Starts a crawl run of a source; returns its id.
    /// When the source's last finished crawl started (ms since the epoch), if it had one.
    pub async fn last_run_started(&self, source_id: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(started_at) AS at FROM crawl_runs WHERE source_id = $1 AND finished_at IS NOT NULL",
        )
        .bind(source_id)
        .fetch_one(&self.pool)
        .await
        .op("read the last crawl")?;
        row.try_get::<Option<i64>, _>("at")
            .op("read the last crawl")
    }

    pub async fn start_run(&self, source_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO crawl_runs (source_id, started_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(source_id)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
        .op("start a crawl run")?;
        row.try_get("id").op("start a crawl run")
    }

    /// Ends a run stopped before its last page (by a signal): its summary is kept; it counts
    /// neither for nor against the source's health, and is no completed crawl.
    pub async fn finish_run_interrupted(
        &self,
        run_id: i64,
        summary: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE crawl_runs SET finished_at = $1, summary = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(summary)
            .bind(run_id)
            .execute(&self.pool)
            .await
            .op("finish an interrupted crawl run")?;
        Ok(())
    }

    /// Finishes a crawl run: its summary (JSON), the source's crawl count and health (a run
    /// that reached no page at all counts as a failure in a row). When this run is
    /// the `check.alert_after`th in a row to reach no page, the health alert is queued in the
    /// same transaction (once per incident: the crawls after it are past the threshold); when it
    /// ends such an incident, the recovery is queued likewise. Returns whether it queued the
    /// health alert.
    pub async fn finish_run(
        &self,
        source_id: i64,
        run_id: i64,
        summary: &str,
        reached_any: bool,
        check: &HealthCheck<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write("finish a crawl run").await?;
        sqlx::query("UPDATE crawl_runs SET finished_at = $1, summary = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(summary)
            .bind(run_id)
            .execute(&mut *tx)
            .await
            .op("finish a crawl run")?;
        // Before this run: whether the source was in an incident the merchant was told of.
        let before: i64 = sqlx::query("SELECT consecutive_failures FROM sources WHERE id = $1")
            .bind(source_id)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get("consecutive_failures"))
            .op("finish a crawl run")?;
        let health = match (reached_any, check.urgent) {
            (true, _) => "consecutive_failures = 0".to_owned(),
            (false, false) => "consecutive_failures = consecutive_failures + 1".to_owned(),
            // Straight to the threshold, or past it when the incident was already told.
            (false, true) => format!(
                "consecutive_failures = CASE WHEN consecutive_failures + 1 < {n} THEN {n} \
                 ELSE consecutive_failures + 1 END",
                n = check.alert_after
            ),
        };
        let row = sqlx::query(&format!(
            "UPDATE sources SET crawls = crawls + 1, {health} WHERE id = $1 RETURNING {SOURCE_COLUMNS}"
        ))
        .bind(source_id)
        .fetch_one(&mut *tx)
        .await
        .op("finish a crawl run")?;
        let source = source_from_row(&row)?;
        let alerted = !reached_any && source.consecutive_failures == check.alert_after;
        if alerted {
            let alert = HealthAlert {
                source: source.name.clone(),
                base_url: source.base_url.clone(),
                failures: source.consecutive_failures,
                last_error: check.last_error.to_owned(),
                recovered: false,
            };
            queue_health_alert(&mut tx, source_id, run_id, &alert).await?;
        }
        if reached_any && before >= check.alert_after {
            // The incident the merchant was alerted to is over: said once, too.
            let alert = HealthAlert {
                source: source.name.clone(),
                base_url: source.base_url.clone(),
                failures: before,
                last_error: String::new(),
                recovered: true,
            };
            queue_health_alert(&mut tx, source_id, run_id, &alert).await?;
        }
        tx.commit().await.op("finish a crawl run")?;
        Ok(alerted)
    }
}

//! Supplier products and their snapshot versions; recording a crawled page with its changes.

use catalog::{ListingId, Product};
use diff::Proposal;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::changes::{insert_change, resolve_obsolete};
use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProduct {
    pub id: i64,
    pub source_id: i64,
    pub url: String,
    /// `active` or `gone` (a 404/410 confirmed on K crawls).
    pub status: String,
    /// 404/410 answers in a row.
    pub gone_count: i64,
    /// The latest snapshot version; 0 before the first.
    pub version: i64,
    pub content_hash: Option<String>,
    /// What its page's last answer said, to ask again conditionally.
    pub validators: PageValidators,
}

/// A row of [`PRODUCT_COLUMNS`], read by position (20,000 rows are read at every crawl's start).
fn product_from_row(row: &AnyRow) -> Result<StoredProduct, StoreError> {
    let op = "read a supplier product";
    Ok(StoredProduct {
        id: row.try_get(0).op(op)?,
        source_id: row.try_get(1).op(op)?,
        url: row.try_get(2).op(op)?,
        status: row.try_get(3).op(op)?,
        gone_count: row.try_get(4).op(op)?,
        version: row.try_get(5).op(op)?,
        content_hash: row.try_get(6).op(op)?,
        validators: PageValidators {
            etag: row.try_get(7).op(op)?,
            last_modified: row.try_get(8).op(op)?,
            body_hash: row.try_get(9).op(op)?,
        },
    })
}

/// A row of [`PRODUCT_COLUMNS`] as a JSON array.
#[derive(serde::Deserialize)]
struct ProductRow(
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl From<ProductRow> for StoredProduct {
    /// By position, as [`product_from_row`] reads a row.
    fn from(row: ProductRow) -> StoredProduct {
        StoredProduct {
            id: row.0,
            source_id: row.1,
            url: row.2,
            status: row.3,
            gone_count: row.4,
            version: row.5,
            content_hash: row.6,
            validators: PageValidators {
                etag: row.7,
                last_modified: row.8,
                body_hash: row.9,
            },
        }
    }
}

/// A crawled page's product and what comparing it found, recorded in one transaction.
#[derive(Debug)]
pub struct PageRecord<'a> {
    pub source_id: i64,
    pub run_id: i64,
    /// Its `url` is the product's identity (the canonical URL that was requested).
    pub product: &'a Product,
    pub content_hash: &'a str,
    /// The product's JSON, when the caller has it already (from
    /// [`Product::json_and_hash`](catalog::Product::json_and_hash)); otherwise serialized here.
    pub product_json: Option<&'a str>,
    /// What comparing found, with what the rules decided.
    pub changes: &'a [Proposal],
    /// The listings that were compared with this product's current version: their open changes
    /// that this comparison no longer found are resolved.
    pub compared: &'a [ListingId],
    /// A change that comes back within this many crawls is not alerted again.
    pub flap_crawls: i64,
    /// The page's validators from this fetch; `None` keeps the stored ones (the page was not
    /// fetched again: 304 or the same body).
    pub validators: Option<PageValidators>,
}

/// What to send next time to ask whether a page changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageValidators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body_hash: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Recorded {
    pub version: i64,
    /// False when the content hash was unchanged: no snapshot was added.
    pub new_version: bool,
    /// Changes recorded; changes already pending are not recorded twice.
    pub changes: usize,
}

/// When 404/410 answers confirm a product gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoneRule {
    /// Completed crawls that met the answer.
    pub confirmations: i64,
    /// How long after the first such answer, at least (milliseconds).
    pub after_ms: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum GoneOutcome {
    /// The URL was never crawled successfully: there is nothing to be gone.
    Unknown,
    /// Counted; not yet confirmed: `count` crawls have met it since `since` (Unix ms).
    Counted {
        count: i64,
        since: i64,
    },
    /// Confirmed now: the caller records the changes with [`Store::record_gone`].
    Confirmed,
    AlreadyGone,
}

/// In the order [`product_from_row`] reads them (a macro, for `concat!`).
macro_rules! product_columns {
    () => {
        "id, source_id, url, status, gone_count, version, content_hash, etag, last_modified, body_hash"
    };
}
const PRODUCT_COLUMNS: &str = product_columns!();

impl Store {
    pub async fn product(&self, url: &str) -> Result<Option<StoredProduct>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM supplier_products WHERE url = $1"
        ))
        .bind(url)
        .fetch_optional(&self.pool)
        .await
        .op("read a supplier product")?;
        row.as_ref().map(product_from_row).transpose()
    }

    /// The source's products still believed to exist, to be crawled even when the catalogue no
    /// longer lists them (that is how a removed product is noticed).
    pub async fn active_products(&self, source_id: i64) -> Result<Vec<StoredProduct>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PRODUCT_COLUMNS} FROM supplier_products WHERE source_id = $1 AND status = 'active' ORDER BY url"
        ))
        .bind(source_id)
        .fetch_all(&self.pool)
        .await
        .op("list supplier products")?;
        rows.iter().map(product_from_row).collect()
    }

    /// Whether a listing linked to this page has not been compared with its current version (it
    /// was linked or re-imported since): only then is an unchanged page's snapshot worth loading.
    pub async fn needs_compare(&self, url: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM links l JOIN supplier_products p ON p.url = l.product_url \
             WHERE l.product_url = $1 AND (l.diffed_version IS NULL OR l.diffed_version <> p.version)",
        )
        .bind(url)
        .fetch_one(&self.pool)
        .await
        .op("check a page's links")?;
        let n: i64 = row.try_get("n").op("check a page's links")?;
        Ok(n > 0)
    }

    /// The current snapshot of every active product (of one source, or all), ordered by URL,
    /// as stored: the product JSON of DESIGN.md. Streamed, so a large catalogue is never held
    /// in memory at once.
    pub fn current_snapshots(
        &self,
        source_id: Option<i64>,
    ) -> impl futures::Stream<Item = Result<String, StoreError>> + '_ {
        use futures::StreamExt;
        const ALL: &str = "SELECT s.product_json FROM supplier_products p \
             JOIN snapshots s ON s.product_id = p.id AND s.version = p.version \
             WHERE p.status = 'active' AND p.source_id <> $1 ORDER BY p.url";
        const ONE: &str = "SELECT s.product_json FROM supplier_products p \
             JOIN snapshots s ON s.product_id = p.id AND s.version = p.version \
             WHERE p.status = 'active' AND p.source_id = $1 ORDER BY p.url";
        // Source ids start at 1: `<> 0` is every source, with the parameter typed alike.
        let (sql, id) = match source_id {
            Some(id) => (ONE, id),
            None => (ALL, 0),
        };
        sqlx::query(sql).bind(id).fetch(&self.pool).map(|row| {
            let row = row.op("read the current snapshots")?;
            row.try_get::<String, _>("product_json")
                .op("read the current snapshots")
        })
    }

    /// The latest snapshot of a supplier product.
    pub async fn latest_snapshot(&self, url: &str) -> Result<Option<Product>, StoreError> {
        let row = sqlx::query(
            "SELECT s.product_json FROM snapshots s JOIN supplier_products p ON p.id = s.product_id \
             WHERE p.url = $1 ORDER BY s.version DESC LIMIT 1",
        )
        .bind(url)
        .fetch_optional(&self.pool)
        .await
        .op("read a snapshot")?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("product_json").op("read a snapshot")?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                what: format!("snapshot of {url}"),
                detail: e.to_string(),
            })
    }

    /// Records a crawled page: the product (a new snapshot version only if its content hash
    /// changed), its changes and which listings were compared, all in one transaction
    /// (DESIGN.md invariant 2).
    pub async fn record_page(&self, page: &PageRecord<'_>) -> Result<Recorded, StoreError> {
        let mut recorded = self.record_pages(std::slice::from_ref(page)).await?;
        recorded.pop().ok_or_else(|| StoreError::Corrupt {
            what: "recording a page".into(),
            detail: "no result".into(),
        })
    }

    /// Records several crawled pages in one transaction: each page's product, snapshot and
    /// changes are written together as [`Store::record_page`] writes them, and one commit for
    /// the batch spares the crawl a commit per page.
    pub async fn record_pages(
        &self,
        pages: &[PageRecord<'_>],
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut tx = self.write("record crawled pages").await?;
        let mut recorded = Vec::with_capacity(pages.len());
        for page in pages {
            recorded.push(record_in(&mut tx, page).await?);
        }
        tx.commit().await.op("record crawled pages")?;
        Ok(recorded)
    }

    /// Notes unchanged pages as seen now, in one statement.
    pub async fn touch_products(&self, urls: &[String]) -> Result<(), StoreError> {
        let op = "note unchanged pages";
        // The URLs go as one JSON array parameter, unpacked by the database: a statement with
        // hundreds of parameters spent most of its time binding them (SQLite looks each
        // parameter's name up in a list).
        let unpacked = match self.backend {
            crate::Backend::Sqlite => "SELECT value FROM json_each($2)",
            crate::Backend::Postgres => "SELECT json_array_elements_text($2::json)",
        };
        let sql = format!(
            "UPDATE supplier_products SET last_seen_at = $1, status = 'active', gone_count = 0, gone_first_at = NULL, gone_run_id = NULL \
             WHERE url IN ({unpacked})"
        );
        let urls = serde_json::to_string(urls).map_err(|e| StoreError::Corrupt {
            what: "unchanged page URLs".into(),
            detail: e.to_string(),
        })?;
        sqlx::query(&sql)
            .bind(now_ms())
            .bind(urls)
            .execute(&self.pool)
            .await
            .op(op)?;
        Ok(())
    }

    /// Every product of a source whatever its status, by URL: what the crawl compares against.
    pub async fn source_products(
        &self,
        source_id: i64,
    ) -> Result<std::collections::HashMap<String, StoredProduct>, StoreError> {
        // The rows come as one JSON array built by the database: 20,000 rows read one by one
        // cost a recrawl more than its discovery (each row crosses from SQLite's thread and is
        // copied three times on the way), and held at once they were its peak memory.
        let sql = match self.backend {
            crate::Backend::Sqlite => format!(
                "SELECT json_group_array(json_array({PRODUCT_COLUMNS})) \
                 FROM supplier_products WHERE source_id = $1"
            ),
            crate::Backend::Postgres => format!(
                "SELECT COALESCE(json_agg(json_build_array({PRODUCT_COLUMNS})), '[]')::text \
                 FROM supplier_products WHERE source_id = $1"
            ),
        };
        let json: String = sqlx::query_scalar(&sql)
            .bind(source_id)
            .fetch_one(&self.pool)
            .await
            .op("list supplier products")?;
        let rows: Vec<ProductRow> =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                what: format!("the products of source {source_id}"),
                detail: e.to_string(),
            })?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let product = StoredProduct::from(row);
                (product.url.clone(), product)
            })
            .collect())
    }

    /// Counts a 404/410 answer for a known product, at most once per crawl run. It is confirmed
    /// gone when `gone.confirmations` runs have counted one and the first of them is at least
    /// `gone.after_ms` old: two crawls a second apart that met a short outage prove nothing.
    pub async fn observe_gone(
        &self,
        url: &str,
        run_id: i64,
        now: i64,
        gone: &GoneRule,
    ) -> Result<GoneOutcome, StoreError> {
        let row = sqlx::query(
            "UPDATE supplier_products SET \
             gone_count = CASE WHEN gone_run_id = $2 THEN gone_count ELSE gone_count + 1 END, \
             gone_first_at = COALESCE(gone_first_at, $3), gone_run_id = $2 \
             WHERE url = $1 AND status = 'active' RETURNING gone_count, gone_first_at",
        )
        .bind(url)
        .bind(run_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .op("count a gone page")?;
        let counted = row
            .map(|r| {
                Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<Option<i64>, _>(1)?))
            })
            .transpose()
            .op("count a gone page")?;
        match counted {
            Some((count, first)) => {
                let first = first.unwrap_or(now);
                if count >= gone.confirmations && now.saturating_sub(first) >= gone.after_ms {
                    Ok(GoneOutcome::Confirmed)
                } else {
                    Ok(GoneOutcome::Counted {
                        count,
                        since: first,
                    })
                }
            }
            None => match self.product(url).await? {
                Some(_) => Ok(GoneOutcome::AlreadyGone),
                None => Ok(GoneOutcome::Unknown),
            },
        }
    }

    /// Marks a product gone and records the resulting changes, in one transaction.
    pub async fn record_gone(
        &self,
        run_id: i64,
        url: &str,
        changes: &[Proposal],
    ) -> Result<usize, StoreError> {
        let op = "record a gone product";
        let mut tx = self.write(op).await?;
        sqlx::query("UPDATE supplier_products SET status = 'gone' WHERE url = $1")
            .bind(url)
            .execute(&mut *tx)
            .await
            .op(op)?;
        // What was open about the product (a price, a stock, a new style) is settled by its
        // being gone: one change says it now, and applying the others would be wrong.
        sqlx::query(
            "UPDATE changes SET status = 'resolved', decided_at = $1, \
             decision_note = 'the supplier''s product is gone' \
             WHERE product_url = $2 AND status IN ('open', 'approved') AND kind <> 'product_gone'",
        )
        .bind(now_ms())
        .bind(url)
        .execute(&mut *tx)
        .await
        .op(op)?;
        let mut recorded = 0;
        for change in changes {
            if insert_change(&mut tx, Some(run_id), change, 0)
                .await?
                .is_some()
            {
                recorded += 1;
            }
        }
        tx.commit().await.op(op)?;
        Ok(recorded)
    }
}

/// One page of [`Store::record_pages`], inside its transaction.
async fn record_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    page: &PageRecord<'_>,
) -> Result<Recorded, StoreError> {
    let op = "record a crawled page";
    let url = page.product.url.as_str();
    let now = now_ms();
    // The page's validators, when it was fetched, are written by the same statement.
    let sql = match page.validators {
        Some(_) => concat!(
            "INSERT INTO supplier_products (source_id, url, first_seen_at, last_seen_at, etag, last_modified, body_hash) \
             VALUES ($1, $2, $3, $3, $4, $5, $6) \
             ON CONFLICT (url) DO UPDATE SET last_seen_at = excluded.last_seen_at, status = 'active', gone_count = 0, gone_first_at = NULL, gone_run_id = NULL, \
             etag = excluded.etag, last_modified = excluded.last_modified, body_hash = excluded.body_hash \
             RETURNING ",
            product_columns!()
        ),
        None => concat!(
            "INSERT INTO supplier_products (source_id, url, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (url) DO UPDATE SET last_seen_at = excluded.last_seen_at, status = 'active', gone_count = 0, gone_first_at = NULL, gone_run_id = NULL \
             RETURNING ",
            product_columns!()
        ),
    };
    let mut query = sqlx::query(sql).bind(page.source_id).bind(url).bind(now);
    if let Some(v) = &page.validators {
        query = query
            .bind(v.etag.as_deref())
            .bind(v.last_modified.as_deref())
            .bind(v.body_hash.as_deref());
    }
    let row = query.fetch_one(&mut **tx).await.op(op)?;
    let stored = product_from_row(&row)?;
    let new_version = stored.content_hash.as_deref() != Some(page.content_hash);
    let version = if new_version {
        stored.version + 1
    } else {
        stored.version
    };
    if new_version {
        let json = match page.product_json {
            Some(json) => json.to_owned(),
            None => serde_json::to_string(page.product).map_err(|e| StoreError::Corrupt {
                what: format!("product {url}"),
                detail: e.to_string(),
            })?,
        };
        sqlx::query(
                "INSERT INTO snapshots (product_id, version, content_hash, product_json, fetched_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(stored.id)
            .bind(version)
            .bind(page.content_hash)
            .bind(json)
            .bind(now)
            .execute(&mut **tx)
            .await
            .op(op)?;
        sqlx::query("UPDATE supplier_products SET version = $1, content_hash = $2 WHERE id = $3")
            .bind(version)
            .bind(page.content_hash)
            .bind(stored.id)
            .execute(&mut **tx)
            .await
            .op(op)?;
    }
    let mut recorded = 0;
    for change in page.changes {
        if insert_change(tx, Some(page.run_id), change, page.flap_crawls)
            .await?
            .is_some()
        {
            recorded += 1;
        }
    }
    // What the page gave nothing to compare for is not gone: its open changes stay open.
    let unread: Vec<&str> = diff::unread(page.product)
        .iter()
        .map(diff::ChangeKind::as_str)
        .collect();
    for listing in page.compared {
        let still_found: std::collections::HashSet<String> = page
            .changes
            .iter()
            .filter(|p| {
                p.change.listing.as_ref() == Some(listing) && p.action != diff::Action::Ignore
            })
            .map(|p| p.change.fingerprint())
            .collect();
        resolve_obsolete(tx, listing, url, &still_found, &unread).await?;
        sqlx::query("UPDATE links SET diffed_version = $1 WHERE listing_id = $2")
            .bind(version)
            .bind(listing.as_str())
            .execute(&mut **tx)
            .await
            .op(op)?;
    }
    Ok(Recorded {
        version,
        new_version,
        changes: recorded,
    })
}

//! Discovery pages (sitemaps, category pages) as last read: asked again conditionally, and
//! their links reused when they have not changed.

use std::collections::HashMap;

use sqlx::Row;

use crate::error::QueryContext;
use crate::{now_ms, PageValidators, Store, StoreError};

/// A discovery page's last answer: how to ask again, and the links it gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveryPage {
    /// `sitemap`, `sitemap index` or `category`.
    pub kind: String,
    pub validators: PageValidators,
    /// Absolute URLs, in page order.
    pub links: Vec<String>,
    /// A category page's next page (`rel="next"`).
    pub next_page: Option<String>,
}

impl Store {
    /// Every discovery page of a source, by URL.
    pub async fn discovery_pages(
        &self,
        source_id: i64,
    ) -> Result<HashMap<String, DiscoveryPage>, StoreError> {
        let op = "read discovery pages";
        let rows = sqlx::query(
            "SELECT url, kind, etag, last_modified, body_hash, links, next_page FROM discovery_pages WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_all(&self.pool)
        .await
        .op(op)?;
        let mut out = HashMap::with_capacity(rows.len());
        for row in rows {
            let links: String = row.try_get("links").op(op)?;
            out.insert(
                row.try_get("url").op(op)?,
                DiscoveryPage {
                    kind: row.try_get("kind").op(op)?,
                    validators: PageValidators {
                        etag: row.try_get("etag").op(op)?,
                        last_modified: row.try_get("last_modified").op(op)?,
                        body_hash: row.try_get("body_hash").op(op)?,
                    },
                    links: links.lines().map(str::to_owned).collect(),
                    next_page: row.try_get("next_page").op(op)?,
                },
            );
        }
        Ok(out)
    }

    /// Records discovery pages as just read (replacing what was known of them), in one
    /// transaction.
    pub async fn save_discovery_pages(
        &self,
        source_id: i64,
        pages: &[(String, DiscoveryPage)],
    ) -> Result<(), StoreError> {
        let op = "record discovery pages";
        if pages.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let mut tx = self.write(op).await?;
        for (url, page) in pages {
            sqlx::query(
                "INSERT INTO discovery_pages (source_id, url, kind, etag, last_modified, body_hash, links, next_page, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (source_id, url) DO UPDATE SET kind = excluded.kind, etag = excluded.etag, \
                 last_modified = excluded.last_modified, body_hash = excluded.body_hash, links = excluded.links, \
                 next_page = excluded.next_page, fetched_at = excluded.fetched_at",
            )
            .bind(source_id)
            .bind(url.as_str())
            .bind(page.kind.as_str())
            .bind(page.validators.etag.as_deref())
            .bind(page.validators.last_modified.as_deref())
            .bind(page.validators.body_hash.as_deref())
            .bind(page.links.join("\n"))
            .bind(page.next_page.as_deref())
            .bind(now)
            .execute(&mut *tx)
            .await
            .op(op)?;
        }
        tx.commit().await.op(op)?;
        Ok(())
    }
}

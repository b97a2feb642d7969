//! The merchant's listings, their variants, and their links to supplier products.

use std::collections::BTreeMap;

use catalog::{Currency, Listing, ListingId, ListingVariant, Money, SpecKey};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::QueryContext;
use crate::{now_ms, Backend, Store, StoreError};

fn corrupt(what: String, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

fn listing_from_row(row: &AnyRow) -> Result<Listing, StoreError> {
    let id: String = row.try_get("id").op("read a listing")?;
    let currency: String = row.try_get("currency").op("read a listing")?;
    let images: Option<String> = row.try_get("images").op("read a listing")?;
    let images = images
        .map(|i| serde_json::from_str::<Vec<String>>(&i))
        .transpose()
        .map_err(|e| corrupt(format!("images of listing `{id}`"), e))?
        .unwrap_or_default();
    Ok(Listing {
        description: row.try_get("description").op("read a listing")?,
        images,
        variant_links: BTreeMap::new(),
        id: ListingId::parse(&id).map_err(|e| corrupt(format!("listing `{id}`"), e))?,
        title: row.try_get("title").op("read a listing")?,
        currency: Currency::parse(&currency).map_err(|e| corrupt(format!("listing `{id}`"), e))?,
        variants: Vec::new(),
    })
}

fn variant_from_row(row: &AnyRow, currency: Currency) -> Result<ListingVariant, StoreError> {
    let key: String = row.try_get("spec_key").op("read a listing variant")?;
    let spec: String = row.try_get("spec_json").op("read a listing variant")?;
    let what = || format!("listing variant `{key}`");
    let stock: i64 = row.try_get("stock").op("read a listing variant")?;
    Ok(ListingVariant {
        key: SpecKey::parse(&key).map_err(|e| corrupt(what(), e))?,
        spec: serde_json::from_str::<BTreeMap<String, String>>(&spec)
            .map_err(|e| corrupt(what(), e))?,
        sku: row.try_get("sku").op("read a listing variant")?,
        price: Money::new(
            row.try_get("price_minor").op("read a listing variant")?,
            currency,
        ),
        cost: row
            .try_get::<Option<i64>, _>("cost_minor")
            .op("read a listing variant")?
            .map(|m| Money::new(m, currency)),
        stock: u32::try_from(stock).map_err(|e| corrupt(what(), e))?,
    })
}

/// `rows` groups of `cols` placeholders: numbered on from `$1` for PostgreSQL (`($1, $2),
/// ($3, $4)`), anonymous for SQLite (`(?, ?), (?, ?)`): SQLite finds a numbered one by a
/// linear search of the statement's parameter names, for every value bound, which made binding
/// a statement of a few thousand values cost more than running it.
fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for col in 0..cols {
            if col > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => out.push_str(&format!("${}", row * cols + col + 1)),
            }
        }
        out.push(')');
    }
    out
}

/// Listings written per statement: 6 values each, well under both backends' limits on the
/// values of one statement (SQLite 32,766, PostgreSQL 65,535).
const LISTINGS_PER_STATEMENT: usize = 500;
/// Listing variants written per statement (7 values each).
const VARIANTS_PER_STATEMENT: usize = 1000;

impl Store {
    /// Imports listings, each with the supplier page it is linked to if it names one, in one
    /// transaction (see [`ListingImport`]).
    pub async fn import_listings(
        &self,
        listings: &[(Listing, Option<String>)],
    ) -> Result<(), StoreError> {
        let mut import = self.begin_import().await?;
        import.write(listings).await?;
        import.commit().await
    }

    /// Starts an import of listings: one transaction, written a chunk at a time as the file is
    /// read, committed at its end. Dropped without [`ListingImport::commit`] (a bad listing
    /// further on, a kill), it stores none of them.
    pub async fn begin_import(&self) -> Result<ListingImport, StoreError> {
        Ok(ListingImport {
            tx: self.write("import listings").await?,
            backend: self.backend,
            now: now_ms(),
        })
    }

    /// Removes these listings (their variants and links) and resolves their open and approved
    /// changes, noting why; the changes stay in the history. Any id that is not a listing
    /// removes nothing: the error names it.
    pub async fn remove_listings(&self, ids: &[ListingId]) -> Result<(), StoreError> {
        let op = "remove listings";
        let mut tx = self.write(op).await?;
        for id in ids {
            detach(
                &mut tx,
                id,
                "the listing was removed",
                &[
                    "DELETE FROM variant_links WHERE listing_id = $1",
                    "DELETE FROM links WHERE listing_id = $1",
                    "DELETE FROM listing_variants WHERE listing_id = $1",
                    "DELETE FROM listings WHERE id = $1",
                ],
            )
            .await?;
        }
        tx.commit().await.op(op)
    }

    /// Unlinks a listing from its supplier page (and its variants from the supplier's), and
    /// resolves its open and approved changes. Returns the page it was linked to.
    pub async fn unlink(&self, id: &ListingId) -> Result<Option<String>, StoreError> {
        let op = "unlink a listing";
        let mut tx = self.write(op).await?;
        let url: Option<String> =
            sqlx::query("SELECT product_url FROM links WHERE listing_id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .op(op)?
                .map(|r| r.try_get("product_url"))
                .transpose()
                .op(op)?;
        detach(
            &mut tx,
            id,
            "the listing was unlinked",
            &[
                "DELETE FROM variant_links WHERE listing_id = $1",
                "DELETE FROM links WHERE listing_id = $1",
            ],
        )
        .await?;
        tx.commit().await.op(op)?;
        Ok(url)
    }

    /// Inserts or replaces a listing with its variants. A replaced listing is compared again
    /// on the next crawl.
    pub async fn upsert_listing(&self, listing: &Listing) -> Result<(), StoreError> {
        let op = "save a listing";
        let mut tx = self.write(op).await?;
        sqlx::query(
            "INSERT INTO listings (id, title, currency, updated_at, description, images) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, currency = excluded.currency, updated_at = excluded.updated_at, \
             description = excluded.description, images = excluded.images",
        )
        .bind(listing.id.as_str())
        .bind(&listing.title)
        .bind(listing.currency.as_str())
        .bind(now_ms())
        .bind(listing.description.as_deref())
        .bind((!listing.images.is_empty()).then(|| serde_json::to_string(&listing.images).unwrap_or_default()))
        .execute(&mut *tx)
        .await
        .op(op)?;
        sqlx::query("DELETE FROM listing_variants WHERE listing_id = $1")
            .bind(listing.id.as_str())
            .execute(&mut *tx)
            .await
            .op(op)?;
        for v in &listing.variants {
            let spec = serde_json::to_string(&v.spec)
                .map_err(|e| corrupt(format!("listing `{}`", listing.id), e))?;
            sqlx::query(
                "INSERT INTO listing_variants (listing_id, spec_key, spec_json, sku, price_minor, cost_minor, stock) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(listing.id.as_str())
            .bind(v.key.to_string())
            .bind(spec)
            .bind(v.sku.as_deref())
            .bind(v.price.minor)
            .bind(v.cost.map(|m| m.minor))
            .bind(i64::from(v.stock))
            .execute(&mut *tx)
            .await
            .op(op)?;
        }
        sqlx::query("UPDATE links SET diffed_version = NULL WHERE listing_id = $1")
            .bind(listing.id.as_str())
            .execute(&mut *tx)
            .await
            .op(op)?;
        tx.commit().await.op(op)
    }

    pub async fn listing(&self, id: &ListingId) -> Result<Option<Listing>, StoreError> {
        let row = sqlx::query(
            "SELECT id, title, currency, description, images FROM listings WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .op("read a listing")?;
        let Some(row) = row else { return Ok(None) };
        let mut listing = listing_from_row(&row)?;
        let rows =
            sqlx::query("SELECT * FROM listing_variants WHERE listing_id = $1 ORDER BY spec_key")
                .bind(id.as_str())
                .fetch_all(&self.pool)
                .await
                .op("read a listing")?;
        listing.variants = rows
            .iter()
            .map(|r| variant_from_row(r, listing.currency))
            .collect::<Result<_, _>>()?;
        listing.variant_links = self.variant_links(id).await?;
        Ok(Some(listing))
    }

    /// Every listing with its variants, ordered by id.
    pub async fn listings(&self) -> Result<Vec<Listing>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title, currency, description, images FROM listings ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .op("list listings")?;
        let mut listings: Vec<Listing> = rows
            .iter()
            .map(listing_from_row)
            .collect::<Result<_, _>>()?;
        let index: BTreeMap<String, usize> = listings
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.to_string(), i))
            .collect();
        let rows = sqlx::query("SELECT * FROM listing_variants ORDER BY listing_id, spec_key")
            .fetch_all(&self.pool)
            .await
            .op("list listings")?;
        for row in &rows {
            let id: String = row.try_get("listing_id").op("list listings")?;
            if let Some(&i) = index.get(&id) {
                let v = variant_from_row(row, listings[i].currency)?;
                listings[i].variants.push(v);
            }
        }
        for listing in &mut listings {
            listing.variant_links = self.variant_links(&listing.id).await?;
        }
        Ok(listings)
    }

    /// The variant links the merchant confirmed for a listing.
    pub async fn variant_links(
        &self,
        id: &ListingId,
    ) -> Result<BTreeMap<SpecKey, SpecKey>, StoreError> {
        let op = "read variant links";
        let rows = sqlx::query(
            "SELECT listing_key, supplier_key FROM variant_links WHERE listing_id = $1",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .op(op)?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (l, s): (String, String) = (
                row.try_get("listing_key").op(op)?,
                row.try_get("supplier_key").op(op)?,
            );
            let parse = |k: &str| {
                SpecKey::parse(k).map_err(|e| corrupt(format!("variant link of `{id}`"), e))
            };
            out.insert(parse(&l)?, parse(&s)?);
        }
        Ok(out)
    }

    /// Confirms the links specsync proposed for a listing (its open `link_proposed` changes):
    /// they become variant links, the proposals are applied, and the listing is compared again on
    /// the next crawl. Returns the links confirmed.
    pub async fn confirm_variant_links(
        &self,
        id: &ListingId,
    ) -> Result<Vec<(SpecKey, SpecKey)>, StoreError> {
        let op = "confirm variant links";
        if self.listing(id).await?.is_none() {
            return Err(StoreError::NoListing(id.clone()));
        }
        let mut tx = self.write(op).await?;
        let rows = sqlx::query(
            "SELECT id, before_value, after_value FROM changes WHERE listing_id = $1 AND kind = 'link_proposed' AND status = 'open' ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await
        .op(op)?;
        let mut confirmed = Vec::new();
        for row in rows {
            let change: i64 = row.try_get("id").op(op)?;
            let before: Option<String> = row.try_get("before_value").op(op)?;
            let after: Option<String> = row.try_get("after_value").op(op)?;
            let parse = |k: Option<String>| {
                SpecKey::parse(k.as_deref().unwrap_or_default())
                    .map_err(|e| corrupt(format!("link proposal {change}"), e))
            };
            let (listing_key, supplier_key) = (parse(before)?, parse(after)?);
            sqlx::query(
                "INSERT INTO variant_links (listing_id, listing_key, supplier_key, confirmed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (listing_id, listing_key) DO UPDATE SET supplier_key = excluded.supplier_key, confirmed_at = excluded.confirmed_at",
            )
            .bind(id.as_str())
            .bind(listing_key.to_string())
            .bind(supplier_key.to_string())
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .op(op)?;
            sqlx::query("UPDATE changes SET status = 'applied' WHERE id = $1")
                .bind(change)
                .execute(&mut *tx)
                .await
                .op(op)?;
            // The pair the link replaces, if an older release recorded it as removed and added.
            sqlx::query(
                "UPDATE changes SET status = 'resolved', decided_at = $1, \
                 decision_note = 'the variant link was confirmed' \
                 WHERE listing_id = $2 AND status IN ('open', 'approved') \
                 AND ((kind = 'variant_removed' AND variant = $3) OR (kind = 'variant_added' AND variant = $4))",
            )
            .bind(now_ms())
            .bind(id.as_str())
            .bind(listing_key.to_string())
            .bind(supplier_key.to_string())
            .execute(&mut *tx)
            .await
            .op(op)?;
            confirmed.push((listing_key, supplier_key));
        }
        sqlx::query("UPDATE links SET diffed_version = NULL WHERE listing_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .op(op)?;
        tx.commit().await.op(op)?;
        Ok(confirmed)
    }

    /// Links a listing to a supplier product URL (replacing an earlier link).
    pub async fn link(&self, listing: &ListingId, product_url: &str) -> Result<(), StoreError> {
        let exists = sqlx::query("SELECT id FROM listings WHERE id = $1")
            .bind(listing.as_str())
            .fetch_optional(&self.pool)
            .await
            .op("link a listing")?;
        if exists.is_none() {
            return Err(StoreError::NoListing(listing.clone()));
        }
        sqlx::query(
            "INSERT INTO links (listing_id, product_url, linked_at) VALUES ($1, $2, $3) \
             ON CONFLICT (listing_id) DO UPDATE SET product_url = excluded.product_url, \
             linked_at = excluded.linked_at, diffed_version = NULL",
        )
        .bind(listing.as_str())
        .bind(product_url)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .op("link a listing")?;
        Ok(())
    }

    /// Listing id → linked supplier product URL.
    pub async fn links(&self) -> Result<BTreeMap<ListingId, String>, StoreError> {
        let rows = sqlx::query("SELECT listing_id, product_url FROM links ORDER BY listing_id")
            .fetch_all(&self.pool)
            .await
            .op("list links")?;
        let mut out = BTreeMap::new();
        for row in rows {
            let id: String = row.try_get("listing_id").op("list links")?;
            let id = ListingId::parse(&id).map_err(|e| corrupt(format!("link of `{id}`"), e))?;
            out.insert(id, row.try_get("product_url").op("list links")?);
        }
        Ok(out)
    }

    /// The listings linked to a supplier product, each with the snapshot version it was last
    /// compared with.
    pub async fn listings_linked_to(
        &self,
        product_url: &str,
    ) -> Result<Vec<(Listing, Option<i64>)>, StoreError> {
        let rows = sqlx::query("SELECT listing_id, diffed_version FROM links WHERE product_url = $1 ORDER BY listing_id")
            .bind(product_url)
            .fetch_all(&self.pool)
            .await
            .op("read links")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("listing_id").op("read links")?;
            let id = ListingId::parse(&id).map_err(|e| corrupt(format!("link of `{id}`"), e))?;
            let diffed: Option<i64> = row.try_get("diffed_version").op("read links")?;
            if let Some(listing) = self.listing(&id).await? {
                out.push((listing, diffed));
            }
        }
        Ok(out)
    }
}

/// An import of listings under way (see [`Store::begin_import`]).
pub struct ListingImport {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    now: i64,
}

impl ListingImport {
    /// Writes these listings, each inserted or replaced with its variants (and compared again
    /// on the next crawl) as [`Store::upsert_listing`] does, and its link set as [`Store::link`]
    /// sets it. Rows go hundreds per statement: 100,000 listings take seconds, not minutes.
    pub async fn write(
        &mut self,
        listings: &[(Listing, Option<String>)],
    ) -> Result<(), StoreError> {
        let op = "import listings";
        let tx = &mut self.tx;
        let now = self.now;
        for chunk in listings.chunks(LISTINGS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO listings (id, title, currency, updated_at, description, images) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, currency = excluded.currency, \
                 updated_at = excluded.updated_at, description = excluded.description, images = excluded.images",
                placeholders(self.backend, chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for (listing, _) in chunk {
                query = query
                    .bind(listing.id.as_str())
                    .bind(listing.title.as_str())
                    .bind(listing.currency.as_str())
                    .bind(now)
                    .bind(listing.description.as_deref())
                    .bind(
                        (!listing.images.is_empty())
                            .then(|| serde_json::to_string(&listing.images).unwrap_or_default()),
                    );
            }
            query.execute(&mut **tx).await.op(op)?;
            let ids = placeholders(self.backend, chunk.len(), 1);
            for sql in [
                format!("DELETE FROM listing_variants WHERE listing_id IN ({ids})"),
                format!("UPDATE links SET diffed_version = NULL WHERE listing_id IN ({ids})"),
            ] {
                let mut query = sqlx::query(&sql);
                for (listing, _) in chunk {
                    query = query.bind(listing.id.as_str());
                }
                query.execute(&mut **tx).await.op(op)?;
            }
            let linked: Vec<(&ListingId, &str)> = chunk
                .iter()
                .filter_map(|(l, url)| url.as_deref().map(|u| (&l.id, u)))
                .collect();
            if !linked.is_empty() {
                let sql = format!(
                    "INSERT INTO links (listing_id, product_url, linked_at) VALUES {} \
                     ON CONFLICT (listing_id) DO UPDATE SET product_url = excluded.product_url, \
                     linked_at = excluded.linked_at, diffed_version = NULL",
                    placeholders(self.backend, linked.len(), 3)
                );
                let mut query = sqlx::query(&sql);
                for (id, url) in linked {
                    query = query.bind(id.as_str()).bind(url).bind(now);
                }
                query.execute(&mut **tx).await.op(op)?;
            }
        }
        let variants: Vec<(&ListingId, &ListingVariant)> = listings
            .iter()
            .flat_map(|(l, _)| l.variants.iter().map(move |v| (&l.id, v)))
            .collect();
        for chunk in variants.chunks(VARIANTS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO listing_variants (listing_id, spec_key, spec_json, sku, price_minor, cost_minor, stock) VALUES {}",
                placeholders(self.backend, chunk.len(), 7)
            );
            let mut query = sqlx::query(&sql);
            for (id, v) in chunk {
                let spec = serde_json::to_string(&v.spec)
                    .map_err(|e| corrupt(format!("listing `{id}`"), e))?;
                query = query
                    .bind(id.as_str())
                    .bind(v.key.to_string())
                    .bind(spec)
                    .bind(v.sku.as_deref())
                    .bind(v.price.minor)
                    .bind(v.cost.map(|m| m.minor))
                    .bind(i64::from(v.stock));
            }
            query.execute(&mut **tx).await.op(op)?;
        }
        Ok(())
    }

    /// Stores everything written, at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.op("import listings")
    }
}

/// Settles a listing's open and approved changes (resolved, with `why` in their decision note)
/// and runs `deletes` on it (each binding its id as `$1`); a listing that does not exist is an
/// error, and the caller's transaction stores nothing.
async fn detach(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &ListingId,
    why: &str,
    deletes: &[&str],
) -> Result<(), StoreError> {
    let op = "detach a listing";
    let found = sqlx::query("SELECT id FROM listings WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(&mut **tx)
        .await
        .op(op)?;
    if found.is_none() {
        return Err(StoreError::NoListing(id.clone()));
    }
    sqlx::query(
        "UPDATE changes SET status = 'resolved', decided_at = $1, decision_note = $2 \
         WHERE listing_id = $3 AND status IN ('open', 'approved')",
    )
    .bind(now_ms())
    .bind(why)
    .bind(id.as_str())
    .execute(&mut **tx)
    .await
    .op(op)?;
    for sql in deletes {
        sqlx::query(sql)
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .op(op)?;
    }
    Ok(())
}

//! The merchant's listings, their variants, and their links to supplier products.

use std::collections::BTreeMap;

use catalog::{Currency, Listing, ListingId, ListingVariant, Money, SpecKey};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::QueryContext;
use crate::{now_ms, Store, StoreError};

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

impl Store {
    /// Inserts or replaces a listing with its variants. A replaced listing is compared again
    /// on the next crawl.
    pub async fn upsert_listing(&self, listing: &Listing) -> Result<(), StoreError> {
        let op = "save a listing";
        let mut tx = self.pool.begin().await.op(op)?;
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
        let mut tx = self.pool.begin().await.op(op)?;
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

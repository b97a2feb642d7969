-- Variant links the merchant confirmed: this listing variant is that supplier variant, whatever
-- their spec keys say. Keep in step with ../postgres/0004_variant_links.sql.
CREATE TABLE variant_links (
    listing_id TEXT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    listing_key TEXT NOT NULL,
    supplier_key TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (listing_id, listing_key)
);

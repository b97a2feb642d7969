-- specsync schema v1 (SQLite). Keep in step with ../postgres/0001_initial.sql: the same tables,
-- columns and meanings; only the DDL dialect differs. Times are Unix milliseconds.

CREATE TABLE sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    base_url TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    crawls BIGINT NOT NULL DEFAULT 0,
    consecutive_failures BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    summary TEXT
);

CREATE TABLE supplier_products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'active',
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    gone_count BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 0,
    content_hash TEXT
);

CREATE TABLE snapshots (
    product_id BIGINT NOT NULL REFERENCES supplier_products(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    product_json TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (product_id, version)
);

CREATE TABLE listings (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    currency TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE listing_variants (
    listing_id TEXT NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    spec_key TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    sku TEXT,
    price_minor BIGINT NOT NULL,
    cost_minor BIGINT,
    stock BIGINT NOT NULL,
    PRIMARY KEY (listing_id, spec_key)
);

CREATE TABLE links (
    listing_id TEXT PRIMARY KEY REFERENCES listings(id) ON DELETE CASCADE,
    product_url TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    -- The snapshot version this listing was last compared with; NULL: compare on the next crawl.
    diffed_version BIGINT
);
CREATE INDEX links_by_url ON links(product_url);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT REFERENCES crawl_runs(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    listing_id TEXT,
    product_url TEXT NOT NULL,
    variant TEXT,
    before_value TEXT,
    after_value TEXT,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    -- NULL until an alert delivery claims the change: the outbox.
    delivery_id BIGINT REFERENCES deliveries(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX changes_open_fingerprint ON changes(fingerprint) WHERE status = 'open';
CREATE INDEX changes_undelivered ON changes(delivery_id) WHERE delivery_id IS NULL;

-- Deliveries per channel. A change was claimed by exactly one delivery (`changes.delivery_id`),
-- so an email and a store update could not both carry it. Now each change has at most one
-- delivery per channel (`change_deliveries`), and each delivery its own status, attempts, next
-- attempt time and last error, so every channel is retried on its own. A delivery is either a
-- batch of changes or a health alert (`kind`, with what it says in `payload`), so that health
-- alerts are queued with the crawl that raised them and sent by the same sender.
-- Keep in step with ../postgres/0008_channel_deliveries.sql.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'changes';
ALTER TABLE deliveries ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN payload TEXT;
CREATE INDEX deliveries_due ON deliveries(channel, next_attempt_at) WHERE status = 'pending';

-- Who claimed what so far, kept aside while `changes` is rebuilt.
CREATE TABLE claims_before_0008 AS
    SELECT c.id AS change_id, d.channel AS channel, c.delivery_id AS delivery_id
    FROM changes c JOIN deliveries d ON d.id = c.delivery_id;

-- SQLite cannot drop a column that is a foreign key: the table is rebuilt without it. Nothing
-- references `changes` yet, so it can be dropped inside the migration's transaction.
CREATE TABLE changes_rebuilt (
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
    created_at BIGINT NOT NULL,
    action TEXT NOT NULL DEFAULT 'alert',
    proposed_update TEXT,
    why TEXT
);

INSERT INTO changes_rebuilt (id, run_id, kind, severity, listing_id, product_url, variant, before_value,
                             after_value, fingerprint, status, created_at, action, proposed_update, why)
    SELECT id, run_id, kind, severity, listing_id, product_url, variant, before_value,
           after_value, fingerprint, status, created_at, action, proposed_update, why FROM changes;
DROP INDEX changes_undelivered;
DROP INDEX changes_open_fingerprint;
DROP TABLE changes;
ALTER TABLE changes_rebuilt RENAME TO changes;
CREATE UNIQUE INDEX changes_open_fingerprint ON changes(fingerprint) WHERE status = 'open';
CREATE TABLE change_deliveries (
    change_id BIGINT NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    delivery_id BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    PRIMARY KEY (change_id, channel)
);
INSERT INTO change_deliveries (change_id, channel, delivery_id)
    SELECT change_id, channel, delivery_id FROM claims_before_0008;
DROP TABLE claims_before_0008;
CREATE INDEX changes_by_listing ON changes(listing_id, product_url) WHERE status = 'open';
CREATE INDEX change_deliveries_by_delivery ON change_deliveries(delivery_id);

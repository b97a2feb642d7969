-- Deliveries per channel. A change was claimed by exactly one delivery (`changes.delivery_id`),
-- so an email and a store update could not both carry it. Now each change has at most one
-- delivery per channel (`change_deliveries`), and each delivery its own status, attempts, next
-- attempt time and last error, so every channel is retried on its own. A delivery is either a
-- batch of changes or a health alert (`kind`, with what it says in `payload`), so that health
-- alerts are queued with the crawl that raised them and sent by the same sender.
-- Keep in step with ../sqlite/0008_channel_deliveries.sql.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'changes';
ALTER TABLE deliveries ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN payload TEXT;
CREATE INDEX deliveries_due ON deliveries(channel, next_attempt_at) WHERE status = 'pending';

CREATE TABLE change_deliveries (
    change_id BIGINT NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    delivery_id BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    PRIMARY KEY (change_id, channel)
);
INSERT INTO change_deliveries (change_id, channel, delivery_id)
    SELECT c.id, d.channel, c.delivery_id FROM changes c JOIN deliveries d ON d.id = c.delivery_id;
DROP INDEX changes_undelivered;
ALTER TABLE changes DROP COLUMN delivery_id;
CREATE INDEX changes_by_listing ON changes(listing_id, product_url) WHERE status = 'open';
CREATE INDEX change_deliveries_by_delivery ON change_deliveries(delivery_id);

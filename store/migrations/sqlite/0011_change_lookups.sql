-- Recording a change looks up its fingerprint (is it open, answered, or resolved within the flap
-- window?), the open changes of the listing on that product, and the source's latest runs; without
-- these indexes each of those read the whole history for every new change. Keep in step with the
-- other backend's 0011_change_lookups.sql.
CREATE INDEX changes_by_fingerprint ON changes(fingerprint, status);
DROP INDEX changes_by_listing;
CREATE INDEX changes_by_listing ON changes(listing_id, product_url, status);
CREATE INDEX crawl_runs_by_source ON crawl_runs(source_id, id);

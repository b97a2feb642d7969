-- A product is gone only after 404/410 answers on enough completed crawls spread over enough
-- time: when the first of them was seen and which run counted the latest. Keep in step with the
-- other backend's 0010_gone_in_time.sql.
ALTER TABLE supplier_products ADD COLUMN gone_first_at BIGINT;
ALTER TABLE supplier_products ADD COLUMN gone_run_id BIGINT;

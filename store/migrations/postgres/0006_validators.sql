-- What a page's last answer said, to ask again conditionally: its ETag and Last-Modified, and
-- a hash of its body (an unchanged body skips extraction). Keep in step with ../sqlite/.
ALTER TABLE supplier_products ADD COLUMN etag TEXT;
ALTER TABLE supplier_products ADD COLUMN last_modified TEXT;
ALTER TABLE supplier_products ADD COLUMN body_hash TEXT;

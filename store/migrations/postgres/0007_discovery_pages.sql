-- Discovery pages (sitemaps, category pages) as last read: their validators, to ask again
-- conditionally, and the links they gave, reused when one answers 304 or the same body, so an
-- unchanged catalogue is not read again. Keep in step with ../sqlite/.
CREATE TABLE discovery_pages (
    source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- `sitemap`, `sitemap index` or `category`.
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    -- The page's links, one per line, as the page gave them (absolute).
    links TEXT NOT NULL,
    -- A category page's next page (`rel="next"`), if it names one.
    next_page TEXT,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (source_id, url)
);

-- One source is crawled by one worker at a time: the worker holding a source's lease. A lease
-- that has expired (its worker died) can be taken. `released_at` tells the next holder when the
-- last one stopped, so that it keeps the host's rate across workers. Keep in step with
-- ../sqlite/.
CREATE TABLE source_leases (
    source_id BIGINT PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    released_at BIGINT
);

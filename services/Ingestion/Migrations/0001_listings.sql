CREATE TABLE listings (
    id           TEXT NOT NULL PRIMARY KEY,
    source       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    title        TEXT NOT NULL,
    abstract     TEXT NULL,
    authors      TEXT NOT NULL, -- JSON array of strings
    url          TEXT NULL,
    tags         TEXT NOT NULL, -- JSON array of strings
    published_on TEXT NULL,
    content_hash TEXT NOT NULL,
    accepted_at  TEXT NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX ix_listings_accepted_at ON listings (accepted_at);

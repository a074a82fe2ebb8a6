-- Subscriber preferences: instant alerts or a digest at a local time, quiet hours, a daily cap, excluded topics.
ALTER TABLE subscribers ADD COLUMN mode            TEXT    NOT NULL DEFAULT 'instant'; -- instant | daily | weekly
ALTER TABLE subscribers ADD COLUMN time_zone       TEXT    NOT NULL DEFAULT 'UTC';     -- IANA id
ALTER TABLE subscribers ADD COLUMN digest_time     TEXT    NOT NULL DEFAULT '08:00';   -- local HH:mm
ALTER TABLE subscribers ADD COLUMN digest_day      TEXT    NOT NULL DEFAULT 'Monday';  -- weekly digests only
ALTER TABLE subscribers ADD COLUMN quiet_start     TEXT    NULL;                       -- local HH:mm
ALTER TABLE subscribers ADD COLUMN quiet_end       TEXT    NULL;                       -- local HH:mm
ALTER TABLE subscribers ADD COLUMN max_per_day     INTEGER NULL;                       -- instant emails per local day
ALTER TABLE subscribers ADD COLUMN excluded_topics TEXT    NOT NULL DEFAULT '[]';      -- JSON array of strings
ALTER TABLE subscribers ADD COLUMN last_digest_at  TEXT    NULL;                       -- when the last digest period closed

-- Deliveries of digest subscribers wait as 'queued' until their digest goes out; deliveries nobody will send
-- (unsubscribed, over the daily cap, left out of a digest) end as 'skipped'. digest_id groups one digest email.
ALTER TABLE deliveries ADD COLUMN digest_id TEXT NULL;
CREATE INDEX ix_deliveries_queued ON deliveries (subscriber_id, score) WHERE status = 'queued';

-- A small catalogue of accepted listings (from listing-accepted), so emails can show the abstract.
CREATE TABLE listings (
    listing_id  TEXT NOT NULL PRIMARY KEY,
    title       TEXT NOT NULL,
    abstract    TEXT NULL,
    url         TEXT NULL,
    tags        TEXT NOT NULL DEFAULT '[]', -- JSON array
    accepted_at TEXT NOT NULL
);

-- Feedback given through email links: one per (subscriber, listing, kind), so clicking twice publishes one event.
CREATE TABLE feedback (
    id            TEXT NOT NULL PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    listing_id    TEXT NOT NULL,
    kind          TEXT NOT NULL, -- Like | Dismiss
    submitted_at  TEXT NOT NULL,
    UNIQUE (subscriber_id, listing_id, kind)
);

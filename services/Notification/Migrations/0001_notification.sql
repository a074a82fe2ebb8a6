CREATE TABLE subscribers (
    id             TEXT NOT NULL PRIMARY KEY,
    email          TEXT NULL,
    webhook_url    TEXT NULL,
    webhook_secret TEXT NOT NULL, -- HMAC-SHA256 key for the webhook signature
    interests      TEXT NOT NULL,
    threshold      REAL NOT NULL,
    status         TEXT NOT NULL, -- active | unsubscribed
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- The delivery log: at most one delivery per (subscriber, listing, channel), whatever is redelivered or restarted.
CREATE TABLE deliveries (
    id              TEXT    NOT NULL PRIMARY KEY,
    subscriber_id   TEXT    NOT NULL REFERENCES subscribers (id),
    listing_id      TEXT    NOT NULL,
    channel         TEXT    NOT NULL, -- Email | Webhook
    title           TEXT    NOT NULL,
    url             TEXT    NULL,
    score           REAL    NOT NULL,
    rewards         TEXT    NOT NULL, -- JSON object
    status          TEXT    NOT NULL, -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT    NULL,
    created_at      TEXT    NOT NULL,
    completed_at    TEXT    NULL,
    UNIQUE (subscriber_id, listing_id, channel)
);
CREATE INDEX ix_deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

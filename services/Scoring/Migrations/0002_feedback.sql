-- Listing vectors, so that feedback (which names listings) can train the reward models and novelty survives restarts.
CREATE TABLE listing_vectors (
    listing_id TEXT NOT NULL PRIMARY KEY,
    vector     BLOB NOT NULL, -- little-endian float32 x dimension, unit length
    stored_at  TEXT NOT NULL
);
CREATE INDEX listing_vectors_stored_at ON listing_vectors (stored_at);

-- Feedback inbox: every reaction, kept for retraining.
CREATE TABLE feedback (
    feedback_id     TEXT NOT NULL PRIMARY KEY,
    subscriber_id   TEXT NOT NULL,
    listing_id      TEXT NOT NULL,
    kind            TEXT NOT NULL, -- Like | Dismiss | Click | Prefer
    over_listing_id TEXT NULL,
    submitted_at    TEXT NOT NULL
);
CREATE INDEX feedback_subscriber ON feedback (subscriber_id, submitted_at);

-- The trained personal preference vector (unit direction) and its logistic calibration; absent = the interest vector.
CREATE TABLE preference_vectors (
    subscriber_id TEXT    NOT NULL PRIMARY KEY,
    vector        BLOB    NOT NULL,
    norm          REAL    NOT NULL,
    bias          REAL    NOT NULL,
    examples      INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- Model registry: every trained or imported global reward head, with metrics; one active, any number in shadow.
CREATE TABLE reward_models (
    version     TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL, -- quality
    status      TEXT NOT NULL, -- active | shadow | retired
    source      TEXT NOT NULL, -- trained | imported
    metrics     TEXT NOT NULL, -- JSON object
    weights     BLOB NOT NULL, -- safetensors
    created_at  TEXT NOT NULL,
    activated_at TEXT NULL
);

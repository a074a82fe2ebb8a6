CREATE TABLE subscriber_vectors (
    subscriber_id TEXT    NOT NULL PRIMARY KEY,
    model_id      TEXT    NOT NULL,
    dimension     INTEGER NOT NULL,
    vector        BLOB    NOT NULL, -- little-endian float32 x dimension
    updated_at    TEXT    NOT NULL
);

-- One scored result per listing and reward-model version.
CREATE TABLE scored_listings (
    sequence           INTEGER PRIMARY KEY AUTOINCREMENT, -- cursor for the feed
    listing_id         TEXT NOT NULL,
    model_version      TEXT NOT NULL,
    title              TEXT NOT NULL,
    url                TEXT NULL,
    embedding_model_id TEXT NOT NULL,
    global_rewards     TEXT NOT NULL, -- JSON object name -> reward
    matches            TEXT NOT NULL, -- JSON array of { subscriberId, score, rewards }
    scored_at          TEXT NOT NULL,
    UNIQUE (listing_id, model_version)
);

-- One vector per distinct (text, model): identical content is embedded once and reused.
CREATE TABLE vectors (
    content_hash TEXT    NOT NULL PRIMARY KEY,
    model_id     TEXT    NOT NULL,
    dimension    INTEGER NOT NULL,
    vector       BLOB    NOT NULL, -- little-endian float32 x dimension
    created_at   TEXT    NOT NULL
);

CREATE TABLE listing_vectors (
    listing_id   TEXT NOT NULL PRIMARY KEY,
    content_hash TEXT NOT NULL REFERENCES vectors (content_hash),
    embedded_at  TEXT NOT NULL
);

CREATE TABLE subscriber_vectors (
    subscriber_id TEXT NOT NULL PRIMARY KEY,
    content_hash  TEXT NOT NULL REFERENCES vectors (content_hash),
    embedded_at   TEXT NOT NULL
);

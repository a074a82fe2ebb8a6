-- A subscriber's own weights over the global rewards (absent = Scoring:Rewards defaults); caps stay global.
CREATE TABLE subscriber_reward_weights (
    subscriber_id TEXT NOT NULL PRIMARY KEY,
    quality       REAL NOT NULL,
    novelty       REAL NOT NULL,
    updated_at    TEXT NOT NULL
);

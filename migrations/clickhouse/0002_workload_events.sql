-- The platform's own usage events (seeds: workload_events(timestamp, user_id, event_type, event_data)),
-- with the org and an event id so an outbox retry never counts an event twice.
CREATE TABLE IF NOT EXISTS workload_events
(
    event_id String,
    org_id LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    user_id String,
    event_type LowCardinality(String),
    event_data String DEFAULT '{}'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (org_id, event_type, event_id)

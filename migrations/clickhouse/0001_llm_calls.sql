-- One row per LLM call (engine/telemetry/record.ts). ReplacingMergeTree keyed on the request id:
-- a retried batch that reaches ClickHouse twice collapses to one row, and queries read with FINAL.
-- Retention is counted from ingestion time (imported history stays analyzable for the tier's days).
CREATE TABLE IF NOT EXISTS llm_calls
(
    org_id LowCardinality(String),
    request_id String,
    timestamp DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    retention_days UInt16 DEFAULT 30,
    source LowCardinality(String) DEFAULT 'api',
    project String DEFAULT '',
    user String DEFAULT '',
    feature LowCardinality(String) DEFAULT '',
    api_key_id String DEFAULT '',
    provider LowCardinality(String),
    model LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32 DEFAULT 0,
    cached_input_tokens UInt32 DEFAULT 0,
    cache_write_tokens UInt32 DEFAULT 0,
    reasoning_tokens UInt32 DEFAULT 0,
    latency_ms Nullable(Float64),
    ttft_ms Nullable(Float64),
    status LowCardinality(String) DEFAULT 'ok',
    cost_nanousd Nullable(Int64),
    cost_from_source UInt8 DEFAULT 0,
    prompt_hash String DEFAULT '',
    prefix_hashes Array(String) DEFAULT [],
    max_tokens Nullable(UInt32),
    stream Nullable(UInt8),
    region String DEFAULT '',
    attempt UInt16 DEFAULT 1,
    trace_id String DEFAULT '',
    span_id String DEFAULT '',
    metadata String DEFAULT '{}'
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (org_id, request_id)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days)

-- Hourly rollups of llm_calls per org / model / provider / feature, for dashboards.
--
-- A materialized view sees every INSERT block, not the deduplicated table: a row inserted twice is
-- counted twice here even though `llm_calls FINAL` shows it once. Two things keep duplicates out:
--   1. the IngestBuffer Durable Object dedupes request ids before anything reaches ClickHouse, and
--   2. it re-sends a batch whose acknowledgement was lost with the same insert_deduplication_token,
--      which ClickHouse drops (here and in this view) within the deduplication window below.
-- Rollups are therefore for dashboards; exact analytics (db/analytics.ts) read `llm_calls FINAL`.
-- Partitioning stays monthly; rows expire with the longest retention among the calls they summarize.
-- (In the view, `llm_calls.col` names the source column where an alias of the same name exists.)

ALTER TABLE llm_calls MODIFY SETTING non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS llm_calls_hourly
(
    org_id LowCardinality(String),
    hour DateTime('UTC'),
    model LowCardinality(String),
    provider LowCardinality(String),
    feature LowCardinality(String),
    calls SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_input_tokens SimpleAggregateFunction(sum, UInt64),
    cache_write_tokens SimpleAggregateFunction(sum, UInt64),
    reasoning_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nanousd SimpleAggregateFunction(sum, Int64),
    unpriced_calls SimpleAggregateFunction(sum, UInt64),
    latency_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), Nullable(Float64)),
    ttft_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), Nullable(Float64)),
    last_ingested_at SimpleAggregateFunction(max, DateTime('UTC')),
    retention_days SimpleAggregateFunction(max, UInt16)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (org_id, hour, model, provider, feature)
TTL last_ingested_at + toIntervalDay(retention_days)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_calls_hourly_mv TO llm_calls_hourly AS
SELECT
    org_id,
    toStartOfHour(timestamp) AS hour,
    model,
    provider,
    feature,
    count() AS calls,
    countIf(status != 'ok') AS errors,
    sum(toUInt64(input_tokens)) AS input_tokens,
    sum(toUInt64(output_tokens)) AS output_tokens,
    sum(toUInt64(cached_input_tokens)) AS cached_input_tokens,
    sum(toUInt64(cache_write_tokens)) AS cache_write_tokens,
    sum(toUInt64(reasoning_tokens)) AS reasoning_tokens,
    sum(ifNull(llm_calls.cost_nanousd, 0)) AS cost_nanousd,
    countIf(llm_calls.cost_nanousd IS NULL) AS unpriced_calls,
    quantilesState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms,
    quantilesState(0.5, 0.95, 0.99)(ttft_ms) AS ttft_ms,
    max(toDateTime(ingested_at)) AS last_ingested_at,
    max(retention_days) AS retention_days
FROM llm_calls
GROUP BY org_id, hour, model, provider, feature;

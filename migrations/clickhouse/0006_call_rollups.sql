-- Hourly rollups of the call facts (db/workload-profile/rollup.ts): per (org, hour, generation, scope) and
-- group key, the sums of per-row values the profile's sections add up, with the rules' flags over all the
-- org's calls (scope 0) or over the calls of the row's own source (scope 1). Written by db/call-facts.ts with
-- each rebuilt hour's facts, in the same generation (readers take the current ones, as for the facts). The
-- sum columns are those of the rollup specs (db/workload-profile/call-rollup.ts, prefix.ts; a test checks
-- they match); call_facts_hours.layout names the sums' definitions an hour was built with: an hour built
-- with others is rebuilt.

-- Of call_facts: every row (invalid ones too, by invalid_reason), the exact duplicates' (ts, request_id,
-- latency) for the in-order latency sum, and what data coverage reads (db/coverage.ts).
CREATE TABLE IF NOT EXISTS call_rollups
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    scope UInt8,
    source LowCardinality(String),
    feature LowCardinality(String),
    pair LowCardinality(String),
    invalid_reason UInt8,
    n_calls Int64,
    n_ok Int64,
    n_error Int64,
    n_429 Int64,
    n_timeout Int64,
    sum_cost Int64,
    sum_input Int64,
    sum_output Int64,
    sum_cached Int64,
    sum_cache_write Int64,
    sum_reasoning Int64,
    n_streamed Int64,
    n_non_streamed Int64,
    n_user Int64,
    n_off_hours Int64,
    n_max_tokens_set Int64,
    n_hit_max_tokens Int64,
    n_billed_failed Int64,
    sum_billed_failed_cost Int64,
    sum_ok_output Int64,
    n_prefix Int64,
    n_cache_write Int64,
    n_followup Int64,
    n_growing Int64,
    sum_history_excess Int64,
    n_cache_write_unread Int64,
    sum_cache_write_unread Int64,
    n_exact_dup Int64,
    sum_exact_dup_cost Int64,
    n_double_fire Int64,
    n_near_dup Int64,
    sum_near_dup_cost Int64,
    n_retry Int64,
    n_retry_after_429 Int64,
    n_fast_retry_after_429 Int64,
    sum_retry_wait Int64,
    n_fallback Int64,
    n_at_limit_10 Int64,
    n_at_limit_30 Int64,
    n_at_limit_60 Int64,
    n_at_limit_120 Int64,
    n_at_limit_300 Int64,
    n_at_limit_600 Int64,
    n_missing_cost Int64,
    n_zero_token Int64,
    n_missing_latency Int64,
    n_missing_ttft Int64,
    n_missing_ttft_streamed Int64,
    n_missing_prompt_hash Int64,
    n_missing_prefix_hashes Int64,
    n_missing_stream Int64,
    n_output_exceeds_max_tokens Int64,
    n_reasoning_exceeds_output Int64,
    n_prefix_or_cache Int64,
    sum_raw_cost Int64,
    dup_latencies Array(Tuple(Int64, String, Float64)),
    min_ts Int64,
    max_ts Int64,
    last_ingested_ms Int64,
    content_hash UInt64,
    ingested_at DateTime64(3, 'UTC'),
    retention_days UInt16
)
ENGINE = MergeTree
PARTITION BY intDiv(hour, 768)
ORDER BY (org_id, hour, scope, source, feature, pair, invalid_reason)
-- A backstop only, as for the facts.
TTL toDateTime(ingested_at) + toIntervalDay(retention_days + 2);

-- Of call_prefix_facts: per (TTL, minimum prefix) the prompt-cache sums (db/workload-profile/prefix.ts).
CREATE TABLE IF NOT EXISTS call_prefix_rollups
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    scope UInt8,
    source LowCardinality(String),
    feature LowCardinality(String),
    pair LowCardinality(String),
    hit_0_512 Int64,
    repeat_0_512 Int64,
    gap_0_512 Int64,
    write_0_512 Int64,
    extra_write_0_512 Int64,
    hit_0_1024 Int64,
    repeat_0_1024 Int64,
    gap_0_1024 Int64,
    write_0_1024 Int64,
    extra_write_0_1024 Int64,
    hit_0_4096 Int64,
    repeat_0_4096 Int64,
    gap_0_4096 Int64,
    write_0_4096 Int64,
    extra_write_0_4096 Int64,
    hit_1_512 Int64,
    repeat_1_512 Int64,
    gap_1_512 Int64,
    write_1_512 Int64,
    extra_write_1_512 Int64,
    hit_1_1024 Int64,
    repeat_1_1024 Int64,
    gap_1_1024 Int64,
    write_1_1024 Int64,
    extra_write_1_1024 Int64,
    hit_1_4096 Int64,
    repeat_1_4096 Int64,
    gap_1_4096 Int64,
    write_1_4096 Int64,
    extra_write_1_4096 Int64,
    ingested_at DateTime64(3, 'UTC'),
    retention_days UInt16
)
ENGINE = MergeTree
PARTITION BY intDiv(hour, 768)
ORDER BY (org_id, hour, scope, source, feature, pair)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days + 2);

-- Of the valid calls: the (UTC minute, provider, model) buckets with a 429 and a retry less than 1 s after one
-- (db/workload-profile/buckets.ts);
-- in scope 0 over all sources (source '').
CREATE TABLE IF NOT EXISTS call_minute_rollups
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    scope UInt8,
    source LowCardinality(String),
    pair LowCardinality(String),
    minute_ms Int64,
    n_calls Int64,
    n_429 Int64,
    n_fast_retry_after_429 Int64,
    sum_retry_wait_after_429 Int64,
    ingested_at DateTime64(3, 'UTC'),
    retention_days UInt16
)
ENGINE = MergeTree
PARTITION BY intDiv(hour, 768)
ORDER BY (org_id, hour, scope, source, pair, minute_ms)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days + 2);

ALTER TABLE call_facts_hours ADD COLUMN IF NOT EXISTS layout UInt32 DEFAULT 0;

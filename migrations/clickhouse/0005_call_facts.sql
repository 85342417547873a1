-- The workload profile's per-call facts (db/call-facts): each valid call of llm_calls FINAL with what the
-- profile's rules (engine/profile/derive.ts) need from its neighbours already found — the nearest earlier
-- duplicate, retry, session call, the nearest later cache read, and per prefix block the distance to the
-- nearest earlier / later call sending it — so that a profile over a month is one narrow scan per section,
-- not window sorts of every call. Invalid calls are kept too (data quality counts them), without neighbours.
--
-- A neighbour is stored only when it is within its rule's gap (NULL / a shorter prefix array otherwise): the
-- rules look at the nearest neighbour only, so for a window [from, to) the nearest neighbour inside it is the
-- stored one when that is ≥ from (earlier) or < to (later), and there is none otherwise. `_src` columns hold
-- the same among the calls of the row's own source (a profile scoped to one source).
--
-- Rows are written per (org, UTC hour) and generation: call_facts_hours names the current generation of each
-- hour, with the fingerprint of the llm_calls rows it was computed from; readers take only those rows.
-- Superseded generations are deleted after the new one is in place.
CREATE TABLE IF NOT EXISTS call_facts
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    ts Int64,
    request_id String,
    source LowCardinality(String),
    ingested_at DateTime64(3, 'UTC'),
    retention_days UInt16,
    user String,
    feature LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    -- provider and model as one injective string (db/workload-profile/sql.ts PAIR_KEY)
    pair LowCardinality(String),
    status LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32,
    cached_input_tokens UInt32,
    cache_write_tokens UInt32,
    reasoning_tokens UInt32,
    latency_ms Nullable(Float64),
    ttft_ms Nullable(Float64),
    stream Nullable(UInt8),
    max_tokens Nullable(UInt32),
    attempt UInt16,
    prompt_hash String,
    cost_nanousd Nullable(Int64),
    n_blocks UInt32,
    -- 0: valid; else why not (db/workload-profile/sql.ts InvalidReason)
    invalid_reason UInt8,
    dup_prev_ts Nullable(Int64),
    dup_prev_ts_src Nullable(Int64),
    near_prev_ts Nullable(Int64),
    near_prev_ts_src Nullable(Int64),
    near_prev_input Int64,
    near_prev_input_src Int64,
    retry_prev_ts Nullable(Int64),
    retry_prev_ts_src Nullable(Int64),
    retry_prev_429 UInt8,
    retry_prev_429_src UInt8,
    retry_fallback UInt8,
    retry_fallback_src UInt8,
    session_prev_ts Nullable(Int64),
    session_prev_ts_src Nullable(Int64),
    session_prev_input Int64,
    session_prev_input_src Int64,
    next_read_ts Nullable(Int64),
    next_read_ts_src Nullable(Int64)
)
ENGINE = MergeTree
PARTITION BY intDiv(hour, 768)
ORDER BY (org_id, ts, request_id)
-- A backstop only: an hour is rebuilt as soon as its llm_calls rows expire (its fingerprint changes).
TTL toDateTime(ingested_at) + toIntervalDay(retention_days + 2);

-- Per valid call with prefix blocks: for its leading blocks, the distance (ms) to the nearest earlier
-- (prev_gaps) and later (next_gaps) call of the same (provider, model) sending that block. Only the first copy
-- of a block repeated inside the call is listed (first_pos: its 0-based position; a later copy has the same
-- neighbours, so it never ends a chain first), and only up to the first block whose neighbour is missing or
-- farther than the longest cache TTL: that block's position is prev_len / next_len (the chain's length at
-- that TTL with no window bound), the number of blocks when none is.
CREATE TABLE IF NOT EXISTS call_prefix_facts
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    ts Int64,
    source LowCardinality(String),
    ingested_at DateTime64(3, 'UTC'),
    retention_days UInt16,
    feature LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    pair LowCardinality(String),
    input_tokens UInt32,
    cached_input_tokens UInt32,
    cache_write_tokens UInt32,
    first_pos Array(UInt32),
    prev_gaps Array(UInt32),
    prev_len UInt32,
    next_gaps Array(UInt32),
    next_len UInt32,
    prev_gaps_src Array(UInt32),
    prev_len_src UInt32,
    next_gaps_src Array(UInt32),
    next_len_src UInt32
)
ENGINE = MergeTree
PARTITION BY intDiv(hour, 768)
ORDER BY (org_id, ts)
TTL toDateTime(ingested_at) + toIntervalDay(retention_days + 2);

-- The current generation of each (org, hour) of call_facts / call_prefix_facts, the fingerprint of the
-- llm_calls rows (every stored version) of that hour it was computed from (row count and a sum of row hashes),
-- and a superset of the (pair key, provider, model) pairs and the features of its calls.
CREATE TABLE IF NOT EXISTS call_facts_hours
(
    org_id LowCardinality(String),
    hour Int32,
    gen UInt64,
    rows UInt64,
    content_hash UInt64,
    pairs Array(Tuple(String, String, String)),
    features Array(String)
)
ENGINE = ReplacingMergeTree(gen)
ORDER BY (org_id, hour);

// The workload profile: every aggregate the optimizer tools read. It is computed in-process by
// reference.ts and by ClickHouse SQL over `llm_calls`; both must agree exactly, so it holds only
// counts, integer sums, min/max and nearest-rank percentiles. Per-call derivations: derive.ts.

/** 2: rate_limit_minutes holds only the minutes with a fast retry after a 429 (what the storm tool reads). */
export const PROFILE_VERSION = 2;

/** Prompt-cache TTLs analysed (seconds): Anthropic default 5 min, extended / implicit 1 h. */
export const CACHE_TTLS_S = [300, 3600] as const;
export type CacheTtlS = (typeof CACHE_TTLS_S)[number];

/** Minimum cacheable prefix thresholds (tokens); a tool picks the one matching its provider's minimum. */
export const CACHE_MIN_TOKENS = [512, 1024, 4096] as const;
export type CacheMinTokens = (typeof CACHE_MIN_TOKENS)[number];

/** Round client time-outs (seconds) looked for in latency clusters. */
export const ROUND_LIMITS_S = [10, 30, 60, 120, 300, 600] as const;

/**
 * Nearest-rank percentiles of a set of values. For n values sorted ascending, the p-th percentile
 * (p in per-mille: 500, 950, 990) is the value at 1-based rank max(1, ceil(p·n/1000)), computed in
 * integers as (p·n + 999) div 1000. null when n = 0.
 * ClickHouse: arrayElement(arraySort(groupArray(x)), toUInt64(greatest(1, intDiv(950 * count(x) + 999, 1000)))).
 */
export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface TokenSums {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export interface CallCounts {
  calls: number;
  ok_calls: number;
  error_calls: number;
  status_429_calls: number;
  /** status "timeout", "408", "504" or "client_cancel". */
  timeout_calls: number;
  /** Σ call cost (derive.ts `cost`): 0 for unknown models. */
  cost_nanousd: number;
}

export interface ModelProfile extends CallCounts, TokenSums {
  provider: string;
  model: string;
  /** Model found in the catalog. */
  known: boolean;
  /** ok calls with latency. */
  latency_ms: Distribution;
  /** ok calls with a ttft. */
  ttft_ms: Distribution;
  /** ok streamed calls with a ttft. */
  ttft_streamed_ms: Distribution;
  /** All calls: input tokens (p99 bounds the context window a substitute needs). */
  input_tokens_dist: Distribution;
}

/** Prompt-cache potential of a segment at one TTL and one minimum-prefix threshold (derive.ts §prefix). */
export interface PrefixCacheStats {
  ttl_s: CacheTtlS;
  min_tokens: CacheMinTokens;
  /** Calls with repeat tokens > 0 at this TTL/threshold. */
  hit_calls: number;
  repeat_tokens: number;
  /** Σ max(0, repeat − cached_input_tokens): repeat tokens not yet billed as cached. */
  gap_tokens: number;
  /** Σ prefix tokens a later call reuses but that were not cached yet: what enabling a cache writes. */
  write_tokens: number;
  /** Σ max(0, write − cache_write_tokens): writes beyond those already paid. */
  extra_write_tokens: number;
}

export interface LimitCount {
  limit_s: number;
  calls: number;
}

/** One (feature, provider, model): the unit most tools reason about. */
export interface SegmentProfile extends CallCounts, TokenSums {
  /** '' when the calls carry no feature tag. */
  feature: string;
  provider: string;
  model: string;
  known: boolean;
  streamed_calls: number;
  non_streamed_calls: number;
  /** Calls naming an end user. */
  user_calls: number;
  /** Calls at UTC hour 00–05. */
  off_hours_calls: number;
  max_tokens_set_calls: number;
  /** output_tokens ≥ max_tokens: likely truncated. */
  hit_max_tokens_calls: number;
  /** status ≠ ok and output_tokens > 0: failed but billed. */
  billed_failed_calls: number;
  billed_failed_cost_nanousd: number;
  /** ok calls with latency. */
  latency_ms: Distribution;
  /** ok calls with latency and stream = false. */
  latency_non_streamed_ms: Distribution;
  /** ok calls with ttft. */
  ttft_ms: Distribution;
  /** ok calls. */
  input_tokens_dist: Distribution;
  /** ok calls. */
  output_tokens_dist: Distribution;
  /** ok calls: output tokens of the segment's ok calls. */
  ok_output_tokens: number;
  /** ok calls: Σ max(0, output − output p95) and Σ max(0, output − output p99). */
  output_over_p95_tokens: number;
  output_over_p99_tokens: number;
  /** Calls per active minute (count = active minutes). */
  calls_per_minute: Distribution;
  exact_dup_calls: number;
  exact_dup_cost_nanousd: number;
  /** Σ latency of exact duplicates that have a latency. */
  exact_dup_latency_ms: number;
  /** Exact duplicates within 2 s of their predecessor (client double fire). */
  double_fire_calls: number;
  near_dup_calls: number;
  near_dup_cost_nanousd: number;
  retry_calls: number;
  retry_after_429_calls: number;
  /** Retries less than 1 s after a 429 (no backoff). */
  fast_retry_after_429_calls: number;
  /** Σ time between a retry and the failed call it repeats. */
  retry_wait_ms: number;
  /** Retries sent to another provider/model than the failed call. */
  fallback_calls: number;
  /** Calls with prefix hashes. */
  prefix_calls: number;
  /** One entry per CACHE_TTLS_S × CACHE_MIN_TOKENS, in that order. */
  prefix_cache: PrefixCacheStats[];
  cache_write_calls: number;
  cache_write_unread_calls: number;
  cache_write_unread_tokens: number;
  /** Calls of a user session (same user+feature+model, gap ≤ 30 min) after its first call. */
  followup_calls: number;
  /** Follow-ups whose input is larger than the previous call's. */
  growing_calls: number;
  /** Σ over growing calls of max(0, input − HISTORY_WINDOW_TOKENS). */
  history_excess_tokens: number;
  /** Calls whose latency sits at a round client time-out (ROUND_LIMITS_S, all of them, in order). */
  latency_at_limit: LimitCount[];
}

/** Hour × feature bucket (hour = epoch ms of the UTC hour start). */
export interface HourBucket {
  hour: number;
  feature: string;
  calls: number;
  error_calls: number;
  cost_nanousd: number;
  input_tokens: number;
  output_tokens: number;
}

/**
 * Minute × provider × model buckets that saw at least one 429 and at least one retry sent less than 1 s after
 * a 429 (derive.ts §retry): the only minutes rate_limit_storms can flag. Others are left out — at millions
 * of calls they would be hundreds of thousands of entries no tool reads.
 */
export interface RateLimitMinute {
  minute: number;
  provider: string;
  model: string;
  calls: number;
  status_429_calls: number;
  fast_retry_after_429_calls: number;
  retry_wait_ms: number;
}

export interface DuplicatePrompt {
  provider: string;
  model: string;
  prompt_hash: string;
  calls: number;
  dup_calls: number;
  dup_cost_nanousd: number;
}

export interface UserSpend {
  user: string;
  calls: number;
  cost_nanousd: number;
  input_tokens: number;
  output_tokens: number;
}

export interface UserDaySpend {
  user: string;
  /** epoch ms of the UTC day start. */
  day: number;
  calls: number;
  cost_nanousd: number;
}

export interface UsersProfile {
  /** Distinct users (calls without a user are not counted). */
  users: number;
  user_days: number;
  /** Cost per (user, UTC day). */
  user_day_cost: Distribution;
  /** Top TOP_N by cost, ties by user. */
  top_users: UserSpend[];
  top_user_days: UserDaySpend[];
}

export interface ModelCount {
  provider: string;
  model: string;
  calls: number;
}

export interface DataQuality {
  /** Every record handed to the profile. */
  records: number;
  /** Records excluded from every other aggregate (one of the reasons below). */
  invalid_calls: number;
  /** provider, model or status absent. */
  missing_fields_calls: number;
  negative_tokens_calls: number;
  /** A token field above MAX_TOKENS_PER_FIELD, or not an integer. */
  absurd_tokens_calls: number;
  cached_exceeds_input_calls: number;
  bad_cost_calls: number;
  bad_timestamp_calls: number;
  out_of_window_calls: number;
  unknown_model_calls: number;
  /** Top TOP_N by calls, ties by provider then model. */
  unknown_models: ModelCount[];
  /** Known model, cost_nanousd null: counted as 0. */
  missing_cost_calls: number;
  /** ok calls with input = output = 0. */
  zero_token_calls: number;
  missing_latency_calls: number;
  missing_ttft_streamed_calls: number;
  missing_prompt_hash_calls: number;
  missing_prefix_hashes_calls: number;
  missing_feature_calls: number;
  missing_user_calls: number;
  missing_stream_calls: number;
  output_exceeds_max_tokens_calls: number;
  reasoning_exceeds_output_calls: number;
}

export interface ProfileWindow {
  /** epoch ms, inclusive. */
  from: number;
  /** epoch ms, exclusive. */
  to: number;
  /** (to − from) / 86 400 000. */
  days: number;
}

export interface WorkloadProfile {
  version: typeof PROFILE_VERSION;
  window: ProfileWindow;
  totals: CallCounts & TokenSums;
  /** Sorted by cost desc, then provider, model. */
  models: ModelProfile[];
  /** Sorted by cost desc, then feature, provider, model. */
  segments: SegmentProfile[];
  /** Sorted by hour, then feature. */
  hours: HourBucket[];
  /** Sorted by minute, provider, model. */
  rate_limit_minutes: RateLimitMinute[];
  /** Top TOP_N by dup cost (dup_calls > 0), ties by provider, model, prompt_hash. */
  duplicate_prompts: DuplicatePrompt[];
  users: UsersProfile;
  data_quality: DataQuality;
}

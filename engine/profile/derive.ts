// Every per-call derivation the profile needs, in one place: the in-process reference and the
// ClickHouse SQL compute exactly these. Calls are ordered by (timestamp, request_id); "earlier" and
// "later" refer to that order (SQL: window frames ORDER BY timestamp, request_id).
//
// validity   A call is valid when provider, model and status are strings, timestamp is a finite number, each token field is a finite integer
//            in [0, MAX_TOKENS_PER_FIELD], cached_input ≤ input, and cost_nanousd is null or finite
//            ≥ 0. Invalid calls only count in data_quality.
// cost       known model ? round(cost_nanousd ?? 0) : 0          (known = catalog findModel(model, provider))
// status     ok: status = 'ok'; 429: '429'; timeout: 'timeout' | '408' | '504' | 'client_cancel'
// billed     status ≠ ok and output_tokens > 0
// buckets    minute/hour/day = floor(ts / unit) · unit (UTC); off-hours: UTC hour-of-day < 6
// exact dup  prompt_hash set, call ok, and the latest earlier ok call with the same
//            (provider, model, prompt_hash) is ≤ 24 h before. double fire: that gap ≤ 2 s.
// near dup   ok, not an exact dup, n = |prefix_hashes| ≥ 2, and the latest earlier ok call of the same
//            (provider, model) whose prefix_hashes[n'−2] equals this call's prefix_hashes[n−2] is ≤ 24 h
//            before and its input differs by at most max(16, input_prev div 50) tokens: the same prompt
//            but for a few tokens of its last block.
// retry      attempt > 1, or (prompt_hash set and the immediately earlier call with the same
//            (prompt_hash, user ?? '') is not ok and ≤ 60 s before). For the latter: gap = ts difference,
//            after_429 when that call was a 429, fast when after_429 and gap < 1 s, fallback when its
//            (provider, model) differs.
// prefix     For TTL T: hit blocks = largest k such that each prefix_hashes[j], j < k, occurred in an
//            earlier call with the same (provider, model) at most T before (any position, any status);
//            reuse blocks = the same towards later calls. repeat_T = min(hit·512, input);
//            write_T = max(0, min(reuse·512, input) − repeat_T). At threshold m the profile counts
//            repeat_T only when repeat_T ≥ m, write_T only when repeat_T + write_T ≥ m;
//            gap = max(0, counted repeat − cached_input), extra_write = max(0, counted write − cache_write).
// unread     cache_write_tokens > 0 and no later call with the same (provider, model, cache key) and
//            cached_input_tokens > 0 within 300 s; cache key = prefix_hashes[0], else 'feature:' + feature.
// session    user set; the immediately earlier call with the same (feature, provider, model, user) is
//            ≤ 30 min before → follow-up; growing when input > that call's input; history excess of a
//            growing call = max(0, input − 8192).
// at limit   L·1000 ≤ latency_ms < L·1000 + 1000 for L in ROUND_LIMITS_S.
import type { LlmCall } from '../telemetry/record.js';
import { MAX_TOKENS_PER_FIELD, PREFIX_BLOCK_TOKENS } from '../telemetry/record.js';
import { internColumns, type CallColumns } from './columns.js';
import { CACHE_TTLS_S } from './types.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const EXACT_DUP_WINDOW_MS = 24 * HOUR_MS;
export const DOUBLE_FIRE_MS = 2_000;
export const RETRY_WINDOW_MS = 60_000;
export const FAST_RETRY_MS = 1_000;
export const CACHE_READ_WINDOW_MS = 300_000;
export const SESSION_GAP_MS = 30 * MINUTE_MS;
export const HISTORY_WINDOW_TOKENS = 8192;
export const NEAR_DUP_MIN_TOLERANCE_TOKENS = 16;
/** Near duplicates may differ by input_prev div this many tokens (2%). */
export const NEAR_DUP_TOLERANCE_DIVISOR = 50;
export const OFF_HOURS_END_UTC = 6;

export type InvalidReason =
  | 'missing_fields'
  | 'negative_tokens'
  | 'absurd_tokens'
  | 'cached_exceeds_input'
  | 'bad_cost'
  | 'bad_timestamp';

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens'] as const;

export function invalidReason(c: LlmCall): InvalidReason | null {
  if (typeof c.provider !== 'string' || typeof c.model !== 'string' || typeof c.status !== 'string') return 'missing_fields';
  if (typeof c.timestamp !== 'number' || !Number.isFinite(c.timestamp)) return 'bad_timestamp';
  for (const f of TOKEN_FIELDS) {
    const v = c[f];
    if (typeof v !== 'number' || Number.isNaN(v)) return 'absurd_tokens';
    if (v < 0) return 'negative_tokens';
    if (!Number.isInteger(v) || v > MAX_TOKENS_PER_FIELD) return 'absurd_tokens';
  }
  if (c.cached_input_tokens > c.input_tokens) return 'cached_exceeds_input';
  const cost = c.cost_nanousd;
  if (cost !== null && cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) return 'bad_cost';
  return null;
}

export const isOk = (status: string): boolean => status === 'ok';
export const is429 = (status: string): boolean => status === '429';
export const isTimeout = (status: string): boolean =>
  status === 'timeout' || status === '408' || status === '504' || status === 'client_cancel';

export function callCost(c: LlmCall, known: boolean): number {
  return known && c.cost_nanousd != null ? Math.round(c.cost_nanousd) : 0;
}

export const floorTo = (ts: number, unit: number): number => Math.floor(ts / unit) * unit;

/** `at limit` index into ROUND_LIMITS_S, or −1. */
export function roundLimitIndex(latencyMs: number | null, limitsS: readonly number[]): number {
  if (latencyMs === null || latencyMs === undefined) return -1;
  for (let i = 0; i < limitsS.length; i++) {
    const lo = (limitsS[i] ?? 0) * 1000;
    if (latencyMs >= lo && latencyMs < lo + 1000) return i;
  }
  return -1;
}

/** Comparator of the profile's total order. */
export function byTimeThenId(a: LlmCall, b: LlmCall): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return a.request_id < b.request_id ? -1 : a.request_id > b.request_id ? 1 : 0;
}

/** Per-call derived columns, index-aligned with the sorted calls. */
export interface DerivedColumns {
  ids: CallColumns;
  exactDup: Uint8Array;
  /** ms since the exact-dup predecessor (only meaningful where exactDup = 1). */
  dupGapMs: Int32Array;
  nearDup: Uint8Array;
  retry: Uint8Array;
  retryAfter429: Uint8Array;
  fastRetryAfter429: Uint8Array;
  retryGapMs: Int32Array;
  fallback: Uint8Array;
  /** repeat_T and write_T tokens, one array per CACHE_TTLS_S entry. */
  repeatTokens: Int32Array[];
  writeTokens: Int32Array[];
  writeUnread: Uint8Array;
  followup: Uint8Array;
  growing: Uint8Array;
}

/** Derives every per-call column over calls already sorted by byTimeThenId. */
export function deriveColumns(calls: readonly LlmCall[]): DerivedColumns {
  const n = calls.length;
  const cols: DerivedColumns = {
    ids: internColumns(calls),
    exactDup: new Uint8Array(n),
    dupGapMs: new Int32Array(n),
    nearDup: new Uint8Array(n),
    retry: new Uint8Array(n),
    retryAfter429: new Uint8Array(n),
    fastRetryAfter429: new Uint8Array(n),
    retryGapMs: new Int32Array(n),
    fallback: new Uint8Array(n),
    repeatTokens: CACHE_TTLS_S.map(() => new Int32Array(n)),
    writeTokens: CACHE_TTLS_S.map(() => new Int32Array(n)),
    writeUnread: new Uint8Array(n),
    followup: new Uint8Array(n),
    growing: new Uint8Array(n),
  };
  deriveDuplicates(calls, cols);
  deriveRetriesAndSessions(calls, cols);
  derivePrefixReuse(calls, cols);
  deriveUnreadWrites(calls, cols);
  return cols;
}

function deriveDuplicates(calls: readonly LlmCall[], cols: DerivedColumns): void {
  const { ids } = cols;
  const lastOkAt = new Float64Array(ids.modelPromptCount).fill(Number.NaN);
  const lastOkByNearKey = new Int32Array(ids.blockCount).fill(-1);
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const ok = isOk(c.status);
    const mp = ids.modelPromptId[i]!;
    if (mp >= 0) {
      const gap = c.timestamp - lastOkAt[mp]!; // NaN (never) fails the test
      if (ok && gap <= EXACT_DUP_WINDOW_MS) {
        cols.exactDup[i] = 1;
        cols.dupGapMs[i] = gap;
      }
      if (ok) lastOkAt[mp] = c.timestamp;
    }
    const start = ids.blockStart[i]!;
    const blocks = ids.blockStart[i + 1]! - start;
    if (blocks >= 2) {
      const key = ids.blockIds[start + blocks - 2]!;
      const p = lastOkByNearKey[key]!;
      if (ok && !cols.exactDup[i] && p >= 0) {
        const prev = calls[p]!;
        const tolerance = Math.max(NEAR_DUP_MIN_TOLERANCE_TOKENS, Math.floor(prev.input_tokens / NEAR_DUP_TOLERANCE_DIVISOR));
        if (c.timestamp - prev.timestamp <= EXACT_DUP_WINDOW_MS && Math.abs(c.input_tokens - prev.input_tokens) <= tolerance) cols.nearDup[i] = 1;
      }
      if (ok) lastOkByNearKey[key] = i;
    }
  }
}

function deriveRetriesAndSessions(calls: readonly LlmCall[], cols: DerivedColumns): void {
  const { ids } = cols;
  const lastByRetryKey = new Int32Array(ids.retryKeyCount).fill(-1);
  const lastBySession = new Int32Array(ids.sessionKeyCount).fill(-1);
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const retryKey = ids.retryKeyId[i]!;
    if (retryKey >= 0) {
      const p = lastByRetryKey[retryKey]!;
      if (p >= 0) {
        const prev = calls[p]!;
        const gap = c.timestamp - prev.timestamp;
        if (!isOk(prev.status) && gap <= RETRY_WINDOW_MS) {
          cols.retry[i] = 1;
          cols.retryGapMs[i] = gap;
          if (is429(prev.status)) {
            cols.retryAfter429[i] = 1;
            if (gap < FAST_RETRY_MS) cols.fastRetryAfter429[i] = 1;
          }
          if (ids.modelId[p] !== ids.modelId[i]) cols.fallback[i] = 1;
        }
      }
      lastByRetryKey[retryKey] = i;
    }
    if ((c.attempt ?? 1) > 1) cols.retry[i] = 1;

    const sessionKey = ids.sessionKeyId[i]!;
    if (sessionKey >= 0) {
      const p = lastBySession[sessionKey]!;
      if (p >= 0) {
        const prev = calls[p]!;
        if (c.timestamp - prev.timestamp <= SESSION_GAP_MS) {
          cols.followup[i] = 1;
          if (c.input_tokens > prev.input_tokens) cols.growing[i] = 1;
        }
      }
      lastBySession[sessionKey] = i;
    }
  }
}

/** Per TTL: leading blocks of call i each seen (`seenAt`) at most that TTL away from ts. */
function leadingWithin(ids: CallColumns, i: number, seenAt: Float64Array, ts: number, out: Int32Array): void {
  out.fill(0);
  const start = ids.blockStart[i]!;
  const end = ids.blockStart[i + 1]!;
  for (let j = 0; j < end - start; j++) {
    const dist = Math.abs(ts - seenAt[ids.blockIds[start + j]!]!);
    let extended = false;
    for (let t = 0; t < CACHE_TTLS_S.length; t++) {
      if (out[t] === j && dist <= CACHE_TTLS_S[t]! * 1000) {
        out[t] = j + 1;
        extended = true;
      }
    }
    if (!extended) return; // also when never seen: dist is NaN
  }
}

function markSeen(ids: CallColumns, i: number, seenAt: Float64Array, ts: number): void {
  for (let b = ids.blockStart[i]!; b < ids.blockStart[i + 1]!; b++) seenAt[ids.blockIds[b]!] = ts;
}

function derivePrefixReuse(calls: readonly LlmCall[], cols: DerivedColumns): void {
  const { ids } = cols;
  const n = calls.length;
  const hit = new Int32Array(CACHE_TTLS_S.length);
  const reuseBlocks = CACHE_TTLS_S.map(() => new Int32Array(n));
  const seenAt = new Float64Array(ids.blockCount).fill(Number.NaN);
  // Backward pass: how many leading blocks a later call reuses within each TTL.
  for (let i = n - 1; i >= 0; i--) {
    if (ids.blockStart[i + 1] === ids.blockStart[i]) continue;
    leadingWithin(ids, i, seenAt, calls[i]!.timestamp, hit);
    for (let t = 0; t < CACHE_TTLS_S.length; t++) reuseBlocks[t]![i] = hit[t]!;
    markSeen(ids, i, seenAt, calls[i]!.timestamp);
  }
  // Forward pass: how many leading blocks an earlier call already sent within each TTL.
  seenAt.fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    if (ids.blockStart[i + 1] === ids.blockStart[i]) continue;
    const c = calls[i]!;
    leadingWithin(ids, i, seenAt, c.timestamp, hit);
    for (let t = 0; t < CACHE_TTLS_S.length; t++) {
      const repeat = Math.min(hit[t]! * PREFIX_BLOCK_TOKENS, c.input_tokens);
      const reusable = Math.min(reuseBlocks[t]![i]! * PREFIX_BLOCK_TOKENS, c.input_tokens);
      cols.repeatTokens[t]![i] = repeat;
      cols.writeTokens[t]![i] = Math.max(0, reusable - repeat);
    }
    markSeen(ids, i, seenAt, c.timestamp);
  }
}

function deriveUnreadWrites(calls: readonly LlmCall[], cols: DerivedColumns): void {
  const { ids } = cols;
  const nextReadAt = new Float64Array(ids.blockCount).fill(Number.NaN);
  for (let i = calls.length - 1; i >= 0; i--) {
    const key = ids.cacheKeyId[i]!;
    if (key < 0) continue;
    const c = calls[i]!;
    if (c.cache_write_tokens > 0 && !(nextReadAt[key]! - c.timestamp <= CACHE_READ_WINDOW_MS)) cols.writeUnread[i] = 1;
    if (c.cached_input_tokens > 0) nextReadAt[key] = c.timestamp;
  }
}

// In-process reference implementation of the workload profile: one validation pass, one sort, the
// per-call derivations of derive.ts, one aggregation pass. The ClickHouse SQL must agree with it exactly.
import { findModel } from '../catalog/index.js';
import { DAY_MS } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';
import { ModelAcc, SegmentAcc, addCall, emptyCounts } from './accumulators.js';
import { HOUR_MS, MINUTE_MS, byTimeThenId, callCost, deriveColumns, floorTo, invalidReason, is429, isOk } from './derive.js';
import type { DerivedColumns, InvalidReason } from './derive.js';
import { distribution } from './distribution.js';
import {
  PROFILE_VERSION,
  type DataQuality,
  type DuplicatePrompt,
  type HourBucket,
  type ProfileWindow,
  type RateLimitMinute,
  type UserDaySpend,
  type UserSpend,
  type UsersProfile,
  type WorkloadProfile,
} from './types.js';

/** Length of the top-N lists (duplicate prompts, unknown models, top users and user-days). */
export const TOP_N = 20;

export interface BuildProfileOptions {
  /** Window start, epoch ms inclusive; default: the UTC hour of the first call. */
  from?: number;
  /** Window end, epoch ms exclusive; default: the UTC hour after the last call. */
  to?: number;
}

export function buildProfile(calls: Iterable<LlmCall>, opts: BuildProfileOptions = {}): WorkloadProfile {
  const dq = emptyDataQuality();
  const valid = collectValid(calls, opts, dq);
  valid.sort(byTimeThenId);
  const window = windowOf(valid, opts);
  const derived = deriveColumns(valid);
  return aggregate(valid, derived, window, dq);
}

function collectValid(calls: Iterable<LlmCall>, opts: BuildProfileOptions, dq: DataQuality): LlmCall[] {
  const valid: LlmCall[] = [];
  const reasonCounter: Record<InvalidReason, Exclude<keyof DataQuality, 'unknown_models'>> = {
    missing_fields: 'missing_fields_calls',
    negative_tokens: 'negative_tokens_calls',
    absurd_tokens: 'absurd_tokens_calls',
    cached_exceeds_input: 'cached_exceeds_input_calls',
    bad_cost: 'bad_cost_calls',
    bad_timestamp: 'bad_timestamp_calls',
  };
  for (const c of calls) {
    dq.records++;
    const reason = c && typeof c === 'object' ? invalidReason(c) : 'missing_fields';
    if (reason) {
      dq.invalid_calls++;
      dq[reasonCounter[reason]]++;
      continue;
    }
    if ((opts.from !== undefined && c.timestamp < opts.from) || (opts.to !== undefined && c.timestamp >= opts.to)) {
      dq.out_of_window_calls++;
      continue;
    }
    valid.push(c);
  }
  return valid;
}

function windowOf(sorted: readonly LlmCall[], opts: BuildProfileOptions): ProfileWindow {
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const from = opts.from ?? (first ? floorTo(first.timestamp, HOUR_MS) : 0);
  const to = opts.to ?? (last ? floorTo(last.timestamp, HOUR_MS) + HOUR_MS : from);
  return { from, to, days: Math.max(0, (to - from) / DAY_MS) };
}

/** Groups keyed by a sub-key within the current time bucket; calls arrive in time order. */
class RollingBuckets<T, K = string> {
  private time = Number.NaN;
  private current = new Map<K, T>();

  constructor(private readonly flush: (buckets: Map<K, T>) => void) {}

  /** The bucket of `key` at `time`, undefined when new (then `put` it). */
  get(time: number, key: K): T | undefined {
    if (time !== this.time) {
      this.end();
      this.time = time;
    }
    return this.current.get(key);
  }

  put(key: K, bucket: T): T {
    this.current.set(key, bucket);
    return bucket;
  }

  end(): void {
    if (this.current.size > 0) this.flush(this.current);
    this.current = new Map();
  }
}

const byKey = <T>(m: Map<string, T>): T[] => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);

function aggregate(calls: readonly LlmCall[], d: DerivedColumns, window: ProfileWindow, dq: DataQuality): WorkloadProfile {
  const { ids } = d;
  const totals = emptyCounts();
  const known = ids.models.map((m) => findModel(m.model, m.provider) !== undefined);
  const models = ids.models.map((m, j) => new ModelAcc(m.provider, m.model, known[j]!));
  const segments = ids.segments.map((s) => new SegmentAcc(s.feature, s.provider, s.model, known[s.modelId]!));
  const unknownCalls = new Int32Array(ids.models.length);
  const hours: HourBucket[] = [];
  const hourBuckets = new RollingBuckets<HourBucket>((m) => {
    for (const b of byKey(m)) hours.push(b);
  });
  const rateLimitMinutes: RateLimitMinute[] = [];
  const minuteBuckets = new RollingBuckets<RateLimitMinute, number>((m) => {
    for (const b of [...m.values()].sort(byModel)) if (b.status_429_calls > 0 && b.fast_retry_after_429_calls > 0) rateLimitMinutes.push(b);
  });
  const userDays: UserDaySpend[] = [];
  const userDayBuckets = new RollingBuckets<UserDaySpend, number>((m) => {
    for (const b of m.values()) userDays.push(b);
  });
  const userCalls = new Int32Array(ids.users.length);
  const userCost = new Float64Array(ids.users.length);
  const userInput = new Float64Array(ids.users.length);
  const userOutput = new Float64Array(ids.users.length);
  const promptCalls = new Int32Array(ids.modelPromptCount);
  const dupPrompts = new Map<number, DuplicatePrompt>();

  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const m = ids.modelId[i]!;
    const isKnown = known[m]!;
    const cost = callCost(c, isKnown);
    if (!isKnown) unknownCalls[m]!++;
    countDataQuality(c, isKnown, dq);
    addCall(totals, c, cost);
    models[m]!.add(c, cost);
    segments[ids.segmentId[i]!]!.add(c, cost, i, d);

    const feature = c.feature ?? '';
    const hour = floorTo(c.timestamp, HOUR_MS);
    const hb =
      hourBuckets.get(hour, feature) ??
      hourBuckets.put(feature, { hour, feature, calls: 0, error_calls: 0, cost_nanousd: 0, input_tokens: 0, output_tokens: 0 });
    hb.calls++;
    if (!isOk(c.status)) hb.error_calls++;
    hb.cost_nanousd += cost;
    hb.input_tokens += c.input_tokens;
    hb.output_tokens += c.output_tokens;

    const minute = floorTo(c.timestamp, MINUTE_MS);
    const mb =
      minuteBuckets.get(minute, m) ??
      minuteBuckets.put(m, {
        minute,
        provider: c.provider,
        model: c.model,
        calls: 0,
        status_429_calls: 0,
        fast_retry_after_429_calls: 0,
        retry_wait_ms: 0,
      });
    mb.calls++;
    if (is429(c.status)) mb.status_429_calls++;
    if (d.fastRetryAfter429[i]) mb.fast_retry_after_429_calls++;
    if (d.retryAfter429[i]) mb.retry_wait_ms += d.retryGapMs[i]!;

    const u = ids.userId[i]!;
    if (u >= 0) {
      userCalls[u]!++;
      userCost[u]! += cost;
      userInput[u]! += c.input_tokens;
      userOutput[u]! += c.output_tokens;
      const day = floorTo(c.timestamp, DAY_MS);
      const ud = userDayBuckets.get(day, u) ?? userDayBuckets.put(u, { user: ids.users[u]!, day, calls: 0, cost_nanousd: 0 });
      ud.calls++;
      ud.cost_nanousd += cost;
    }

    const mp = ids.modelPromptId[i]!;
    if (mp >= 0) {
      promptCalls[mp]!++;
      if (d.exactDup[i]) {
        let dp = dupPrompts.get(mp);
        if (!dp) dupPrompts.set(mp, (dp = { provider: c.provider, model: c.model, prompt_hash: c.prompt_hash!, calls: 0, dup_calls: 0, dup_cost_nanousd: 0 }));
        dp.dup_calls++;
        dp.dup_cost_nanousd += cost;
      }
    }
  }
  hourBuckets.end();
  minuteBuckets.end();
  userDayBuckets.end();
  for (const [mp, dp] of dupPrompts) dp.calls = promptCalls[mp]!;
  dq.unknown_models = topN(
    ids.models.flatMap((k, j) => (unknownCalls[j]! > 0 ? [{ provider: k.provider, model: k.model, calls: unknownCalls[j]! }] : [])),
    (a, b) => b.calls - a.calls || byModel(a, b),
  );

  return {
    version: PROFILE_VERSION,
    window,
    totals,
    models: models.map((m) => m.freeze()).sort((a, b) => b.cost_nanousd - a.cost_nanousd || byModel(a, b)),
    segments: segments.map((s) => s.freeze()).sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.feature, b.feature) || byModel(a, b)),
    hours,
    rate_limit_minutes: rateLimitMinutes,
    duplicate_prompts: topN(
      [...dupPrompts.values()],
      (a, b) => b.dup_cost_nanousd - a.dup_cost_nanousd || byModel(a, b) || cmp(a.prompt_hash, b.prompt_hash),
    ),
    users: usersProfile(
      ids.users.map((user, u) => ({ user, calls: userCalls[u]!, cost_nanousd: userCost[u]!, input_tokens: userInput[u]!, output_tokens: userOutput[u]! })),
      userDays,
    ),
    data_quality: dq,
  };
}

function usersProfile(users: UserSpend[], userDays: UserDaySpend[]): UsersProfile {
  return {
    users: users.length,
    user_days: userDays.length,
    user_day_cost: distribution(userDays.map((u) => u.cost_nanousd)),
    top_users: topN(users, (a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user)),
    top_user_days: topN(userDays, (a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user) || a.day - b.day),
  };
}

function countDataQuality(c: LlmCall, known: boolean, dq: DataQuality): void {
  if (!known) dq.unknown_model_calls++;
  else if (c.cost_nanousd === null || c.cost_nanousd === undefined) dq.missing_cost_calls++;
  if (isOk(c.status) && c.input_tokens === 0 && c.output_tokens === 0) dq.zero_token_calls++;
  if (c.latency_ms === null || c.latency_ms === undefined) dq.missing_latency_calls++;
  if (c.stream === true && (c.ttft_ms === null || c.ttft_ms === undefined)) dq.missing_ttft_streamed_calls++;
  if (!c.prompt_hash) dq.missing_prompt_hash_calls++;
  if ((c.prefix_hashes?.length ?? 0) === 0) dq.missing_prefix_hashes_calls++;
  if (!c.feature) dq.missing_feature_calls++;
  if (!c.user) dq.missing_user_calls++;
  if (c.stream === null || c.stream === undefined) dq.missing_stream_calls++;
  if (c.max_tokens !== null && c.max_tokens !== undefined && c.output_tokens > c.max_tokens) dq.output_exceeds_max_tokens_calls++;
  if (c.reasoning_tokens > c.output_tokens) dq.reasoning_exceeds_output_calls++;
}

export function emptyDataQuality(): DataQuality {
  return {
    records: 0,
    invalid_calls: 0,
    missing_fields_calls: 0,
    negative_tokens_calls: 0,
    absurd_tokens_calls: 0,
    cached_exceeds_input_calls: 0,
    bad_cost_calls: 0,
    bad_timestamp_calls: 0,
    out_of_window_calls: 0,
    unknown_model_calls: 0,
    unknown_models: [],
    missing_cost_calls: 0,
    zero_token_calls: 0,
    missing_latency_calls: 0,
    missing_ttft_streamed_calls: 0,
    missing_prompt_hash_calls: 0,
    missing_prefix_hashes_calls: 0,
    missing_feature_calls: 0,
    missing_user_calls: 0,
    missing_stream_calls: 0,
    output_exceeds_max_tokens_calls: 0,
    reasoning_exceeds_output_calls: 0,
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byModel = (a: { provider: string; model: string }, b: { provider: string; model: string }): number =>
  cmp(a.provider, b.provider) || cmp(a.model, b.model);

function topN<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  return items.sort(compare).slice(0, TOP_N);
}

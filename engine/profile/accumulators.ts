// Running sums of the reference profile: one accumulator per model and per segment, fed call by call
// in (timestamp, request_id) order, then frozen into the profile's plain objects.
import type { LlmCall } from '../telemetry/record.js';
import { DOUBLE_FIRE_MS, HISTORY_WINDOW_TOKENS, MINUTE_MS, OFF_HOURS_END_UTC, floorTo, is429, isOk, isTimeout, roundLimitIndex } from './derive.js';
import type { DerivedColumns } from './derive.js';
import { Values, distributionOfSorted, excessOverSorted } from './distribution.js';
import {
  CACHE_MIN_TOKENS,
  CACHE_TTLS_S,
  ROUND_LIMITS_S,
  type CallCounts,
  type ModelProfile,
  type PrefixCacheStats,
  type SegmentProfile,
  type TokenSums,
} from './types.js';

export function emptyCounts(): CallCounts & TokenSums {
  return {
    calls: 0,
    ok_calls: 0,
    error_calls: 0,
    status_429_calls: 0,
    timeout_calls: 0,
    cost_nanousd: 0,
    input_tokens: 0,
    output_tokens: 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
  };
}

const COUNT_KEYS = Object.keys(emptyCounts()) as (keyof (CallCounts & TokenSums))[];

/** Adds the CallCounts & TokenSums fields of `c` to those of `acc` (either may carry other fields, left as they are). */
export function addCounts(acc: CallCounts & TokenSums, c: CallCounts & TokenSums): void {
  for (const k of COUNT_KEYS) acc[k] += c[k];
}

export function addCall(acc: CallCounts & TokenSums, c: LlmCall, cost: number): void {
  acc.calls++;
  if (isOk(c.status)) acc.ok_calls++;
  else acc.error_calls++;
  if (is429(c.status)) acc.status_429_calls++;
  if (isTimeout(c.status)) acc.timeout_calls++;
  acc.cost_nanousd += cost;
  acc.input_tokens += c.input_tokens;
  acc.output_tokens += c.output_tokens;
  acc.cached_input_tokens += c.cached_input_tokens;
  acc.cache_write_tokens += c.cache_write_tokens;
  acc.reasoning_tokens += c.reasoning_tokens;
}

const hasValue = (v: number | null | undefined): v is number => v !== null && v !== undefined;

export class ModelAcc {
  readonly counts = emptyCounts();
  private readonly latency = new Values();
  private readonly ttft = new Values();
  private readonly ttftStreamed = new Values();
  private readonly input = new Values();

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly known: boolean,
  ) {}

  add(c: LlmCall, cost: number): void {
    addCall(this.counts, c, cost);
    this.input.push(c.input_tokens);
    if (!isOk(c.status)) return;
    if (hasValue(c.latency_ms)) this.latency.push(c.latency_ms);
    if (hasValue(c.ttft_ms)) {
      this.ttft.push(c.ttft_ms);
      if (c.stream === true) this.ttftStreamed.push(c.ttft_ms);
    }
  }

  freeze(): ModelProfile {
    return {
      provider: this.provider,
      model: this.model,
      known: this.known,
      ...this.counts,
      latency_ms: distributionOfSorted(this.latency.sorted()),
      ttft_ms: distributionOfSorted(this.ttft.sorted()),
      ttft_streamed_ms: distributionOfSorted(this.ttftStreamed.sorted()),
      input_tokens_dist: distributionOfSorted(this.input.sorted()),
    };
  }
}

const PREFIX_FIELDS = 5; // hit_calls, repeat, gap, write, extra_write

export class SegmentAcc {
  readonly counts = emptyCounts();
  private readonly n = {
    streamed_calls: 0,
    non_streamed_calls: 0,
    user_calls: 0,
    off_hours_calls: 0,
    max_tokens_set_calls: 0,
    hit_max_tokens_calls: 0,
    billed_failed_calls: 0,
    billed_failed_cost_nanousd: 0,
    ok_output_tokens: 0,
    exact_dup_calls: 0,
    exact_dup_cost_nanousd: 0,
    exact_dup_latency_ms: 0,
    double_fire_calls: 0,
    near_dup_calls: 0,
    near_dup_cost_nanousd: 0,
    retry_calls: 0,
    retry_after_429_calls: 0,
    fast_retry_after_429_calls: 0,
    retry_wait_ms: 0,
    fallback_calls: 0,
    prefix_calls: 0,
    cache_write_calls: 0,
    cache_write_unread_calls: 0,
    cache_write_unread_tokens: 0,
    followup_calls: 0,
    growing_calls: 0,
    history_excess_tokens: 0,
  };
  private readonly latency = new Values();
  private readonly latencyNonStreamed = new Values();
  private readonly ttft = new Values();
  private readonly inputOk = new Values();
  private readonly outputOk = new Values();
  private readonly callsPerMinute = new Values();
  private minute = Number.NaN;
  private minuteCalls = 0;
  private readonly prefix = new Float64Array(CACHE_TTLS_S.length * CACHE_MIN_TOKENS.length * PREFIX_FIELDS);
  private readonly atLimit = new Array<number>(ROUND_LIMITS_S.length).fill(0);

  constructor(
    readonly feature: string,
    readonly provider: string,
    readonly model: string,
    readonly known: boolean,
  ) {}

  add(c: LlmCall, cost: number, i: number, d: DerivedColumns): void {
    const n = this.n;
    addCall(this.counts, c, cost);
    const ok = isOk(c.status);
    if (c.stream === true) n.streamed_calls++;
    else if (c.stream === false) n.non_streamed_calls++;
    if (c.user) n.user_calls++;
    if (Math.floor(c.timestamp / 3_600_000) % 24 < OFF_HOURS_END_UTC) n.off_hours_calls++;
    if (hasValue(c.max_tokens)) {
      n.max_tokens_set_calls++;
      if (c.output_tokens >= c.max_tokens) n.hit_max_tokens_calls++;
    }
    if (!ok && c.output_tokens > 0) {
      n.billed_failed_calls++;
      n.billed_failed_cost_nanousd += cost;
    }
    if (ok) {
      n.ok_output_tokens += c.output_tokens;
      this.inputOk.push(c.input_tokens);
      this.outputOk.push(c.output_tokens);
      if (hasValue(c.latency_ms)) {
        this.latency.push(c.latency_ms);
        if (c.stream === false) this.latencyNonStreamed.push(c.latency_ms);
      }
      if (hasValue(c.ttft_ms)) this.ttft.push(c.ttft_ms);
    }
    this.countMinute(floorTo(c.timestamp, MINUTE_MS));

    if (d.exactDup[i]) {
      n.exact_dup_calls++;
      n.exact_dup_cost_nanousd += cost;
      if (hasValue(c.latency_ms)) n.exact_dup_latency_ms += c.latency_ms;
      if (d.dupGapMs[i]! <= DOUBLE_FIRE_MS) n.double_fire_calls++;
    }
    if (d.nearDup[i]) {
      n.near_dup_calls++;
      n.near_dup_cost_nanousd += cost;
    }
    if (d.retry[i]) {
      n.retry_calls++;
      n.retry_wait_ms += d.retryGapMs[i]!;
      if (d.retryAfter429[i]) n.retry_after_429_calls++;
      if (d.fastRetryAfter429[i]) n.fast_retry_after_429_calls++;
      if (d.fallback[i]) n.fallback_calls++;
    }
    if ((c.prefix_hashes?.length ?? 0) > 0) {
      n.prefix_calls++;
      this.addPrefix(c, i, d);
    }
    if (c.cache_write_tokens > 0) {
      n.cache_write_calls++;
      if (d.writeUnread[i]) {
        n.cache_write_unread_calls++;
        n.cache_write_unread_tokens += c.cache_write_tokens;
      }
    }
    if (d.followup[i]) {
      n.followup_calls++;
      if (d.growing[i]) {
        n.growing_calls++;
        n.history_excess_tokens += Math.max(0, c.input_tokens - HISTORY_WINDOW_TOKENS);
      }
    }
    const limit = roundLimitIndex(c.latency_ms, ROUND_LIMITS_S);
    if (limit >= 0) this.atLimit[limit]!++;
  }

  private countMinute(minute: number): void {
    if (minute === this.minute) {
      this.minuteCalls++;
      return;
    }
    if (this.minuteCalls > 0) this.callsPerMinute.push(this.minuteCalls);
    this.minute = minute;
    this.minuteCalls = 1;
  }

  private addPrefix(c: LlmCall, i: number, d: DerivedColumns): void {
    let k = 0;
    for (let t = 0; t < CACHE_TTLS_S.length; t++) {
      const repeat = d.repeatTokens[t]![i]!;
      const write = d.writeTokens[t]![i]!;
      for (const min of CACHE_MIN_TOKENS) {
        const r = repeat >= min ? repeat : 0;
        const w = repeat + write >= min ? write : 0;
        if (r > 0) this.prefix[k]!++;
        this.prefix[k + 1]! += r;
        this.prefix[k + 2]! += Math.max(0, r - c.cached_input_tokens);
        this.prefix[k + 3]! += w;
        this.prefix[k + 4]! += Math.max(0, w - c.cache_write_tokens);
        k += PREFIX_FIELDS;
      }
    }
  }

  freeze(): SegmentProfile {
    if (this.minuteCalls > 0) {
      this.callsPerMinute.push(this.minuteCalls);
      this.minuteCalls = 0;
    }
    const outputSorted = this.outputOk.sorted();
    const output = distributionOfSorted(outputSorted);
    const prefixCache: PrefixCacheStats[] = [];
    let k = 0;
    for (const ttl_s of CACHE_TTLS_S) {
      for (const min_tokens of CACHE_MIN_TOKENS) {
        prefixCache.push({
          ttl_s,
          min_tokens,
          hit_calls: this.prefix[k]!,
          repeat_tokens: this.prefix[k + 1]!,
          gap_tokens: this.prefix[k + 2]!,
          write_tokens: this.prefix[k + 3]!,
          extra_write_tokens: this.prefix[k + 4]!,
        });
        k += PREFIX_FIELDS;
      }
    }
    return {
      feature: this.feature,
      provider: this.provider,
      model: this.model,
      known: this.known,
      ...this.counts,
      ...this.n,
      latency_ms: distributionOfSorted(this.latency.sorted()),
      latency_non_streamed_ms: distributionOfSorted(this.latencyNonStreamed.sorted()),
      ttft_ms: distributionOfSorted(this.ttft.sorted()),
      input_tokens_dist: distributionOfSorted(this.inputOk.sorted()),
      output_tokens_dist: output,
      output_over_p95_tokens: excessOverSorted(outputSorted, output.p95),
      output_over_p99_tokens: excessOverSorted(outputSorted, output.p99),
      calls_per_minute: distributionOfSorted(this.callsPerMinute.sorted()),
      prefix_cache: prefixCache,
      latency_at_limit: ROUND_LIMITS_S.map((limit_s, j) => ({ limit_s, calls: this.atLimit[j]! })),
    };
  }
}

// What-if: replay past traffic under a gateway policy. Over calls (exact, per call) for small sets,
// over the profile's aggregates otherwise. Both price before and after with the catalog, so a rule
// that changes nothing saves nothing.
import { findModel, type CallUsage, type CatalogModel } from '../../catalog/index.js';
import type { LlmCall } from '../../telemetry/record.js';
import { byTimeThenId, deriveColumns, invalidReason, type DerivedColumns } from '../../profile/derive.js';
import { CACHE_TTLS_S, type SegmentProfile, type WorkloadProfile } from '../../profile/types.js';
import { cachePrices, costOf, minTokensBucket, prefixStats, ratio, ttlBucket, usageOf } from '../shared.js';
import { matchRule, type GatewayPolicy, type PolicyRule } from './policy.js';

export interface RuleOutcome {
  rule_id: string;
  calls: number;
  before_nanousd: number;
  after_nanousd: number;
  saving_nanousd: number;
  /** route_to names a model the catalog does not know: routing was ignored. */
  unknown_target: boolean;
}

export interface SimulationResult {
  mode: 'calls' | 'profile';
  before_nanousd: number;
  after_nanousd: number;
  saving_nanousd: number;
  per_rule: RuleOutcome[];
}

/** Prompt-cache tokens a target model would bill as read / written. */
type CacheFor = (target: CatalogModel) => { cached: number; written: number };

/** Cost of a usage under one rule, on the current model or the rule's target. */
function costUnderRule(rule: PolicyRule, current: CatalogModel, target: CatalogModel | undefined, usage: CallUsage, cacheFor: CacheFor): number {
  const share = target ? (rule.route_share ?? 1) : 0;
  const priced = (m: CatalogModel): number => {
    let u = usage;
    if (rule.prompt_cache && cachePrices(m)) {
      const { cached, written } = cacheFor(m);
      u = { ...usage, cached_input_tokens: cached, cache_write_tokens: Math.min(written, Math.max(0, usage.input_tokens - cached)) };
    }
    const b = rule.batch_share ?? 0;
    return (1 - b) * costOf(m, u) + (b > 0 ? b * costOf(m, { ...u, batch: true }) : 0);
  };
  return (1 - share) * priced(current) + (share > 0 && target ? share * priced(target) : 0);
}

class Outcomes {
  readonly byRule = new Map<string, RuleOutcome>();
  before = 0;
  after = 0;

  add(rule: PolicyRule | undefined, calls: number, before: number, after: number, unknownTarget: boolean): void {
    const b = Math.round(before);
    const a = Math.round(after);
    this.before += b;
    this.after += a;
    if (!rule) return;
    let o = this.byRule.get(rule.id);
    if (!o) this.byRule.set(rule.id, (o = { rule_id: rule.id, calls: 0, before_nanousd: 0, after_nanousd: 0, saving_nanousd: 0, unknown_target: false }));
    o.calls += calls;
    o.before_nanousd += b;
    o.after_nanousd += a;
    o.saving_nanousd = o.before_nanousd - o.after_nanousd;
    o.unknown_target ||= unknownTarget;
  }

  result(mode: SimulationResult['mode'], policy: GatewayPolicy): SimulationResult {
    const per_rule = policy.rules.flatMap((r) => this.byRule.get(r.id) ?? []);
    return { mode, before_nanousd: this.before, after_nanousd: this.after, saving_nanousd: this.before - this.after, per_rule };
  }
}

const targetOf = (rule: PolicyRule | undefined): CatalogModel | undefined =>
  rule?.route_to ? findModel(rule.route_to.model, rule.route_to.provider) : undefined;

function simulateCalls(input: readonly LlmCall[], policy: GatewayPolicy): SimulationResult {
  const calls = input.filter((c) => c && invalidReason(c) === null).sort(byTimeThenId);
  const d: DerivedColumns = deriveColumns(calls);
  const out = new Outcomes();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const current = findModel(c.model, c.provider);
    if (!current) continue;
    const usage: CallUsage = {
      input_tokens: c.input_tokens,
      output_tokens: c.output_tokens,
      cached_input_tokens: c.cached_input_tokens,
      cache_write_tokens: c.cache_write_tokens,
    };
    const before = costOf(current, usage);
    const rule = matchRule(policy, c.feature ?? '', c.provider, c.model);
    if (!rule) {
      out.add(undefined, 1, before, before, false);
      continue;
    }
    const target = targetOf(rule);
    const unknownTarget = rule.route_to !== undefined && !target;
    const ttlMs = (rule.response_cache_ttl_s ?? 0) * 1000;
    if (ttlMs > 0 && d.exactDup[i] && d.dupGapMs[i]! <= ttlMs) {
      out.add(rule, 1, before, 0, unknownTarget);
      continue;
    }
    const capped = rule.max_tokens === undefined ? usage : { ...usage, output_tokens: Math.min(usage.output_tokens, rule.max_tokens) };
    const cacheFor: CacheFor = (m) => {
      const t = CACHE_TTLS_S.indexOf(ttlBucket(m));
      const min = minTokensBucket(m);
      const repeat = d.repeatTokens[t]![i]!;
      const write = d.writeTokens[t]![i]!;
      const r = repeat >= min ? repeat : 0;
      const w = repeat + write >= min ? write : 0;
      return {
        cached: Math.max(c.cached_input_tokens, r),
        written: cachePrices(m)!.explicit ? Math.max(c.cache_write_tokens, w) : c.cache_write_tokens,
      };
    };
    out.add(rule, 1, before, costUnderRule(rule, current, target, capped, cacheFor), unknownTarget);
  }
  return out.result('calls', policy);
}

/**
 * Output tokens a cap removes from a segment, from its distribution: exact at the p95 and p99,
 * linear in between and above; below the p95 a lower bound (5% of ok calls lose cap distance).
 */
export function outputTrimmedByCap(seg: SegmentProfile, cap: number): number {
  const { p95, p99, max } = seg.output_tokens_dist;
  if (p95 === null || p99 === null || max === null || cap >= max) return 0;
  const over95 = seg.output_over_p95_tokens;
  const over99 = seg.output_over_p99_tokens;
  if (cap >= p99) return over99 * ratio(max - cap, max - p99);
  if (cap >= p95) return over99 + (over95 - over99) * (p99 > p95 ? (p99 - cap) / (p99 - p95) : 1);
  return over95 + (p95 - cap) * Math.ceil(0.05 * seg.ok_calls);
}

function simulateProfile(profile: WorkloadProfile, policy: GatewayPolicy): SimulationResult {
  const out = new Outcomes();
  for (const seg of profile.segments) {
    const current = seg.known ? findModel(seg.model, seg.provider) : undefined;
    if (!current) continue;
    const usage = usageOf(seg);
    const before = costOf(current, usage);
    const rule = matchRule(policy, seg.feature, seg.provider, seg.model);
    if (!rule) {
      out.add(undefined, seg.calls, before, before, false);
      continue;
    }
    const target = targetOf(rule);
    // Response cache (profile mode assumes the 24 h duplicate window): drop the duplicates' share of usage.
    const kept = rule.response_cache_ttl_s ? 1 - Math.min(1, ratio(seg.exact_dup_cost_nanousd, seg.cost_nanousd)) : 1;
    const trimmed = rule.max_tokens === undefined ? 0 : Math.min(seg.output_tokens, outputTrimmedByCap(seg, rule.max_tokens));
    const scaled: CallUsage = {
      input_tokens: usage.input_tokens * kept,
      output_tokens: (usage.output_tokens - trimmed) * kept,
      cached_input_tokens: (usage.cached_input_tokens ?? 0) * kept,
      cache_write_tokens: (usage.cache_write_tokens ?? 0) * kept,
      // summed usage: the price tier is the mean prompt's, never the segment's total as one prompt
      calls: (usage.calls ?? seg.calls) * kept,
    };
    const cacheFor: CacheFor = (m) => {
      const st = prefixStats(seg, ttlBucket(m), minTokensBucket(m));
      return {
        cached: Math.min(scaled.input_tokens, (scaled.cached_input_tokens ?? 0) + st.gap_tokens * kept),
        written: (scaled.cache_write_tokens ?? 0) + (cachePrices(m)!.explicit ? st.extra_write_tokens * kept : 0),
      };
    };
    out.add(rule, seg.calls, before, costUnderRule(rule, current, target, scaled, cacheFor), rule.route_to !== undefined && !target);
  }
  return out.result('profile', policy);
}

/** Replays past calls (or a profile's aggregates) under `policy`; money in integer nano-USD. */
export function simulatePolicy(input: readonly LlmCall[] | WorkloadProfile, policy: GatewayPolicy): SimulationResult {
  return Array.isArray(input) ? simulateCalls(input, policy) : simulateProfile(input as WorkloadProfile, policy);
}

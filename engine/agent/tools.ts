// The agent's tool registry: each tool has a zod input schema (what the offline planner builds and what an
// LLM's tool call must satisfy) and a pure run over the workload profile(s) the data step loaded. Every
// figure of an answer comes from one of these outputs.
import * as z from 'zod';
import { analyzeWorkload, type CombinedSaving } from '../analyze.js';
import { CATALOG, capabilityOf, CAPABILITY_SOURCES, findModel, sufficientFor, type CatalogModel, type MeasuredTier } from '../catalog/index.js';
import { perMonthUsd, pctOf, type Finding } from '../findings.js';
import { monthlyBasis } from '../monthly-basis.js';
import type { Distribution, SegmentProfile, WorkloadProfile } from '../profile/types.js';
import { TOOLS, TOOL_IDS, combineSavings, runAllTools, simulatePolicy } from '../tools/index.js';
import type { GatewayPolicy } from '../tools/policy/policy.js';
import { UNTAGGED, costOf, usageOf } from '../tools/shared.js';
import { nanoToUsd } from '../telemetry/record.js';
import type { LedgerSummary } from '../realized-savings.js';

/** What a tool sees: the scoped window's profile, for period comparisons the period before it, and the gateway's savings ledger. */
export interface ToolData {
  profile: WorkloadProfile | null;
  previous: WorkloadProfile | null;
  /** Loaded only for a question about measured savings (db/savings.ts ledgerSummary). */
  ledger?: LedgerSummary | null;
}

const userSpendInput = z.object({ users: z.array(z.string().max(200)).max(20).default([]) });

const scopeInput = z.object({
  features: z.array(z.string().max(200)).max(20).default([]),
  models: z.array(z.string().max(200)).max(20).default([]),
  providers: z.array(z.string().max(100)).max(20).default([]),
  exclude_features: z.array(z.string().max(200)).max(20).default([]),
  exclude_providers: z.array(z.string().max(100)).max(20).default([]),
});
type ScopeInput = z.infer<typeof scopeInput>;
export const SPEND_BY = ['segment', 'feature', 'model', 'provider'] as const;
export type SpendBy = (typeof SPEND_BY)[number];
const spendInput = scopeInput.extend({ by: z.enum(SPEND_BY).default('segment') });

const inScope = (s: Pick<SegmentProfile, 'feature' | 'provider' | 'model'>, scope: ScopeInput) =>
  (scope.features.length === 0 || scope.features.includes(s.feature)) &&
  (scope.models.length === 0 || scope.models.includes(s.model)) &&
  (scope.providers.length === 0 || scope.providers.includes(s.provider)) &&
  !scope.exclude_features.includes(s.feature) &&
  !scope.exclude_providers.includes(s.provider);

const excludes = (scope: ScopeInput) => scope.exclude_features.length > 0 || scope.exclude_providers.length > 0;
const unscoped = (scope: ScopeInput) => scope.features.length === 0 && scope.models.length === 0 && scope.providers.length === 0 && !excludes(scope);

/**
 * A finding belongs to the scope when it names a scoped feature or model, or when it is model-wide (no
 * feature) on a model the scoped features use; org-wide findings (no feature, no model) always do. A finding
 * about another feature's calls, or about the untagged calls (group 'untagged'), does not.
 */
function findingInScope(f: Finding, scope: ScopeInput, p: WorkloadProfile): boolean {
  const { feature, model, provider } = f.where;
  if (feature && scope.exclude_features.includes(feature)) return false;
  if (provider && scope.exclude_providers.includes(provider)) return false;
  if (scope.models.length > 0 && model && !scope.models.includes(model)) return false;
  // a provider scope: the finding's provider, or the provider of the model it names (org-wide findings stay)
  if (scope.providers.length > 0 && (provider || model) && !(provider ? scope.providers.includes(provider) : p.segments.some((s) => s.model === model && scope.providers.includes(s.provider)))) return false;
  if (scope.features.length === 0 && !excludes(scope)) return true;
  if (feature) return scope.features.length === 0 || scope.features.includes(feature);
  // the calls that name no feature are none of the named features
  if (f.where.group === UNTAGGED) return false;
  return !model || p.segments.some((s) => s.model === model && inScope(s, scope));
}

export interface SpendRow {
  /** '' for calls that name no feature; '' too when the rows are per model or provider. */
  feature: string;
  /** '' when the rows are per feature. */
  provider: string;
  /** '' when the rows are per feature or provider. */
  model: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** USD per call, 3 significant digits. */
  cost_per_call_usd: number;
  share_pct: number;
}

export interface SpendBreakdownOutput {
  by: SpendBy;
  /** The scope's share of the whole window's spend (100 when the question names no feature or model). */
  share_of_all_pct: number;
  calls: number;
  cost_usd: number;
  cost_per_call_usd: number;
  cost_usd_month: number;
  /** Σ over the scope's calls. */
  input_tokens: number;
  output_tokens: number;
  days: number;
  rows: SpendRow[];
}

export interface ChangeRow {
  feature: string;
  provider: string;
  model: string;
  before_usd: number;
  after_usd: number;
  delta_usd: number;
  /** The part of the change from the number of calls (at the earlier cost per call). */
  volume_usd: number;
  /** The part from cost per call (price, tokens per call, model mix within the segment). */
  per_call_usd: number;
}

export interface SpendChangeOutput {
  window: { from: number; to: number };
  previous_window: { from: number; to: number };
  before_usd: number;
  after_usd: number;
  delta_usd: number;
  delta_pct: number | null;
  before_calls: number;
  after_calls: number;
  volume_usd: number;
  per_call_usd: number;
  rows: ChangeRow[];
}

export interface LatencyRow {
  feature: string | null;
  provider: string;
  model: string;
  calls: number;
  latency_ms: Distribution;
  ttft_ms: Distribution;
}

export interface LatencyChangeRow {
  feature: string | null;
  provider: string;
  model: string;
  before_calls: number;
  after_calls: number;
  before_ms: number;
  after_ms: number;
  /** after − before, and relative to before (%). */
  delta_ms: number;
  delta_pct: number;
}

export interface LatencyChangeOutput {
  percentile: 'p50' | 'p95' | 'p99';
  window: { from: number; to: number };
  previous_window: { from: number; to: number };
  /** Models (or feature × model) with ok calls that have a latency in both periods, largest relative change first. */
  rows: LatencyChangeRow[];
  /** How many were compared (rows holds the first 15). */
  compared: number;
  rose: number;
  fell: number;
  /** In one period only (no comparison). */
  only_now: number;
  only_before: number;
}

export interface WhatIfOutput {
  from: { features: string[]; models: string[]; providers: string[] };
  to: { provider: string; model: string } | null;
  share: number;
  skipped: string | null;
  calls: number;
  before_usd: number;
  after_usd: number;
  saving_usd_month: number;
  saving_pct: number;
  policy: GatewayPolicy | null;
  /** What can be measured of "good enough": capability tiers (a pinned benchmark) and the context the prompts need. */
  fit: WhatIfFit | null;
}

export interface CapabilityRow {
  provider: string;
  model: string;
  tier: MeasuredTier;
  score: number | null;
}

export interface WhatIfFit {
  /** The benchmark and its date, when both sides are rated on it. */
  benchmark: { name: string; date: string } | null;
  target: CapabilityRow;
  /** Each model moved away from, and whether the target is at the same or a higher measured tier. */
  sources: (CapabilityRow & { sufficient: boolean })[];
  /** Models moved away from that the catalog does not know (a fine-tune, a self-hosted model): no capability to compare. */
  uncataloged: string[];
  /** The largest p99 input (tokens) of the moved segments, and the target's context window. */
  p99_input_tokens: number | null;
  context_window: number;
}

export interface CompareRow {
  provider: string;
  model: string;
  cost_usd: number;
  cost_usd_month: number;
}

export interface UserSpendRow {
  user: string;
  calls: number;
  cost_usd: number;
  share_pct: number;
}

export interface UserSpendOutput {
  /** Distinct end users in the window, and the calls that name one. */
  users: number;
  user_calls: number;
  calls: number;
  cost_usd: number;
  days: number;
  /** The users the question named (empty: the costliest ones). */
  asked: string[];
  /** How many costliest users the profile keeps. */
  listed: number;
  /** The costliest users, or the asked-for users among them. */
  rows: UserSpendRow[];
  /** Asked-for users not among the listed costliest. */
  missing: string[];
  /** When some users are not listed: each unlisted user spent at most this (the cheapest listed user's spend). */
  unlisted_max_usd: number | null;
}

export interface OptimizerOutput {
  findings: Finding[];
  /** Over the scoped findings, as a share of the scoped spend. */
  combined: CombinedSaving;
  cost_usd_month: number;
  /** The spend of the scope (the whole window's when the question names no feature or model). */
  scope_cost_nanousd: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const perCallUsd = (nano: number, calls: number) => Number(nanoToUsd(nano / Math.max(1, calls)).toPrecision(3));
const usdOf = (nano: number) => round2(nanoToUsd(nano));

type SpendGroup = Pick<SegmentProfile, 'feature' | 'provider' | 'model' | 'calls' | 'cost_nanousd' | 'input_tokens' | 'output_tokens'>;

/** The segments summed per feature, model or provider (per segment: as they are), costliest first. */
function groupSegments(segs: SegmentProfile[], by: SpendBy): SpendGroup[] {
  if (by === 'segment') return segs;
  const groups = new Map<string, SpendGroup>();
  for (const s of segs) {
    const g = { feature: by === 'feature' ? s.feature : '', provider: by === 'feature' ? '' : s.provider, model: by === 'model' ? s.model : '' };
    const key = `${g.feature}\u0000${g.provider}\u0000${g.model}`;
    const acc = groups.get(key) ?? { ...g, calls: 0, cost_nanousd: 0, input_tokens: 0, output_tokens: 0 };
    acc.calls += s.calls;
    acc.cost_nanousd += s.cost_nanousd;
    acc.input_tokens += s.input_tokens;
    acc.output_tokens += s.output_tokens;
    groups.set(key, acc);
  }
  return [...groups.values()].sort((a, b) => b.cost_nanousd - a.cost_nanousd || (`${a.feature}${a.provider}${a.model}` < `${b.feature}${b.provider}${b.model}` ? -1 : 1));
}

function spendBreakdown(p: WorkloadProfile, input: z.infer<typeof spendInput>): SpendBreakdownOutput {
  const segs = p.segments.filter((s) => inScope(s, input));
  const total = segs.reduce((n, s) => n + s.cost_nanousd, 0);
  return {
    by: input.by,
    share_of_all_pct: pctOf(total, p.totals.cost_nanousd),
    calls: segs.reduce((n, s) => n + s.calls, 0),
    cost_usd: usdOf(total),
    cost_per_call_usd: perCallUsd(total, segs.reduce((n, s) => n + s.calls, 0)),
    cost_usd_month: round2(perMonthUsd(total, monthlyBasis(p).days)),
    input_tokens: segs.reduce((n, s) => n + s.input_tokens, 0),
    output_tokens: segs.reduce((n, s) => n + s.output_tokens, 0),
    days: p.window.days,
    rows: groupSegments(segs, input.by)
      .slice(0, 15)
      .map((s) => ({ feature: s.feature, provider: s.provider, model: s.model, calls: s.calls, input_tokens: s.input_tokens, output_tokens: s.output_tokens, cost_usd: usdOf(s.cost_nanousd), cost_per_call_usd: perCallUsd(s.cost_nanousd, s.calls), share_pct: pctOf(s.cost_nanousd, total) })),
  };
}

/** Failure figures of a group of calls (a model, or all of them). */
export interface ErrorRow {
  /** Per feature: the feature ('' = calls that name none), provider and model ''. Per model: null. */
  feature: string | null;
  provider: string;
  model: string;
  calls: number;
  error_calls: number;
  error_pct: number;
  status_429_calls: number;
  timeout_calls: number;
}

export interface ErrorsOutput {
  by: 'model' | 'feature';
  total: ErrorRow;
  /** Per model (or feature), highest error rate first (those with at least one failed call). */
  rows: ErrorRow[];
  /** Failed calls billed for their output, and their cost. */
  billed_failed_calls: number;
  billed_failed_usd: number;
  /** Findings about failures: fallback chains, 429 storms, time-out clusters, billed failures. */
  findings: Finding[];
}

const ERROR_TOOLS = ['fallback_chains', 'rate_limit_storms', 'timeout_clustering', 'retry_waste'];

function errorRates(p: WorkloadProfile, scope: z.infer<typeof errorsInput>): ErrorsOutput {
  const segs = p.segments.filter((s) => inScope(s, scope));
  const row = (feature: string | null, provider: string, model: string, group: SegmentProfile[]): ErrorRow => {
    const calls = group.reduce((n, s) => n + s.calls, 0);
    const errors = group.reduce((n, s) => n + s.error_calls, 0);
    return {
      feature,
      provider,
      model,
      calls,
      error_calls: errors,
      error_pct: pctOf(errors, calls),
      status_429_calls: group.reduce((n, s) => n + s.status_429_calls, 0),
      timeout_calls: group.reduce((n, s) => n + s.timeout_calls, 0),
    };
  };
  const perFeature = scope.by === 'feature';
  const keyOf = (s: SegmentProfile) => (perFeature ? s.feature : `${s.provider}/${s.model}`);
  const groups = new Map<string, SegmentProfile[]>();
  for (const s of segs) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
  return {
    by: scope.by,
    total: row(null, '', '', segs),
    rows: [...groups.values()]
      .map((g) => (perFeature ? row(g[0]!.feature, '', '', g) : row(null, g[0]!.provider, g[0]!.model, g)))
      .filter((r) => r.error_calls > 0)
      .sort((a, b) => b.error_pct - a.error_pct || b.error_calls - a.error_calls || (`${a.feature ?? ''}${a.provider}/${a.model}` < `${b.feature ?? ''}${b.provider}/${b.model}` ? -1 : 1))
      .slice(0, 12),
    billed_failed_calls: segs.reduce((n, s) => n + s.billed_failed_calls, 0),
    billed_failed_usd: usdOf(segs.reduce((n, s) => n + s.billed_failed_cost_nanousd, 0)),
    findings: runAllTools(p, { only: ERROR_TOOLS }).filter((f) => findingInScope(f, scope, p)).slice(0, 6),
  };
}

/** Per segment, the calls the rules of the profile mark as repeated work, and what they cost. */
export interface WasteRow {
  feature: string;
  provider: string;
  model: string;
  calls: number;
  exact_dup_calls: number;
  exact_dup_usd: number;
  near_dup_calls: number;
  retry_calls: number;
  fast_retry_after_429_calls: number;
  billed_failed_calls: number;
  billed_failed_usd: number;
}

export interface WasteOutput {
  calls: number;
  days: number;
  /** Calls repeating a prompt answered ok in the previous 24 h, their cost, and the repeats within 2 s (a client firing twice). */
  exact_dup_calls: number;
  exact_dup_usd: number;
  exact_dup_usd_month: number;
  double_fire_calls: number;
  /** Calls differing from an earlier prompt only in the last block. */
  near_dup_calls: number;
  /** Retries (attempt > 1, or the same prompt and user again within 60 s of a failure), after a 429, and sent < 1 s after one. */
  retry_calls: number;
  retry_after_429_calls: number;
  fast_retry_after_429_calls: number;
  /** Failed calls billed for the output they generated. */
  billed_failed_calls: number;
  billed_failed_usd: number;
  billed_failed_usd_month: number;
  /** Minutes with > 5 % 429s and retries under 1 s (the rate_limit_storms tool), and their rate-limited calls. */
  storm_minutes: number;
  storm_429_calls: number;
  /** Segments with any of the above, most wasted money first. */
  rows: WasteRow[];
  /** The saving findings about this waste (response cache, billed failures, 429 storms), largest first. */
  findings: Finding[];
}

export interface LeverOutput {
  /** The levers asked about: tool id and what it checks. */
  checked: { tool: string; description: string }[];
  /** Their findings in the scope, savings largest first, then insights. */
  findings: Finding[];
}

function levers(p: WorkloadProfile, input: z.infer<typeof leverInput>): LeverOutput {
  const findings = runAllTools(p, { only: input.tools })
    .filter((f) => findingInScope(f, input, p))
    .sort((a, b) => Number(b.kind === 'saving') - Number(a.kind === 'saving') || b.saving_nanousd - a.saving_nanousd);
  return { checked: TOOLS.filter((t) => input.tools.includes(t.id)).map((t) => ({ tool: t.id, description: t.description })), findings: findings.slice(0, 10) };
}

const WASTE_TOOLS = ['exact_duplicates', 'near_duplicates', 'retry_waste', 'rate_limit_storms'];

function waste(p: WorkloadProfile, scope: ScopeInput): WasteOutput {
  const segs = p.segments.filter((s) => inScope(s, scope));
  const sum = (f: (s: SegmentProfile) => number) => segs.reduce((n, s) => n + f(s), 0);
  const days = monthlyBasis(p).days;
  const findings = runAllTools(p, { only: WASTE_TOOLS }).filter((f) => findingInScope(f, scope, p));
  const storms = findings.filter((f) => f.tool === 'rate_limit_storms');
  const dupNano = sum((s) => s.exact_dup_cost_nanousd);
  const billedNano = sum((s) => s.billed_failed_cost_nanousd);
  return {
    calls: sum((s) => s.calls),
    days: p.window.days,
    exact_dup_calls: sum((s) => s.exact_dup_calls),
    exact_dup_usd: usdOf(dupNano),
    exact_dup_usd_month: round2(perMonthUsd(dupNano, days)),
    double_fire_calls: sum((s) => s.double_fire_calls),
    near_dup_calls: sum((s) => s.near_dup_calls),
    retry_calls: sum((s) => s.retry_calls),
    retry_after_429_calls: sum((s) => s.retry_after_429_calls),
    fast_retry_after_429_calls: sum((s) => s.fast_retry_after_429_calls),
    billed_failed_calls: sum((s) => s.billed_failed_calls),
    billed_failed_usd: usdOf(billedNano),
    billed_failed_usd_month: round2(perMonthUsd(billedNano, days)),
    storm_minutes: storms.reduce((n, f) => n + Number(f.evidence.storm_minutes ?? 0), 0),
    storm_429_calls: storms.reduce((n, f) => n + Number(f.evidence.status_429_calls ?? 0), 0),
    rows: segs
      .filter((s) => s.exact_dup_calls + s.near_dup_calls + s.retry_calls + s.billed_failed_calls > 0)
      .sort((a, b) => b.exact_dup_cost_nanousd + b.billed_failed_cost_nanousd - (a.exact_dup_cost_nanousd + a.billed_failed_cost_nanousd) || b.retry_calls - a.retry_calls)
      .slice(0, 12)
      .map((s) => ({
        feature: s.feature,
        provider: s.provider,
        model: s.model,
        calls: s.calls,
        exact_dup_calls: s.exact_dup_calls,
        exact_dup_usd: usdOf(s.exact_dup_cost_nanousd),
        near_dup_calls: s.near_dup_calls,
        retry_calls: s.retry_calls,
        fast_retry_after_429_calls: s.fast_retry_after_429_calls,
        billed_failed_calls: s.billed_failed_calls,
        billed_failed_usd: usdOf(s.billed_failed_cost_nanousd),
      })),
    findings: findings.sort((a, b) => b.saving_nanousd - a.saving_nanousd).slice(0, 8),
  };
}

function userSpend(p: WorkloadProfile, input: z.infer<typeof userSpendInput>): UserSpendOutput {
  const total = p.totals.cost_nanousd;
  const top = p.users.top_users;
  const row = (u: (typeof top)[number]): UserSpendRow => ({ user: u.user, calls: u.calls, cost_usd: usdOf(u.cost_nanousd), share_pct: pctOf(u.cost_nanousd, total) });
  const asked = new Set(input.users);
  const listed = input.users.length ? top.filter((u) => asked.has(u.user)) : top.slice(0, 15);
  return {
    users: p.users.users,
    user_calls: p.totals.calls - p.data_quality.missing_user_calls,
    calls: p.totals.calls,
    cost_usd: usdOf(total),
    days: p.window.days,
    asked: input.users,
    listed: top.length,
    rows: listed.map(row),
    missing: input.users.filter((u) => !top.some((t) => t.user === u)),
    unlisted_max_usd: p.users.users > top.length && top.length > 0 ? usdOf(top.at(-1)!.cost_nanousd) : null,
  };
}

function spendChange(now: WorkloadProfile, before: WorkloadProfile, scope: ScopeInput): SpendChangeOutput {
  const key = (s: SegmentProfile) => `${s.feature}\u0000${s.provider}\u0000${s.model}`;
  const prev = new Map(before.segments.filter((s) => inScope(s, scope)).map((s) => [key(s), s]));
  const cur = new Map(now.segments.filter((s) => inScope(s, scope)).map((s) => [key(s), s]));
  const rows: ChangeRow[] = [];
  let volume = 0;
  let perCall = 0;
  for (const k of new Set([...prev.keys(), ...cur.keys()])) {
    const a = prev.get(k);
    const b = cur.get(k);
    const s = (b ?? a)!;
    const costA = a?.cost_nanousd ?? 0;
    const costB = b?.cost_nanousd ?? 0;
    const callsA = a?.calls ?? 0;
    const callsB = b?.calls ?? 0;
    // Volume effect at the earlier cost per call; a new segment is all volume, a gone one all volume too.
    const cpcA = callsA > 0 ? costA / callsA : costB / Math.max(1, callsB);
    const vol = callsA > 0 ? (callsB - callsA) * cpcA : costB;
    const per = costB - costA - vol;
    volume += vol;
    perCall += per;
    rows.push({ feature: s.feature, provider: s.provider, model: s.model, before_usd: usdOf(costA), after_usd: usdOf(costB), delta_usd: usdOf(costB - costA), volume_usd: usdOf(vol), per_call_usd: usdOf(per) });
  }
  rows.sort((x, y) => Math.abs(y.delta_usd) - Math.abs(x.delta_usd) || (x.feature < y.feature ? -1 : 1));
  const before_n = [...prev.values()].reduce((n, s) => n + s.cost_nanousd, 0);
  const after_n = [...cur.values()].reduce((n, s) => n + s.cost_nanousd, 0);
  return {
    window: { from: now.window.from, to: now.window.to },
    previous_window: { from: before.window.from, to: before.window.to },
    before_usd: usdOf(before_n),
    after_usd: usdOf(after_n),
    delta_usd: usdOf(after_n - before_n),
    delta_pct: before_n > 0 ? Math.round(((after_n - before_n) / before_n) * 1000) / 10 : null,
    before_calls: [...prev.values()].reduce((n, s) => n + s.calls, 0),
    after_calls: [...cur.values()].reduce((n, s) => n + s.calls, 0),
    volume_usd: usdOf(volume),
    per_call_usd: usdOf(perCall),
    rows: rows.slice(0, 12),
  };
}

function latencyTable(p: WorkloadProfile, scope: ScopeInput): LatencyRow[] {
  // Per model, or per (feature, model) when the question names features.
  if (scope.features.length === 0 && scope.exclude_features.length === 0) {
    return p.models
      // no feature is named or left out here, so a model is in scope as any of its segments would be
      .filter((m) => m.latency_ms.count > 0 && inScope({ feature: '', provider: m.provider, model: m.model }, scope))
      .map((m) => ({ feature: null, provider: m.provider, model: m.model, calls: m.calls, latency_ms: m.latency_ms, ttft_ms: m.ttft_ms }))
      .sort((a, b) => (b.latency_ms.p95 ?? 0) - (a.latency_ms.p95 ?? 0) || (a.model < b.model ? -1 : 1));
  }
  return p.segments
    .filter((s) => s.latency_ms.count > 0 && inScope(s, scope))
    .map((s) => ({ feature: s.feature, provider: s.provider, model: s.model, calls: s.calls, latency_ms: s.latency_ms, ttft_ms: s.ttft_ms }))
    .sort((a, b) => (b.latency_ms.p95 ?? 0) - (a.latency_ms.p95 ?? 0) || (a.model < b.model ? -1 : 1));
}

/** Per model (or per feature × model when features are named): the percentile now against the period before. */
function latencyChange(now: WorkloadProfile, before: WorkloadProfile, input: z.infer<typeof latencyChangeInput>): LatencyChangeOutput {
  const k = input.percentile;
  const rowsOf = (p: WorkloadProfile) => new Map(latencyTable(p, input).filter((r) => r.latency_ms[k] !== null).map((r) => [`${r.feature ?? ''}\u0000${r.provider}\u0000${r.model}`, r]));
  const a = rowsOf(before);
  const b = rowsOf(now);
  const rows: LatencyChangeRow[] = [];
  for (const [key, r] of b) {
    const old = a.get(key);
    if (!old) continue;
    const before_ms = old.latency_ms[k]!;
    const after_ms = r.latency_ms[k]!;
    rows.push({ feature: r.feature, provider: r.provider, model: r.model, before_calls: old.latency_ms.count, after_calls: r.latency_ms.count, before_ms, after_ms, delta_ms: after_ms - before_ms, delta_pct: pctOf(after_ms - before_ms, before_ms) });
  }
  rows.sort((x, y) => Math.abs(y.delta_pct) - Math.abs(x.delta_pct) || (x.model < y.model ? -1 : 1));
  return {
    percentile: k,
    window: { from: now.window.from, to: now.window.to },
    previous_window: { from: before.window.from, to: before.window.to },
    rows: rows.slice(0, 15),
    compared: rows.length,
    rose: rows.filter((r) => r.delta_ms > 0).length,
    fell: rows.filter((r) => r.delta_ms < 0).length,
    only_now: [...b.keys()].filter((key) => !a.has(key)).length,
    only_before: [...a.keys()].filter((key) => !b.has(key)).length,
  };
}

function capabilityRow(m: CatalogModel): CapabilityRow {
  const c = capabilityOf(m);
  return { provider: m.provider, model: m.id, tier: c.tier, score: c.score };
}

function whatIfFit(segs: SegmentProfile[], target: CatalogModel): WhatIfFit {
  const moved = [...new Map(segs.map((s) => [`${s.provider}/${s.model}`, s])).values()];
  const known = moved.map((s) => ({ s, m: findModel(s.model, s.provider) }));
  const sources = known.map((k) => k.m).filter((m): m is CatalogModel => !!m && m.id !== target.id);
  const uncataloged = known.filter((k) => !k.m).map((k) => `${k.s.provider}/${k.s.model}`);
  const p99s = segs.map((s) => s.input_tokens_dist.p99).filter((v): v is number => v !== null);
  const benchmark = capabilityOf(target).benchmark;
  return {
    benchmark: benchmark && sources.some((m) => capabilityOf(m).benchmark === benchmark) ? { name: CAPABILITY_SOURCES[benchmark].name, date: CAPABILITY_SOURCES[benchmark].date } : null,
    target: capabilityRow(target),
    sources: sources.map((m) => ({ ...capabilityRow(m), sufficient: sufficientFor(m, target) })),
    uncataloged,
    p99_input_tokens: p99s.length ? Math.max(...p99s) : null,
    context_window: target.context_window,
  };
}

function whatIf(p: WorkloadProfile, input: z.infer<typeof whatIfInput>): WhatIfOutput {
  const share = input.share ?? 1;
  const base = { from: { features: input.features, models: input.models, providers: input.providers }, share, calls: 0, before_usd: 0, after_usd: 0, saving_usd_month: 0, saving_pct: 0, policy: null, fit: null };
  if (unscoped(input)) return { ...base, to: null, skipped: 'name what to move: a feature ("the summarize feature"), a model ("everything on gpt-4o") or a provider' };
  const segs = p.segments.filter((s) => inScope(s, input));
  if (segs.length === 0) return { ...base, to: null, skipped: `no calls of ${[...input.features, ...input.models, ...input.providers].join(', ')} in this window` };
  const target = input.to_model ? findModel(input.to_model) : undefined;
  if (!target) return { ...base, to: null, skipped: input.to_model ? `unknown model "${input.to_model}"` : 'name the model to move to' };
  const policy: GatewayPolicy = {
    version: 1,
    rules: segs.map((s) => ({
      id: `what-if:${s.feature}@${s.provider}/${s.model}`,
      match: { feature: s.feature, provider: s.provider, model: s.model },
      route_to: { provider: target.provider, model: target.id },
      ...(share < 1 ? { route_share: share } : {}),
    })),
  };
  const sim = simulatePolicy(p, policy);
  // The simulator prices the whole window; the rules only touch the scope, so its saving is the scope's.
  const before = segs.reduce((n, s) => n + s.cost_nanousd, 0);
  return {
    ...base,
    fit: whatIfFit(segs, target),
    to: { provider: target.provider, model: target.id },
    skipped: null,
    calls: segs.reduce((n, s) => n + s.calls, 0),
    before_usd: usdOf(before),
    after_usd: usdOf(before - sim.saving_nanousd),
    saving_usd_month: round2(perMonthUsd(sim.saving_nanousd, monthlyBasis(p).days)),
    saving_pct: pctOf(sim.saving_nanousd, before),
    policy,
  };
}

function compareModels(p: WorkloadProfile, input: z.infer<typeof compareInput>): CompareRow[] {
  const scope = scopeInput.parse({ features: input.features });
  const segs = p.segments.filter((s) => s.known && inScope(s, scope));
  return input.candidates
    .map((id) => findModel(id))
    .filter((m): m is CatalogModel => !!m)
    .map((m) => {
      const nano = segs.reduce((n, s) => n + costOf(m, usageOf(s)), 0);
      return { provider: m.provider, model: m.id, cost_usd: usdOf(nano), cost_usd_month: round2(perMonthUsd(nano, monthlyBasis(p).days)) };
    });
}

function catalogSearch(input: z.infer<typeof catalogInput>): CatalogModel[] {
  return CATALOG.filter((m) => m.tier !== 'embedding' && m.context_window >= (input.min_context ?? 0))
    .slice()
    .sort((a, b) => a.input_per_m + a.output_per_m - (b.input_per_m + b.output_per_m) || (a.id < b.id ? -1 : 1))
    .slice(0, input.limit);
}

const errorsInput = scopeInput.extend({ by: z.enum(['model', 'feature']).default('model') });
const latencyChangeInput = scopeInput.extend({ percentile: z.enum(['p50', 'p95', 'p99']).default('p95') });
const whatIfInput = scopeInput.extend({ to_model: z.string().max(200).nullable().default(null), share: z.number().min(0).max(1).nullable().default(null) });
const compareInput = z.object({ candidates: z.array(z.string().max(200)).min(1).max(10), features: z.array(z.string().max(200)).max(20).default([]) });
const catalogInput = z.object({ min_context: z.number().int().min(0).nullable().default(null), tool_use: z.boolean().default(false), limit: z.number().int().min(1).max(20).default(5) });
const familiesInput = scopeInput.extend({});
const leverInput = scopeInput.extend({ tools: z.array(z.enum(TOOL_IDS as [string, ...string[]])).min(1).max(10) });

/** Latency levers: performance findings with an effect in ms, fastest gain first. */
const latencyRank = (f: Finding): number => (f.latency_effect_ms === null ? 1 : f.latency_effect_ms < 0 ? 0 : 2);

function latencyLevers(p: WorkloadProfile, scope: ScopeInput): Finding[] {
  return runAllTools(p, { families: ['performance'] })
    .filter((f) => (f.kind === 'saving' || (f.latency_effect_ms ?? 0) < 0) && findingInScope(f, scope, p))
    // Estimated speed-ups first (largest first), then the levers whose effect is not estimated, then slow-downs.
    .sort((a, b) => latencyRank(a) - latencyRank(b) || (a.latency_effect_ms ?? 0) - (b.latency_effect_ms ?? 0) || b.saving_nanousd - a.saving_nanousd)
    .slice(0, 10);
}

function optimizer(p: WorkloadProfile, scope: ScopeInput): OptimizerOutput {
  const a = analyzeWorkload(p);
  if (unscoped(scope)) return { findings: a.findings, combined: a.combined_saving, cost_usd_month: round2(a.totals.cost_usd_month), scope_cost_nanousd: p.totals.cost_nanousd };
  const findings = a.findings.filter((f) => findingInScope(f, scope, p));
  const spend = p.segments.filter((s) => inScope(s, scope)).reduce((n, s) => n + s.cost_nanousd, 0);
  const combined = combineSavings(findings, p);
  const days = monthlyBasis(p).days;
  return {
    findings,
    combined: { ...combined, saving_usd_month: round2(perMonthUsd(combined.combined_saving_nanousd, days)), saving_pct: pctOf(combined.combined_saving_nanousd, spend) },
    cost_usd_month: round2(perMonthUsd(spend, days)),
    scope_cost_nanousd: spend,
  };
}

function cacheFindings(p: WorkloadProfile, scope: ScopeInput): Finding[] {
  return runAllTools(p, { families: ['cache'] })
    .filter((f) => f.kind === 'saving' && findingInScope(f, scope, p))
    .sort((a, b) => b.saving_nanousd - a.saving_nanousd);
}

interface AgentTool<S extends z.ZodType, O> {
  description: string;
  input: S;
  /** Needs the window's profile (false: answered from the catalog or the product's own docs). */
  needs_profile: boolean;
  /** Needs the previous period's profile too. */
  needs_previous?: boolean;
  run(input: z.output<S>, data: ToolData): O;
}

const tool = <S extends z.ZodType, O>(t: AgentTool<S, O>) => t;

const need = (p: WorkloadProfile | null): WorkloadProfile => {
  if (!p) throw new Error('this tool needs the workload profile');
  return p;
};

export const AGENT_TOOLS = {
  spend_breakdown: tool({ description: 'Spend and calls per (feature, provider, model) segment, or per feature or per model (by), over the window, largest first.', input: spendInput, needs_profile: true, run: (i, d) => spendBreakdown(need(d.profile), i) }),
  levers: tool({ description: 'The findings of the named optimizer tools (e.g. batch_eligibility, streaming_opportunity, timeout_clustering) in the scope, with what each checks.', input: leverInput, needs_profile: true, run: (i, d) => levers(need(d.profile), i) }),
  error_rates: tool({ description: 'Failed calls: the error rate overall and per model, 429s and time-outs, billed failures, and the findings about them.', input: errorsInput, needs_profile: true, run: (i, d) => errorRates(need(d.profile), i) }),
  waste: tool({ description: 'Repeated work: duplicate prompts, retries (after 429s, without backoff), 429 storms and billed failures, with what they cost, per segment.', input: scopeInput, needs_profile: true, run: (i, d) => waste(need(d.profile), i) }),
  user_spend: tool({ description: 'Spend and calls of the costliest end users (or of the named users), with their share of spend.', input: userSpendInput, needs_profile: true, run: (i, d) => userSpend(need(d.profile), i) }),
  spend_change: tool({
    description: 'Period-over-period change of spend: which features/models grew, split into volume and cost per call.',
    input: scopeInput,
    needs_profile: true,
    needs_previous: true,
    run: (i, d) => spendChange(need(d.profile), need(d.previous), i),
  }),
  cost_anomalies: tool({ description: 'Hours whose spend is far above the usual for that feature.', input: z.object({}), needs_profile: true, run: (_i, d) => runAllTools(need(d.profile), { only: ['cost_anomalies'] }).slice(0, 5) }),
  latency_change: tool({
    description: 'Period-over-period change of a latency percentile (p50, p95 or p99) per model, or per feature and model.',
    input: latencyChangeInput,
    needs_profile: true,
    needs_previous: true,
    run: (i, d) => latencyChange(need(d.profile), need(d.previous), i),
  }),
  latency_table: tool({ description: 'Latency p50/p95/p99 and time to first token per model (or per feature and model).', input: scopeInput, needs_profile: true, run: (i, d) => latencyTable(need(d.profile), i) }),
  latency_levers: tool({ description: 'Performance levers with their effect on latency in ms.', input: scopeInput, needs_profile: true, run: (i, d) => latencyLevers(need(d.profile), i) }),
  cache_tools: tool({ description: 'Prompt caching, response caching and duplicate savings.', input: familiesInput, needs_profile: true, run: (i, d) => cacheFindings(need(d.profile), i) }),
  optimizer: tool({ description: 'All 30 optimizer tools: every saving with its evidence, confidence and risk.', input: scopeInput, needs_profile: true, run: (i, d) => optimizer(need(d.profile), i) }),
  what_if: tool({ description: 'Replays the window with a scope (features and/or models) moved to another model, optionally only a share of it.', input: whatIfInput, needs_profile: true, run: (i, d) => whatIf(need(d.profile), i) }),
  compare_models: tool({ description: "Prices the window's traffic on each candidate model at list prices.", input: compareInput, needs_profile: true, run: (i, d) => compareModels(need(d.profile), i) }),
  realized_savings: tool({
    description: "What the gateway's active policies saved, measured from the savings ledger: the counterfactual saving, and the treated-vs-control difference per call with its 95% interval, in all and per rule and feature.",
    input: z.object({}),
    needs_profile: false,
    run: (_i, d) => {
      if (d.ledger === undefined || d.ledger === null) throw new Error('this tool needs the savings ledger');
      return d.ledger;
    },
  }),
  catalog_search: tool({ description: 'Cheapest catalog models meeting a minimum context window.', input: catalogInput, needs_profile: false, run: (i) => catalogSearch(i) }),
} as const;

export type AgentToolName = keyof typeof AGENT_TOOLS;
export const AGENT_TOOL_NAMES = Object.keys(AGENT_TOOLS) as AgentToolName[];
export type AgentToolOutput<N extends AgentToolName> = ReturnType<(typeof AGENT_TOOLS)[N]['run']>;

/** Validates an input (a planner's or an LLM's) and runs the tool. Throws a ZodError on a bad input. */
export function runAgentTool(name: AgentToolName, input: unknown, data: ToolData): unknown {
  const t = AGENT_TOOLS[name] as AgentTool<z.ZodType, unknown>;
  return t.run(t.input.parse(input), data);
}

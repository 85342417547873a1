// The action planner: turns saving findings into ordered steps under the request's targets and
// constraints. Safe savings (high confidence, low risk) come first, largest first; then the others by
// expected saving × confidence (high 1, medium 0.6, low 0.3), risk breaking ties (low first), then the
// larger saving. So the first step is the largest safe saving, a safe saving is never left out while a
// smaller one is in, and a cost target takes steps in that order until the combined saving meets it.
// A monthly budget is a cost target too: the cut that brings the monthly spend down to it. Under a latency
// target, steps that also make calls faster come first among equally safe ones.
import { perMonthUsd, pctOf, type Finding, type Level } from '../findings.js';
import { monthlyBasis } from '../monthly-basis.js';
import type { WorkloadProfile } from '../profile/types.js';
import { combineSavings } from '../tools/index.js';
import type { GatewayPolicy } from '../tools/policy/policy.js';
import { resolveFeatures } from './plan.js';
import type { AgentRequest } from './request.js';

export const CONFIDENCE_WEIGHT: Record<Level, number> = { high: 1, medium: 0.6, low: 0.3 };
const RISK_RANK: Record<Level, number> = { low: 0, medium: 1, high: 2 };

/** Tools whose recommendation moves traffic to another model or provider. */
const MOVES_TRAFFIC = new Set(['model_downgrade', 'provider_switch', 'routing_policy', 'fallback_chains']);

export interface PlanStep {
  order: number;
  tool: string;
  title: string;
  do: string;
  where: Finding['where'];
  saving_usd_month: number;
  /** Share of spend saved by this step and the ones before it, combined without double counting. */
  cumulative_pct: number;
  confidence: Level;
  risk: Level;
  latency_effect_ms: number | null;
}

export interface ActionPlan {
  steps: PlanStep[];
  /** The findings left out by a constraint, with the reason. */
  excluded: { tool: string; title: string; reason: string }[];
  policy: GatewayPolicy | null;
  target_pct: number | null;
  /** Where the target comes from: a cut the user asked for, or the cut a monthly budget needs. */
  target_from: 'cut_pct' | 'budget' | null;
  /** The budget and the monthly spend it was compared with, when the target comes from a budget. */
  budget: { usd_month: number; spend_usd_month: number } | null;
  meets_target: boolean | null;
}

/** Tools whose change delays answers even when the finding estimates no latency effect (the batch API answers within hours). */
const ADDS_LATENCY = new Set(['batch_eligibility']);

const substituteOf = (f: Finding): { provider?: string; model?: string } | undefined => f.evidence.substitute as { provider?: string; model?: string } | undefined;

/** The features whose calls must stay on their models, as the data names them, and the models those calls use. */
interface KeptFeatures {
  features: string[];
  /** model → the kept features that use it. */
  models: Map<string, string[]>;
}

function keptFeatures(req: AgentRequest, profile: WorkloadProfile): KeptFeatures {
  const known = [...new Set(profile.segments.map((s) => s.feature).filter(Boolean))];
  const features = resolveFeatures(req.constraints.keep_feature_models, known);
  const models = new Map<string, string[]>();
  for (const s of profile.segments) if (features.includes(s.feature)) models.set(s.model, [...new Set([...(models.get(s.model) ?? []), s.feature])]);
  return { features, models };
}

/** Why a constraint forbids a finding, or null. */
function forbiddenBy(f: Finding, req: AgentRequest, kept: KeptFeatures): string | null {
  const c = req.constraints;
  if (MOVES_TRAFFIC.has(f.tool) && f.where.model && c.keep_models.includes(f.where.model)) return `keeps ${f.where.model}`;
  if (MOVES_TRAFFIC.has(f.tool) && f.where.feature && kept.features.includes(f.where.feature)) return `keeps the models of feature ${f.where.feature}`;
  // A model-wide move would take the kept feature's calls on that model with it.
  const onModel = !f.where.feature && f.where.model ? kept.models.get(f.where.model) : undefined;
  if (MOVES_TRAFFIC.has(f.tool) && onModel) return `keeps the models of feature ${onModel.join(', ')}`;
  const sub = substituteOf(f);
  if (sub?.provider && c.avoid_providers.includes(sub.provider)) return `avoids ${sub.provider}`;
  if ((c.latency_must_not_rise || req.targets.p95_ms !== null) && ((f.latency_effect_ms ?? 0) > 0 || ADDS_LATENCY.has(f.tool))) return 'adds latency';
  if (c.quality_must_not_drop && f.tool === 'model_downgrade') return 'quality must not drop';
  return null;
}

const isSafe = (f: Finding) => f.confidence === 'high' && f.risk === 'low';

const speedsUp = (f: Finding) => (f.latency_effect_ms ?? 0) < 0;

export const stepOrder = (a: Finding, b: Finding): number =>
  Number(isSafe(b)) - Number(isSafe(a)) ||
  b.saving_nanousd * CONFIDENCE_WEIGHT[b.confidence] - a.saving_nanousd * CONFIDENCE_WEIGHT[a.confidence] ||
  RISK_RANK[a.risk] - RISK_RANK[b.risk] ||
  b.saving_nanousd - a.saving_nanousd ||
  (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0);

/** Whether a rule matching `match` can take calls of a kept feature (its feature, or — matching no feature — a model it uses, or any model). */
const touchesKept = (match: { feature?: string; model?: string }, kept: KeptFeatures): boolean =>
  kept.features.length > 0 && (match.feature ? kept.features.includes(match.feature) : !match.model || kept.models.has(match.model));

/** The gateway policy without rules that break a constraint (a kept model, or a kept feature's calls, are never routed away). */
function constrainPolicy(policy: GatewayPolicy | null, req: AgentRequest, kept: KeptFeatures): GatewayPolicy | null {
  if (!policy) return null;
  const rules = policy.rules.filter(
    (r) =>
      !(r.route_to || r.fallbacks) ||
      ((!r.match.model || !req.constraints.keep_models.includes(r.match.model)) &&
        (!r.route_to || !req.constraints.avoid_providers.includes(r.route_to.provider)) &&
        !touchesKept(r.match, kept)),
  );
  return rules.length ? { ...policy, rules } : null;
}

/** `base`: the spend the percentages are of (the scoped features' or models' spend; the whole window's by default). */
export function planActions(findings: readonly Finding[], profile: WorkloadProfile, req: AgentRequest, policy: GatewayPolicy | null, base = profile.totals.cost_nanousd, maxSteps = 8): ActionPlan {
  const kept = keptFeatures(req, profile);
  const excluded: ActionPlan['excluded'] = [];
  const allowed: Finding[] = [];
  for (const f of findings) {
    if (f.kind !== 'saving' || f.saving_nanousd <= 0) continue;
    const why = forbiddenBy(f, req, kept);
    if (why) excluded.push({ tool: f.tool, title: f.title, reason: why });
    else allowed.push(f);
  }
  const latencyFirst = req.targets.p95_ms !== null;
  allowed.sort((a, b) => Number(isSafe(b)) - Number(isSafe(a)) || (latencyFirst ? Number(speedsUp(b)) - Number(speedsUp(a)) : 0) || stepOrder(a, b));
  const { target, target_from, budget } = targetOf(req, profile, base);
  const taken: Finding[] = [];
  const steps: PlanStep[] = [];
  for (const f of allowed) {
    if (steps.length >= maxSteps) break;
    const reached = steps.at(-1)?.cumulative_pct ?? 0;
    if (target !== null && reached >= target) break;
    taken.push(f);
    steps.push(stepOf(f, taken, profile, base));
  }
  const reached = steps.at(-1)?.cumulative_pct ?? 0;
  return { steps, excluded, policy: constrainPolicy(policy, req, kept), target_pct: target, target_from, budget, meets_target: target === null ? null : reached >= target };
}

/**
 * The plan of a latency answer: its levers as steps, in the order the answer lists them (fastest first), so
 * "apply the second one" means the second lever shown; levers that break a constraint are left out.
 */
export function planLevers(levers: readonly Finding[], profile: WorkloadProfile, req: AgentRequest, maxSteps = 5): ActionPlan {
  const kept = keptFeatures(req, profile);
  const excluded: ActionPlan['excluded'] = [];
  const taken: Finding[] = [];
  const steps: PlanStep[] = [];
  for (const f of levers) {
    const why = forbiddenBy(f, req, kept);
    if (why) excluded.push({ tool: f.tool, title: f.title, reason: why });
    else if (steps.length < maxSteps) {
      taken.push(f);
      steps.push(stepOf(f, taken, profile, profile.totals.cost_nanousd));
    }
  }
  return { steps, excluded, policy: null, target_pct: null, target_from: null, budget: null, meets_target: null };
}

/** The step of the last of `taken`, with the share of spend all of `taken` save together. */
function stepOf(f: Finding, taken: Finding[], profile: WorkloadProfile, base: number): PlanStep {
  const savings = taken.filter((t) => t.kind === 'saving' && t.saving_nanousd > 0);
  return {
    order: taken.length,
    tool: f.tool,
    title: f.title,
    do: f.recommendation,
    where: f.where,
    saving_usd_month: f.saving_usd_month,
    cumulative_pct: savings.length ? pctOf(combineSavings(savings, profile).combined_saving_nanousd, base) : 0,
    confidence: f.confidence,
    risk: f.risk,
    latency_effect_ms: f.latency_effect_ms,
  };
}

/** The cut the plan aims for: the user's percentage, or what a monthly budget needs (the larger when both are given). */
function targetOf(req: AgentRequest, profile: WorkloadProfile, base: number): Pick<ActionPlan, 'target_from' | 'budget'> & { target: number | null } {
  const cut = req.targets.cut_pct;
  const limit = req.targets.budget_usd_month;
  if (limit === null) return { target: cut, target_from: cut === null ? null : 'cut_pct', budget: null };
  const spend = Math.round(perMonthUsd(base, monthlyBasis(profile).days) * 100) / 100;
  const needed = spend > limit ? Math.round(((spend - limit) / spend) * 10_000) / 100 : 0;
  const budget = { usd_month: limit, spend_usd_month: spend };
  return cut !== null && cut >= needed ? { target: cut, target_from: 'cut_pct', budget } : { target: needed, target_from: 'budget', budget };
}

// Actions to meet goals: turns the optimizer's savings into ordered steps with config snippets, and into a
// gateway policy (routing rules, max_tokens caps, caching, batching) that enforces them. Steps are taken in
// the order of the levers (remove waste → avoid calls → pick model/provider → cache → trim → batch) and
// stop once the user's target reduction is met.
import type { Finding } from '../../engine/findings';
import type { RunContext, StepOutput } from '../supervisor/steps';
import type { OptimizeStepResult } from './optimizer';
import type { TriageStepResult } from './triage-agent';

const AGENT = 'actions_to_meet_goals';

export interface PolicyRule {
  match: { feature?: string; provider?: string; model?: string };
  action: { route_to?: { provider?: string; model: string }; max_tokens?: number; prompt_cache?: boolean; response_cache_ttl_s?: number; batch?: boolean; retry?: { max: number; backoff: 'exponential' } };
  reason: string;
  saving_usd_month: number;
}

export interface ActionStep {
  order: number;
  tool: string;
  title: string;
  do: string;
  where: Finding['where'];
  saving_usd_month: number;
  cumulative_pct: number;
  risk: Finding['risk'];
}

export interface PlanResult {
  steps: ActionStep[];
  policy: { version: 1; rules: PolicyRule[] };
  target_pct: number | null;
  meets_target: boolean | null;
}

/** Lever order of LEVERS.md "Interactions and ordering". */
const LEVER_ORDER = ['retry_waste', 'exact_duplicates', 'near_duplicates', 'model_downgrade', 'provider_switch', 'prefix_caching', 'cache_ttl_tuning', 'cache_write_unread', 'context_bloat', 'output_length_caps', 'reasoning_token_share', 'batch_eligibility'];
const rank = (tool: string) => {
  const i = LEVER_ORDER.indexOf(tool);
  return i === -1 ? LEVER_ORDER.length : i;
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The gateway rule that enforces a finding, when the finding is enforceable by the gateway. */
export function policyRuleFor(f: Finding): PolicyRule | null {
  const match = { ...(f.where.feature ? { feature: f.where.feature } : {}), ...(f.where.provider ? { provider: f.where.provider } : {}), ...(f.where.model ? { model: f.where.model } : {}) };
  const base = { match, reason: f.title, saving_usd_month: f.saving_usd_month };
  const e = f.evidence;
  switch (f.tool) {
    case 'model_downgrade':
    case 'provider_switch': {
      const model = str(e.substitute_model) ?? str(e.alternative_model) ?? str(e.to_model);
      if (!model) return null;
      const provider = str(e.substitute_provider) ?? str(e.alternative_provider) ?? str(e.to_provider);
      return { ...base, action: { route_to: { model, ...(provider ? { provider } : {}) } } };
    }
    case 'output_length_caps': {
      const cap = num(e.cap_tokens) ?? num(e.output_p95) ?? num(e.p95);
      return cap ? { ...base, action: { max_tokens: Math.ceil(cap) } } : null;
    }
    case 'prefix_caching':
    case 'cache_ttl_tuning':
      return { ...base, action: { prompt_cache: true } };
    case 'exact_duplicates':
      return { ...base, action: { response_cache_ttl_s: 86_400 } };
    case 'batch_eligibility':
      return { ...base, action: { batch: true } };
    case 'retry_waste':
      return { ...base, action: { retry: { max: 2, backoff: 'exponential' } } };
    default:
      return null;
  }
}

export function planActions(opt: OptimizeStepResult, targetPct: number | null): PlanResult {
  const total = opt.total_cost_nanousd;
  const monthlyTotal = opt.window_days > 0 ? (total * 30) / opt.window_days / 1e9 : 0;
  const ordered = [...opt.savings].sort((a, b) => rank(a.tool) - rank(b.tool) || b.saving_nanousd - a.saving_nanousd);
  const steps: ActionStep[] = [];
  let cumulative = 0;
  for (const f of ordered) {
    if (targetPct !== null && cumulative >= targetPct) break;
    // Residual view: a lever's saving cannot exceed what is left of the spend.
    const pct = Math.min(f.saving_pct, Math.max(0, 100 - cumulative));
    cumulative = Math.round((cumulative + pct) * 100) / 100;
    steps.push({ order: steps.length + 1, tool: f.tool, title: f.title, do: f.recommendation, where: f.where, saving_usd_month: f.saving_usd_month, cumulative_pct: cumulative, risk: f.risk });
  }
  const rules = steps.flatMap((s) => {
    const f = ordered.find((x) => x.tool === s.tool && JSON.stringify(x.where) === JSON.stringify(s.where));
    const rule = f ? policyRuleFor(f) : null;
    return rule ? [rule] : [];
  });
  return {
    steps,
    policy: { version: 1, rules },
    target_pct: targetPct,
    meets_target: targetPct === null ? null : cumulative >= targetPct && monthlyTotal > 0,
  };
}

export async function planActionsStep(ctx: RunContext): Promise<StepOutput> {
  const opt = ctx.results.optimize as OptimizeStepResult;
  const triage = ctx.results.triage as TriageStepResult;
  const target = triage.triage.goals.find((g) => g.metric === 'cost')?.reduce_pct ?? null;
  const plan = planActions(opt, target);
  ctx.emit(
    'agent_log',
    { level: 'info', message: `${plan.steps.length} steps, ${plan.policy.rules.length} gateway rules${target !== null ? `; target ${target}% ${plan.meets_target ? 'met' : 'not met'}` : ''}` },
    AGENT,
  );
  return { result: plan };
}

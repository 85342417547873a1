// Actions to meet goals: turns the optimizer's savings (already in lever order, with their combined
// cumulative share) into ordered steps, stopping once the user's target reduction is met, and hands on the
// gateway policy the engine synthesized to enforce them.
import type { Finding } from '../../engine/findings';
import type { GatewayPolicy } from '../../engine/tools/policy/policy';
import type { RunContext, StepOutput } from '../supervisor/contract';
import type { OptimizeStepResult } from './optimizer';
import type { TriageStepResult } from './triage-agent';

const AGENT = 'actions_to_meet_goals';

export interface ActionStep {
  order: number;
  tool: string;
  title: string;
  do: string;
  where: Finding['where'];
  saving_usd_month: number;
  /** Share of spend saved by this step and the ones before it, combined without double counting. */
  cumulative_pct: number;
  risk: Finding['risk'];
}

export interface PlanResult {
  steps: ActionStep[];
  policy: GatewayPolicy | null;
  target_pct: number | null;
  meets_target: boolean | null;
}

export function planActions(opt: OptimizeStepResult, targetPct: number | null): PlanResult {
  const steps: ActionStep[] = [];
  for (const f of opt.savings) {
    const reached = steps.at(-1)?.cumulative_pct ?? 0;
    if (targetPct !== null && reached >= targetPct) break;
    steps.push({ order: steps.length + 1, tool: f.tool, title: f.title, do: f.recommendation, where: f.where, saving_usd_month: f.saving_usd_month, cumulative_pct: f.cumulative_pct, risk: f.risk });
  }
  const reached = steps.at(-1)?.cumulative_pct ?? 0;
  return { steps, policy: opt.policy, target_pct: targetPct, meets_target: targetPct === null ? null : reached >= targetPct };
}

export async function planActionsStep(ctx: RunContext): Promise<StepOutput> {
  const opt = ctx.results.optimize as OptimizeStepResult;
  const triage = ctx.results.triage as TriageStepResult;
  const target = triage.triage.goals.find((g) => g.metric === 'cost')?.reduce_pct ?? null;
  const plan = planActions(opt, target);
  ctx.emit(
    'agent_log',
    { level: 'info', message: `${plan.steps.length} steps, ${plan.policy?.rules.length ?? 0} gateway rules${target !== null ? `; target ${target}% ${plan.meets_target ? 'met' : 'not met'}` : ''}` },
    AGENT,
  );
  return { result: plan };
}

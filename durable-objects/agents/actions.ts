// Actions to meet goals: the engine's action planner over the savings the tools found, under the request's
// targets and constraints (engine/agent/actions.ts): steps ordered by expected saving × confidence, risk
// breaking ties, taken until a cost target is met; no step or gateway rule breaks a constraint.
import type { ActionPlan } from '../../engine/agent/actions';
import { actionPlanFor } from '../../engine/agent/run';
import type { RunContext, StepOutput } from '../supervisor/contract';
import { profilesOf, type OptimizeStepResult } from './optimizer';
import type { TriageStepResult } from './triage-agent';

const AGENT = 'actions_to_meet_goals';

export type PlanResult = ActionPlan;

export async function planActionsStep(ctx: RunContext): Promise<StepOutput> {
  const opt = ctx.results.optimize as OptimizeStepResult;
  const request = (ctx.results.triage as TriageStepResult).request;
  const { profile } = await profilesOf(ctx);
  const plan = actionPlanFor(request, opt.outputs, profile);
  const target = request.targets.cut_pct;
  ctx.emit(
    'agent_log',
    {
      level: 'info',
      message: plan
        ? `${plan.steps.length} steps, ${plan.policy?.rules.length ?? 0} gateway rules${plan.excluded.length ? `, ${plan.excluded.length} savings left out by constraints` : ''}${target !== null ? `; target ${target}% ${plan.meets_target ? 'met' : 'not met'}` : ''}`
        : 'no saving to plan for this question',
    },
    AGENT,
  );
  return { result: plan };
}

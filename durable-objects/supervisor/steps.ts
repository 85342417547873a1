// Wires the agents to the supervisor: dispatches a stage to its sub-agent. Sub-agents report progress through `emit`
// (tool_call / tool_result / agent_log) and return a small JSON result that is checkpointed.
import { dataHelperStep } from '../agents/data-helper';
import { dataStep } from '../agents/data-intelligence';
import { optimizeStep } from '../agents/optimizer';
import { planActionsStep } from '../agents/actions';
import { reportStep } from '../agents/reporting';
import { triageStep } from '../agents/triage-agent';
import type { RunContext, StepOutput } from './contract';
import type { StepStage } from './machine';

const STEPS: Record<StepStage, (ctx: RunContext) => Promise<StepOutput>> = {
  triage: triageStep,
  data: dataStep,
  data_helper: dataHelperStep,
  optimize: optimizeStep,
  plan_actions: planActionsStep,
  report: reportStep,
};

export function runStep(stage: StepStage, ctx: RunContext): Promise<StepOutput> {
  return STEPS[stage](ctx);
}

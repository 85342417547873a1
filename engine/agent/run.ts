// Executes a plan of tool calls over the loaded data and turns their outputs into the answer. The caller
// wraps each execution (the DO streams tool_call/tool_result around it with its real duration).
import type { WorkloadProfile } from '../profile/types.js';
import type { GatewayPolicy } from '../tools/policy/policy.js';
import { planActions, planLevers, type ActionPlan } from './actions.js';
import type { ToolOutputs } from './answer.js';
import type { PlannedCall } from './plan.js';
import type { AgentRequest } from './request.js';
import { runAgentTool, type ToolData } from './tools.js';

export type ToolRunner = (call: PlannedCall, execute: () => unknown) => Promise<unknown>;

export async function executePlan(plan: readonly PlannedCall[], data: ToolData, run: ToolRunner = async (_c, e) => e()): Promise<ToolOutputs> {
  const outputs: Record<string, unknown> = {};
  for (const call of plan) outputs[call.tool] = await run(call, () => runAgentTool(call.tool, call.input, data));
  return outputs as ToolOutputs;
}

/** The action plan of a request whose tools found savings (the optimizer's or the caching tools') or latency levers, else null. */
export function actionPlanFor(req: AgentRequest, out: ToolOutputs, profile: WorkloadProfile | null): ActionPlan | null {
  if (!profile) return null;
  const findings = out.optimizer?.findings ?? out.cache_tools;
  if (!findings) return out.latency_levers ? planLevers(out.latency_levers, profile, req) : null;
  const policy = (out.optimizer?.findings.find((f) => f.tool === 'routing_policy')?.evidence.policy as GatewayPolicy | undefined) ?? null;
  return planActions(findings, profile, req, policy, out.optimizer?.scope_cost_nanousd);
}

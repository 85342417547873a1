// Optimizations core: plans the tools the request needs (engine/agent/plan.ts) and runs each of them over
// the profile the data step built, streaming one tool_call/tool_result per real execution with its real
// duration. Keeps the tool outputs (the figures of the answer) and, when the optimizer ran, the savings in
// lever order for the report.
import { ANALYSIS_TIMEOUT_MS, openClickHouse } from '../../db/clickhouse';
import { profileFor } from './profile-source';
import type { ToolOutputs } from '../../engine/agent/answer';
import { comparesPeriods, planTools, type PlannedCall } from '../../engine/agent/plan';
import { executePlan } from '../../engine/agent/run';
import { runAgentTool } from '../../engine/agent/tools';
import { selectProvider } from '../llm/select';
import { canCallTools } from '../llm/types';
import { meterLlmCall } from './llm-usage';
import { runLlmLoop, type LoopState } from './llm-planner';
import type { CombinedSaving } from '../../engine/analyze';
import { pctOf, type Finding } from '../../engine/findings';
import { monthlyBasis } from '../../engine/monthly-basis';
import type { WorkloadProfile } from '../../engine/profile/types';
import { combineSavings, LEVER_STEPS, TOOL_LEVERS } from '../../engine/tools/reporting/combine';
import type { GatewayPolicy } from '../../engine/tools/policy/policy';
import type { DataStepResult } from './data-intelligence';
import { StepError, type RunContext, type StepOutput } from '../supervisor/contract';
import { loadLedger } from './ledger';
import { callTool } from './tool-call';
import type { TriageStepResult } from './triage-agent';

const AGENT = 'optimizations_core';

/** A saving in lever order, with the share of spend saved by it and every lever before it, combined without double counting. */
export type OrderedSaving = Finding & { cumulative_pct: number };

export interface OptimizeStepResult {
  total_cost_nanousd: number;
  window_days: number;
  /** The tools the planner chose, in order. */
  planned: PlannedCall[];
  /** Their outputs (findings trimmed), the figures of the answer. */
  outputs: ToolOutputs;
  /** When the optimizer ran: the 20 largest savings in the order LEVERS.md applies the levers. */
  savings: OrderedSaving[];
  insights: Finding[];
  data_quality: Finding[];
  combined: CombinedSaving | null;
  policy: GatewayPolicy | null;
  /** The LLM planner's final text when it passed the number guard (null offline). */
  llm_text: string | null;
}

const MAX_SAVINGS = 20;
/** The data step's profiles, stored for this run's later steps so ClickHouse builds them once. */
export const PROFILE_ARTIFACT = 'profile';
export const PREVIOUS_PROFILE_ARTIFACT = 'previous_profile';
/** The LLM planning loop's checkpoint (a step resumed after eviction continues it). */
const LOOP_ARTIFACT = 'llm_loop';
/** A finding with its evidence cut to 12 fields (the substitute constraints check and the policy always kept). */
const trim = <F extends Finding>(f: F): F => ({
  ...f,
  evidence: {
    ...Object.fromEntries(Object.entries(f.evidence).slice(0, 12)),
    ...(f.evidence.substitute ? { substitute: f.evidence.substitute } : {}),
    ...(f.evidence.policy ? { policy: f.evidence.policy } : {}),
  },
});
const leverRank = (tool: string) => {
  const lever = TOOL_LEVERS[tool];
  return lever ? LEVER_STEPS.indexOf(lever.step) : LEVER_STEPS.length;
};

/** Largest savings, put in lever order, each with the combined share of spend of itself and the levers before it. */
export function orderSavings(findings: readonly Finding[], profile: WorkloadProfile): OrderedSaving[] {
  const top = findings
    .filter((f) => f.kind === 'saving' && f.saving_nanousd > 0)
    .sort((a, b) => b.saving_nanousd - a.saving_nanousd)
    .slice(0, MAX_SAVINGS)
    .sort((a, b) => leverRank(a.tool) - leverRank(b.tool) || b.saving_nanousd - a.saving_nanousd);
  return top.map((f, i) => ({ ...f, cumulative_pct: pctOf(combineSavings(top.slice(0, i + 1), profile).combined_saving_nanousd, profile.totals.cost_nanousd) }));
}

/** A short view of a tool's output for the tool_result event. */
function summarize(output: unknown): unknown {
  if (Array.isArray(output)) return { items: output.length };
  if (output && typeof output === 'object') {
    return Object.fromEntries(Object.entries(output).map(([k, v]) => [k, Array.isArray(v) ? { items: v.length } : v && typeof v === 'object' ? '…' : v]));
  }
  return output;
}

function trimOutputs(out: ToolOutputs): ToolOutputs {
  const t: ToolOutputs = { ...out };
  if (t.optimizer) t.optimizer = { ...t.optimizer, findings: t.optimizer.findings.filter((f) => f.kind === 'saving' || f.tool === 'routing_policy').map(trim) };
  if (t.latency_levers) t.latency_levers = t.latency_levers.map(trim);
  if (t.cache_tools) t.cache_tools = t.cache_tools.slice(0, 20).map(trim);
  if (t.cost_anomalies) t.cost_anomalies = t.cost_anomalies.map(trim);
  return t;
}

/** The profiles of the data step (rebuilt in ClickHouse if the artifact was lost or too large). */
export async function profilesOf(ctx: RunContext): Promise<{ profile: WorkloadProfile | null; previous: WorkloadProfile | null }> {
  const data = ctx.results.data as DataStepResult | undefined;
  if (!data) return { profile: null, previous: null };
  let profile = ctx.artifacts.get<WorkloadProfile>(PROFILE_ARTIFACT) ?? null;
  let previous = ctx.artifacts.get<WorkloadProfile>(PREVIOUS_PROFILE_ARTIFACT) ?? null;
  const needPrevious = comparesPeriods((ctx.results.triage as TriageStepResult).request);
  if (!profile || (needPrevious && !previous)) {
    const ch = openClickHouse(ctx.env, ANALYSIS_TIMEOUT_MS);
    try {
      const len = data.window.to - data.window.from;
      const window = { from: data.window.from, to: data.window.to };
      const rebuilt = ({ cached }: { cached: boolean }) => ({ rebuilt: true, cached });
      profile ??= (await callTool(ctx, AGENT, 'workload_profile', { org_id: ctx.thread.org_id, rebuilt: true }, () => profileFor(ctx, ch, window), rebuilt)).profile;
      if (needPrevious && !previous) {
        const before = { from: data.window.from - len, to: data.window.from };
        previous = (await callTool(ctx, AGENT, 'workload_profile', { org_id: ctx.thread.org_id, rebuilt: true, period: 'previous' }, () => profileFor(ctx, ch, before), rebuilt)).profile;
      }
    } finally {
      await ch.close().catch(() => {});
    }
  }
  return { profile, previous };
}

export async function optimizeStep(ctx: RunContext): Promise<StepOutput> {
  const triage = ctx.results.triage as TriageStepResult;
  const { profile, previous } = await profilesOf(ctx);
  if (!profile) throw new StepError('run_failed', 'no telemetry found for this organization', false);
  const features = [...new Set(profile.segments.map((s) => s.feature).filter(Boolean))];
  const data = { profile, previous, ledger: await loadLedger(ctx, AGENT, triage.request) };
  const runTool = (call: PlannedCall) => callTool(ctx, AGENT, call.tool, call.input, async () => runAgentTool(call.tool, call.input, data), summarize, 'pure');
  const provider = selectProvider(ctx.env);
  let planned: PlannedCall[];
  let outputs: ToolOutputs;
  let llmText: string | null = null;
  if (provider && canCallTools(provider)) {
    ctx.emit('agent_log', { level: 'info', message: `planning with ${provider.name} tool calling` }, AGENT);
    const loop = await runLlmLoop({
      provider,
      model: provider.defaultModel,
      message: ctx.message,
      request: triage.request,
      features,
      runTool,
      onLlmCall: (call) => meterLlmCall(ctx, call),
      log: (level, message) => ctx.emit('agent_log', { level, message }, AGENT),
      state: { load: () => ctx.artifacts.get<LoopState>(LOOP_ARTIFACT), save: (s) => ctx.artifacts.put(LOOP_ARTIFACT, s) },
    });
    planned = loop.planned;
    outputs = loop.outputs;
    llmText = loop.text;
  } else {
    planned = planTools(triage.request, features);
    ctx.emit('agent_log', { level: 'info', message: `plan: ${planned.map((c) => c.tool).join(', ') || 'no tool needed'}` }, AGENT);
    outputs = await executePlan(planned, data, (call) => runTool(call));
  }
  const findings = outputs.optimizer?.findings ?? [];
  const byKind = (k: Finding['kind']) => findings.filter((f) => f.kind === k);
  const policy = findings.find((f) => f.tool === 'routing_policy')?.evidence.policy as GatewayPolicy | undefined;
  const result: OptimizeStepResult = {
    total_cost_nanousd: profile.totals.cost_nanousd,
    window_days: monthlyBasis(profile).days,
    planned,
    outputs: trimOutputs(outputs),
    savings: orderSavings(findings, profile).map(trim),
    insights: byKind('insight').filter((f) => f.tool !== 'routing_policy').slice(0, 10).map(trim),
    data_quality: byKind('data_quality').slice(0, 10).map(trim),
    combined: outputs.optimizer?.combined ?? null,
    policy: policy ?? null,
    llm_text: llmText,
  };
  ctx.emit('agent_log', { level: 'info', message: `${planned.length} tools ran${outputs.optimizer ? `; ${result.savings.length} savings found` : ''}` }, AGENT);
  return { result };
}

// Optimizations core: runs every optimizer tool of the engine through the same findings path as
// GET /api/analysis/findings, streams one tool_call/tool_result per tool family, and keeps the
// quantified findings (savings, evidence, confidence, risk) for the plan and the report.
import { ANALYSIS_TIMEOUT_MS, openClickHouse } from '../../db/clickhouse';
import { analyzeWorkload, type CombinedSaving } from '../../engine/analyze';
import { pctOf, type Finding, type ToolFamily } from '../../engine/findings';
import type { WorkloadProfile } from '../../engine/profile/types';
import { combineSavings, LEVER_STEPS, TOOL_LEVERS } from '../../engine/tools/reporting/combine';
import type { GatewayPolicy } from '../../engine/tools/policy/policy';
import { nanoToUsd } from '../../engine/telemetry/record';
import { analyzeOrg } from '../../workers/analysis/org-analysis';
import { StepError, type RunContext, type StepOutput } from '../supervisor/contract';
import type { DataStepResult } from './data-intelligence';
import { callTool } from './tool-call';
import type { TriageStepResult } from './triage-agent';
import { alternativesForTopModel, type Alternatives } from './supply-researcher';
import { whatIf, type WhatIfResult } from './what-if';

const AGENT = 'optimizations_core';
const FAMILIES: ToolFamily[] = ['cost', 'performance', 'cache', 'policy', 'reporting'];

/** A saving in lever order, with the share of spend saved by it and every lever before it, combined without double counting. */
export type OrderedSaving = Finding & { cumulative_pct: number };

export interface OptimizeStepResult {
  total_cost_nanousd: number;
  window_days: number;
  /** The 20 largest savings, in the order LEVERS.md applies the levers (waste → calls → model → cache → tokens → batch). */
  savings: OrderedSaving[];
  insights: Finding[];
  data_quality: Finding[];
  /** All savings combined per segment on the residual (never double counted). */
  combined: CombinedSaving;
  /** The gateway policy the routing_policy tool proposes, or null when nothing is enforceable. */
  policy: GatewayPolicy | null;
  /** For what-if questions: the window replayed under the proposed change. */
  what_if: WhatIfResult | null;
  /** Supply researcher: the top model's workload priced on its candidate stand-ins. */
  alternatives: Alternatives | null;
}

const MAX_SAVINGS = 20;
/** The data step's profile, stored for this step so ClickHouse builds it once per run. */
export const PROFILE_ARTIFACT = 'profile';
const trim = <F extends Finding>(f: F): F => ({ ...f, evidence: Object.fromEntries(Object.entries(f.evidence).slice(0, 12)) });
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

export async function optimizeStep(ctx: RunContext): Promise<StepOutput> {
  const data = ctx.results.data as DataStepResult | undefined;
  const ch = openClickHouse(ctx.env, ANALYSIS_TIMEOUT_MS);
  try {
    const analysis = await callTool(
      ctx,
      AGENT,
      'run_optimizer_tools',
      { org_id: ctx.thread.org_id, from: data ? new Date(data.window.from).toISOString() : null, to: data ? new Date(data.window.to).toISOString() : null },
      async () => {
        // Same findings path as GET /api/analysis/findings (profile in ClickHouse → engine), reusing the
        // profile the data step already built; after a lost artifact the profile is built again.
        const profile = ctx.artifacts.get<WorkloadProfile>(PROFILE_ARTIFACT);
        if (profile) return { ...analyzeWorkload(profile), profile };
        return analyzeOrg(ch, ctx.thread.org_id, data ? { from: data.window.from, to: data.window.to } : {});
      },
      (a) => (a ? { findings: a.findings.length } : { findings: 0 }),
    );
    if (!analysis) throw new StepError('run_failed', 'no telemetry found for this organization', false);
    for (const family of FAMILIES) {
      const of = analysis.findings.filter((f) => f.family === family);
      const saving = of.reduce((s, f) => s + f.saving_nanousd, 0);
      const call_id = `${ctx.run_id}:${family}`;
      ctx.emit('tool_call', { call_id, tool: `${family}_tools`, input: { family, profile_window_days: analysis.profile.window.days } }, AGENT);
      ctx.emit(
        'tool_result',
        {
          call_id,
          tool: `${family}_tools`,
          ok: true,
          duration_ms: 0,
          output: { findings: of.length, saving_usd_window: nanoToUsd(saving), tools: [...new Set(of.map((f) => f.tool))] },
        },
        AGENT,
      );
    }
    const triage = (ctx.results.triage as TriageStepResult | undefined)?.triage;
    const what_if =
      triage?.intent === 'what_if'
        ? await callTool(ctx, AGENT, 'what_if_simulation', { scope: triage.scope, previous_feature: ctx.previous?.feature ?? null }, async () =>
            whatIf(analysis.profile, triage.scope, analysis.findings, ctx.previous?.feature ?? null),
          )
        : null;
    const alternatives = await callTool(ctx, 'supply_researcher', 'supply_estimate', { basis: 'top model by spend' }, async () => alternativesForTopModel(analysis.profile));
    const byKind = (k: Finding['kind']) => analysis.findings.filter((f) => f.kind === k);
    const policy = analysis.findings.find((f) => f.tool === 'routing_policy')?.evidence.policy as GatewayPolicy | undefined;
    const result: OptimizeStepResult = {
      total_cost_nanousd: analysis.profile.totals.cost_nanousd,
      window_days: analysis.profile.window.days,
      savings: orderSavings(analysis.findings, analysis.profile).map(trim),
      insights: byKind('insight').filter((f) => f.tool !== 'routing_policy').slice(0, 10).map(trim),
      data_quality: byKind('data_quality').slice(0, 10).map(trim),
      combined: analysis.combined_saving,
      policy: policy ?? null,
      what_if,
      alternatives,
    };
    ctx.emit('agent_log', { level: 'info', message: `${result.savings.length} savings found` }, AGENT);
    return { result };
  } finally {
    await ch.close().catch(() => {});
  }
}

// Optimizations core: runs every optimizer tool of the engine through the same findings path as
// GET /api/analysis/findings, streams one tool_call/tool_result per tool family, and keeps the
// quantified findings (savings, evidence, confidence, risk) for the plan and the report.
import { openClickHouse } from '../../db/clickhouse';
import type { Finding, ToolFamily } from '../../engine/findings';
import { nanoToUsd } from '../../engine/telemetry/record';
import { analyzeOrg } from '../../workers/analysis/org-analysis';
import { StepError, type RunContext, type StepOutput } from '../supervisor/steps';
import type { DataStepResult } from './data-intelligence';
import { callTool } from './tool-call';

const AGENT = 'optimizations_core';
const FAMILIES: ToolFamily[] = ['cost', 'performance', 'cache', 'policy', 'reporting'];

export interface OptimizeStepResult {
  total_cost_nanousd: number;
  window_days: number;
  /** Saving findings, largest first (at most 20), then insights and data-quality findings (at most 10 each). */
  savings: Finding[];
  insights: Finding[];
  data_quality: Finding[];
  /** Sum of the saving findings' monthly savings (the report combines them without double counting). */
  combined_saving: unknown;
}

const trim = (f: Finding): Finding => ({ ...f, evidence: Object.fromEntries(Object.entries(f.evidence).slice(0, 12)) });

export async function optimizeStep(ctx: RunContext): Promise<StepOutput> {
  const data = ctx.results.data as DataStepResult | undefined;
  const ch = openClickHouse(ctx.env);
  try {
    const analysis = await callTool(
      ctx,
      AGENT,
      'run_optimizer_tools',
      { org_id: ctx.thread.org_id, from: data ? new Date(data.window.from).toISOString() : null, to: data ? new Date(data.window.to).toISOString() : null },
      () => analyzeOrg(ch, ctx.thread.org_id, data ? { from: data.window.from, to: data.window.to } : {}),
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
    const byKind = (k: Finding['kind']) => analysis.findings.filter((f) => f.kind === k);
    const result: OptimizeStepResult = {
      total_cost_nanousd: analysis.profile.totals.cost_nanousd,
      window_days: analysis.profile.window.days,
      savings: byKind('saving').sort((a, b) => b.saving_nanousd - a.saving_nanousd).slice(0, 20).map(trim),
      insights: byKind('insight').slice(0, 10).map(trim),
      data_quality: byKind('data_quality').slice(0, 10).map(trim),
      combined_saving: analysis.combined_saving,
    };
    ctx.emit('agent_log', { level: 'info', message: `${result.savings.length} savings found` }, AGENT);
    return { result };
  } finally {
    await ch.close().catch(() => {});
  }
}

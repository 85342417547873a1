// Triage step: reads the request (offline reasoner), measures what the org's telemetry covers, and scores
// data sufficiency — the score picks the pipeline (full / partial / data helper).
import { openClickHouse } from '../../db/clickhouse';
import { dataCoverage, type CoverageRow } from '../../db/coverage';
import type { RunContext, StepOutput } from '../supervisor/contract';
import { callTool } from './tool-call';
import { scoreSufficiency, triageMessage, type SufficiencyInput, type TriageResult } from './triage';

export interface TriageStepResult {
  triage: TriageResult;
  coverage: CoverageRow;
  sufficiency: { score: number; inputs: SufficiencyInput[] };
}

const AGENT = 'triage';

export async function triageStep(ctx: RunContext): Promise<StepOutput> {
  const triage = triageMessage(ctx.message);
  ctx.emit('agent_log', { level: 'info', message: `intent: ${triage.intent}; goals: ${triage.goals.map((g) => g.metric).join(', ') || 'none stated'}` }, AGENT);
  const ch = openClickHouse(ctx.env);
  try {
    const coverage = await callTool(ctx, AGENT, 'data_coverage', { org_id: ctx.thread.org_id }, () => dataCoverage(ch, ctx.thread.org_id));
    const sufficiency = scoreSufficiency(coverage);
    ctx.emit('sub_agent_update', { sub_agent: AGENT, status: 'progress', message: `data sufficiency ${sufficiency.score}%`, details: { sufficiency } }, AGENT);
    const result: TriageStepResult = { triage, coverage, sufficiency };
    return { result, sufficiency: sufficiency.score };
  } finally {
    await ch.close().catch(() => {});
  }
}

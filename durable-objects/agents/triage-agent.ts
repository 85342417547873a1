// Triage step: turns the message into a structured request (intents, scope, targets, constraints; a
// follow-up reuses the thread's previous request), and, when the request needs telemetry, measures what
// the org's telemetry covers and scores data sufficiency — the score picks the pipeline. A request that
// needs no telemetry goes straight to the answer: a greeting or "how do I send data?" runs no tool, a
// catalog question runs only the catalog search (supply researcher).
import { openClickHouse } from '../../db/clickhouse';
import { dataCoverage, type CoverageRow } from '../../db/coverage';
import type { ToolOutputs } from '../../engine/agent/answer';
import { needsData, planTools } from '../../engine/agent/plan';
import { executePlan } from '../../engine/agent/run';
import { runAgentTool } from '../../engine/agent/tools';
import { agentRequest, parseRequest, type AgentRequest } from '../../engine/agent/request';
import type { RunContext, StepOutput } from '../supervisor/contract';
import { loadLedger } from './ledger';
import { callTool } from './tool-call';
import { scoreSufficiency, type SufficiencyInput } from './triage';

export interface TriageStepResult {
  request: AgentRequest;
  /** Outputs of the tools a request that needs no telemetry ran here (the catalog search). */
  outputs?: ToolOutputs;
  coverage: CoverageRow | null;
  sufficiency: { score: number; inputs: SufficiencyInput[] };
}

const AGENT = 'triage';

function previousRequest(ctx: RunContext): AgentRequest | null {
  const parsed = agentRequest.safeParse(ctx.previous?.request);
  return parsed.success ? parsed.data : null;
}

const describe = (r: AgentRequest) =>
  [
    `intents: ${r.intents.join(', ')}`,
    r.scope.features.length ? `features: ${r.scope.features.join(', ')}` : '',
    r.scope.models.length ? `models: ${r.scope.models.join(', ')}` : '',
    r.scope.window ? `window: ${r.scope.window.phrase}` : '',
    r.targets.cut_pct !== null ? `target: cut ${r.targets.cut_pct}%` : '',
    r.constraints.keep_models.length ? `keep: ${r.constraints.keep_models.join(', ')}` : '',
    r.constraints.keep_feature_models.length ? `keep the models of: ${r.constraints.keep_feature_models.join(', ')}` : '',
    r.follow_up ? 'follow-up of the previous question' : '',
  ]
    .filter(Boolean)
    .join('; ');

export async function triageStep(ctx: RunContext): Promise<StepOutput> {
  const previous = previousRequest(ctx);
  const first = parseRequest(ctx.message, Date.now(), previous);
  if (!needsData(first)) {
    ctx.emit('agent_log', { level: 'info', message: describe(first) }, AGENT);
    // Only tools that need no profile can be planned here (a catalog search, the savings ledger); a greeting plans none.
    const data = { profile: null, previous: null, ledger: await loadLedger(ctx, AGENT, first) };
    const outputs = await executePlan(planTools(first, []), data, (call) =>
      callTool(ctx, 'supply_researcher', call.tool, call.input, async () => runAgentTool(call.tool, call.input, data), (o) => (Array.isArray(o) ? { items: o.length } : o), 'pure'),
    );
    const result: TriageStepResult = { request: first, outputs, coverage: null, sufficiency: { score: 0, inputs: [] } };
    return { result, pipeline: 'answer' };
  }
  const ch = openClickHouse(ctx.env);
  try {
    const coverage = await callTool(ctx, AGENT, 'data_coverage', { org_id: ctx.thread.org_id }, () => dataCoverage(ch, ctx.thread.org_id));
    // Relative windows ("last week") are read against the org's latest call.
    const request = coverage.to_ms !== null ? parseRequest(ctx.message, coverage.to_ms, previous, coverage.features) : first;
    ctx.emit('agent_log', { level: 'info', message: describe(request) }, AGENT);
    const sufficiency = scoreSufficiency(coverage);
    ctx.emit('sub_agent_update', { sub_agent: AGENT, status: 'progress', message: `data sufficiency ${sufficiency.score}%`, details: { sufficiency } }, AGENT);
    const result: TriageStepResult = { request, coverage, sufficiency };
    return { result, sufficiency: sufficiency.score };
  } finally {
    await ch.close().catch(() => {});
  }
}

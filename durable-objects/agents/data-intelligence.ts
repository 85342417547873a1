// Data intelligence step: builds the org's workload profile in ClickHouse over the window the request names
// (and the period before it for a spend-change question)
// and reports what it holds (volume, spend, top models, data quality) — the facts later steps stand on.
import { ANALYSIS_TIMEOUT_MS, openClickHouse } from '../../db/clickhouse';
import { nanoToUsd } from '../../engine/telemetry/record';
import { windowOf } from '../../db/org-analysis';
import { comparesPeriods } from '../../engine/agent/plan';
import type { TriageStepResult } from './triage-agent';
import { DAY_MS } from '../../engine/findings';
import type { WorkloadProfile } from '../../engine/profile/types';
import { PREVIOUS_PROFILE_ARTIFACT, PROFILE_ARTIFACT } from './optimizer';
import { StepError, type RunContext, type StepOutput } from '../supervisor/contract';
import { profileFor } from './profile-source';
import { callTool } from './tool-call';

const AGENT = 'data_intelligence';

export interface DataStepResult {
  window: { from: number; to: number; days: number };
  calls: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  top_models: { provider: string; model: string; calls: number; cost_usd: number; share_pct: number }[];
  data_quality: { unknown_model_calls: number; invalid_calls: number; missing_latency_calls: number; missing_feature_calls: number };
}

/**
 * The window the request names (clipped to the data), else all of the org's data. A spend-change question
 * with no window compares the last 7 days with the 7 before (or the two halves of a shorter history).
 */
export function windowsFor(triage: TriageStepResult): { window: { from: number; to: number }; previous: { from: number; to: number } | null } | null {
  const all = triage.coverage ? windowOf(triage.coverage, {}) : null;
  if (!all) return null;
  const named = triage.request.scope.window;
  const compare = comparesPeriods(triage.request);
  let window = named ? { from: Math.max(named.from, all.from), to: Math.min(named.to, all.to) } : { from: all.from, to: all.to };
  if (window.to <= window.from) window = { from: all.from, to: all.to };
  if (compare && !named) {
    const span = all.to - all.from;
    const len = span >= 14 * DAY_MS ? 7 * DAY_MS : Math.floor(span / 2);
    window = { from: all.to - len, to: all.to };
  }
  const len = window.to - window.from;
  return { window, previous: compare ? { from: window.from - len, to: window.from } : null };
}

const putArtifact = (ctx: RunContext, name: string, value: WorkloadProfile) => {
  try {
    ctx.artifacts.put(name, value);
  } catch {
    // Too large for one stored value: the optimizer step builds it again in ClickHouse.
    ctx.emit('agent_log', { level: 'warn', message: 'profile too large to keep between steps; it will be rebuilt' }, AGENT);
  }
};

export async function dataStep(ctx: RunContext): Promise<StepOutput> {
  const ch = openClickHouse(ctx.env, ANALYSIS_TIMEOUT_MS);
  try {
    const windows = windowsFor(ctx.results.triage as TriageStepResult);
    if (!windows) throw new StepError('run_failed', 'no telemetry found for this organization', false);
    const { window, previous } = windows;
    const summary = ({ profile: p, cached }: { profile: WorkloadProfile; cached: boolean }) => ({ calls: p.totals.calls, cost_usd: nanoToUsd(p.totals.cost_nanousd), models: p.models.length, segments: p.segments.length, days: p.window.days, cached });
    const { profile } = await callTool(ctx, AGENT, 'workload_profile', { org_id: ctx.thread.org_id, from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() }, () =>
      profileFor(ctx, ch, window),
      summary,
    );
    putArtifact(ctx, PROFILE_ARTIFACT, profile);
    if (previous) {
      const { profile: before } = await callTool(ctx, AGENT, 'workload_profile', { org_id: ctx.thread.org_id, from: new Date(previous.from).toISOString(), to: new Date(previous.to).toISOString(), period: 'previous' }, () =>
        profileFor(ctx, ch, previous),
        summary,
      );
      putArtifact(ctx, PREVIOUS_PROFILE_ARTIFACT, before);
    }
    const total = profile.totals.cost_nanousd;
    const result: DataStepResult = {
      window: profile.window,
      calls: profile.totals.calls,
      cost_usd: nanoToUsd(total),
      input_tokens: profile.totals.input_tokens,
      output_tokens: profile.totals.output_tokens,
      top_models: profile.models.slice(0, 5).map((m) => ({
        provider: m.provider,
        model: m.model,
        calls: m.calls,
        cost_usd: nanoToUsd(m.cost_nanousd),
        share_pct: total > 0 ? Math.round((m.cost_nanousd / total) * 1000) / 10 : 0,
      })),
      data_quality: {
        unknown_model_calls: profile.data_quality.unknown_model_calls,
        invalid_calls: profile.data_quality.invalid_calls,
        missing_latency_calls: profile.data_quality.missing_latency_calls,
        missing_feature_calls: profile.data_quality.missing_feature_calls,
      },
    };
    ctx.emit('agent_log', { level: 'info', message: `${result.calls} calls over ${result.window.days.toFixed(1)} days, $${result.cost_usd.toFixed(2)} spent` }, AGENT);
    return { result };
  } finally {
    await ch.close().catch(() => {});
  }
}

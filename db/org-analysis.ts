// The one findings path: the org's workload profile computed in ClickHouse (never raw calls in the Worker
// or the DO), then every optimizer tool of the engine over it. `GET /api/analysis/findings` and the agents'
// optimizer step both call this.
import { analyzeWorkload, type AnalysisResult } from '../engine/analyze';
import type { WorkloadProfile } from '../engine/profile/types';
import type { ClickHouseClient } from './clickhouse';
import { dataCoverage, type CoverageRow } from './coverage';
import { loadWorkloadProfile } from './workload-profile';

export interface AnalysisWindow {
  /** epoch ms inclusive; default: the org's first call. */
  from?: number;
  /** epoch ms exclusive; default: just after the org's last call. */
  to?: number;
  /** Only calls of this source (`import:<imp_id>`, `api`, `otlp`, `synthetic:<job>`). */
  source?: string;
}

export interface ResolvedWindow {
  from: number;
  to: number;
  source?: string;
}

export interface OrgAnalysis extends AnalysisResult {
  profile: WorkloadProfile;
}

/** Fills an open window from what the org's data covers; null when it has no calls. */
export function windowOf(cov: CoverageRow | null, w: AnalysisWindow): ResolvedWindow | null {
  if (w.from !== undefined && w.to !== undefined) return { from: w.from, to: w.to, ...(w.source ? { source: w.source } : {}) };
  if (!cov || cov.calls === 0 || cov.from_ms === null || cov.to_ms === null) return null;
  return { from: w.from ?? cov.from_ms, to: w.to ?? cov.to_ms + 1, ...(w.source ? { source: w.source } : {}) };
}

export async function resolveWindow(ch: ClickHouseClient, orgId: string, w: AnalysisWindow): Promise<ResolvedWindow | null> {
  const open = w.from === undefined || w.to === undefined;
  return windowOf(open ? await dataCoverage(ch, orgId, w.source) : null, w);
}

export async function analyzeOrg(ch: ClickHouseClient, orgId: string, w: AnalysisWindow): Promise<OrgAnalysis | null> {
  const window = await resolveWindow(ch, orgId, w);
  if (!window) return null;
  const profile = await loadWorkloadProfile(ch, orgId, window);
  return { ...analyzeWorkload(profile), profile };
}

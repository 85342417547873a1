// The one entry point the API and the agents call: all tools over a profile, with totals and the
// combined (never double-counted) saving.
import { monthlyUsd } from './monthly-basis.js';
import { pctOf, type Finding, type FindingKind } from './findings.js';
import type { WorkloadProfile } from './profile/types.js';
import { combineSavings, runAllTools, type CombinedSavings, type RunOptions } from './tools/index.js';

export interface AnalysisTotals {
  calls: number;
  cost_nanousd: number;
  cost_usd_month: number;
  window: WorkloadProfile['window'];
  findings_by_kind: Record<FindingKind, number>;
}

export interface CombinedSaving extends CombinedSavings {
  saving_usd_month: number;
  saving_pct: number;
}

export interface AnalysisResult {
  findings: Finding[];
  totals: AnalysisTotals;
  combined_saving: CombinedSaving;
}

export function analyzeWorkload(profile: WorkloadProfile, opts: RunOptions = {}): AnalysisResult {
  const findings = runAllTools(profile, opts);
  const combined = combineSavings(findings, profile);
  const byKind: Record<FindingKind, number> = { saving: 0, insight: 0, data_quality: 0 };
  for (const f of findings) byKind[f.kind]++;
  return {
    findings,
    totals: {
      calls: profile.totals.calls,
      cost_nanousd: profile.totals.cost_nanousd,
      cost_usd_month: monthlyUsd(profile, profile.totals.cost_nanousd),
      window: profile.window,
      findings_by_kind: byKind,
    },
    combined_saving: {
      ...combined,
      saving_usd_month: monthlyUsd(profile, combined.combined_saving_nanousd),
      saving_pct: pctOf(combined.combined_saving_nanousd, profile.totals.cost_nanousd),
    },
  };
}

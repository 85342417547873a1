// Scores an analyzer's findings against a workload's truth (definitions in bench/quality.ts). Pure.
import type { Finding } from '../../../engine/findings.js';
import type { TruthItem } from './workloads.js';

export interface Outcome {
  item: TruthItem;
  finding: Finding | null;
  /** |found − expected| / expected for items with an expected saving, else null. */
  error: number | null;
}

export interface Score {
  outcomes: Outcome[];
  /** Saving findings with money (> 0): every one must match an item. */
  claims: Finding[];
  falseClaims: Finding[];
  /** cost_anomalies spikes (not schedules) matching no planted anomaly, in a clean feature. */
  falseAnomalies: Finding[];
  /** Unplanned spikes driven by a planted feature (its waste, e.g. runaway outputs, spikes its spend): not false. */
  wasteAnomalies: Finding[];
}

const isSpike = (f: Finding) => f.tool === 'cost_anomalies' && f.kind === 'insight' && f.evidence.schedule !== true && f.where.group?.startsWith('hours:');

function spikeHours(f: Finding): { from: number; to: number } | null {
  const [from, to] = (f.where.group ?? '').slice('hours:'.length).split('/').map((s) => Date.parse(s));
  return from !== undefined && to !== undefined && Number.isFinite(from) && Number.isFinite(to) ? { from, to } : null;
}

function matches(item: TruthItem, f: Finding): boolean {
  if (f.tool !== item.tool) return false;
  if (item.hours) {
    const h = isSpike(f) ? spikeHours(f) : null;
    return h !== null && h.from < item.hours.to && item.hours.from < h.to;
  }
  return f.kind === 'saving' && f.saving_nanousd > 0 && f.where.feature === item.feature;
}

export function scoreFindings(items: readonly TruthItem[], findings: readonly Finding[]): Score {
  const used = new Set<Finding>();
  const outcomes = items.map((item): Outcome => {
    const finding = findings.find((f) => !used.has(f) && matches(item, f)) ?? null;
    if (!finding) return { item, finding, error: null };
    used.add(finding);
    const error = item.saving_usd === null ? null : Math.abs(finding.saving_nanousd / 1e9 - item.saving_usd) / item.saving_usd;
    return { item, finding, error };
  });
  const claims = findings.filter((f) => f.kind === 'saving' && f.saving_nanousd > 0);
  const planted = new Set(items.map((i) => i.feature));
  const unplanned = findings.filter((f) => isSpike(f) && !used.has(f));
  return {
    outcomes,
    claims,
    falseClaims: claims.filter((f) => !used.has(f)),
    falseAnomalies: unplanned.filter((f) => !planted.has(f.where.feature ?? '')),
    wasteAnomalies: unplanned.filter((f) => planted.has(f.where.feature ?? '')),
  };
}

// Scores an analyzer's findings against a synthetic workload's ground truth (see bench/quality.ts for the
// definitions). Pure: no I/O.
import type { Finding, FindingScope } from '../../engine/findings.js';
import type { GroundTruth, GroundTruthItem } from '../../engine/synthetic/index.js';

/** Two scopes describe the same group when they share at least one key and agree on every key both set. */
export function sameGroup(a: FindingScope, b: FindingScope): boolean {
  let shared = 0;
  for (const key of Object.keys(a) as (keyof FindingScope)[]) {
    const av = a[key];
    const bv = b[key];
    if (av === undefined || bv === undefined) continue;
    if (av !== bv) return false;
    shared++;
  }
  return shared > 0;
}

/** Relative error of a finding's figure: saving for saving items, the worst evidence figure for insights. */
export function relativeError(item: GroundTruthItem, f: Finding): number {
  const rel = (got: unknown, want: number) => {
    const g = typeof got === 'number' ? got : Number.NaN;
    if (!Number.isFinite(g)) return Infinity;
    return want === 0 ? (g === 0 ? 0 : Infinity) : Math.abs(g - want) / Math.abs(want);
  };
  if (item.kind === 'saving') return rel(f.saving_nanousd, item.saving_nanousd);
  return Math.max(0, ...Object.entries(item.evidence).map(([k, v]) => rel(f.evidence[k], v)));
}

export interface ItemOutcome {
  item: GroundTruthItem;
  finding: Finding | null;
  error: number | null;
}

export interface WorkloadScore {
  items: ItemOutcome[];
  /** Saving findings of plant tools inside planted or clean groups (the precision denominator). */
  claims: Finding[];
  /** Claims that matched no item. */
  falsePositives: Finding[];
  /** Insights of insight-plant tools inside planted or clean groups that matched no item (not in precision). */
  unplannedInsights: Finding[];
}

/**
 * Items match findings one-to-one on tool id + same group, closest figure first: saving items against saving
 * findings, insight items against insight findings of their tool.
 */
export function scoreWorkload(truth: GroundTruth, findings: readonly Finding[], plantTools: ReadonlySet<string>): WorkloadScore {
  const groups = [...truth.planted_groups, ...truth.clean_groups];
  const scored = findings.filter((f) => plantTools.has(f.tool) && f.kind !== 'data_quality' && groups.some((g) => sameGroup(f.where, g)));
  const used = new Set<Finding>();
  const items = truth.items.map((item): ItemOutcome => {
    const candidates = scored.filter((f) => !used.has(f) && f.kind === item.kind && f.tool === item.tool && sameGroup(f.where, item.where));
    const best = candidates.sort((a, b) => relativeError(item, a) - relativeError(item, b))[0];
    if (!best) return { item, finding: null, error: null };
    used.add(best);
    return { item, finding: best, error: relativeError(item, best) };
  });
  const insightTools = new Set(truth.items.filter((i) => i.kind === 'insight').map((i) => i.tool));
  const claims = scored.filter((f) => f.kind === 'saving');
  return {
    items,
    claims,
    falsePositives: claims.filter((f) => !used.has(f)),
    unplannedInsights: scored.filter((f) => f.kind === 'insight' && insightTools.has(f.tool) && !used.has(f)),
  };
}

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
  /** Claims inside planted or clean groups (the precision denominator). */
  claims: Finding[];
  /** Claims that matched no item. */
  falsePositives: Finding[];
}

/**
 * A claim is a saving finding, or an insight of a tool whose plants are insight items, by a tool some plant
 * targets. Items and claims match one-to-one on tool id + same group, best figure first.
 */
export function scoreWorkload(truth: GroundTruth, findings: readonly Finding[], plantTools: ReadonlySet<string>, insightTools: ReadonlySet<string>): WorkloadScore {
  const groups = [...truth.planted_groups, ...truth.clean_groups];
  const claims = findings.filter(
    (f) =>
      plantTools.has(f.tool) &&
      (f.kind === 'saving' || (f.kind === 'insight' && insightTools.has(f.tool))) &&
      groups.some((g) => sameGroup(f.where, g)),
  );
  const used = new Set<Finding>();
  const items = truth.items.map((item): ItemOutcome => {
    const candidates = claims.filter((f) => !used.has(f) && f.tool === item.tool && sameGroup(f.where, item.where));
    const best = candidates.sort((a, b) => relativeError(item, a) - relativeError(item, b))[0];
    if (!best) return { item, finding: null, error: null };
    used.add(best);
    return { item, finding: best, error: relativeError(item, best) };
  });
  return { items, claims, falsePositives: claims.filter((f) => !used.has(f)) };
}

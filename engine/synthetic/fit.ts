// Fits the shapes the generator needs from real traces (Azure LLM inference CSV, Mooncake JSONL).
// Pure functions over parsed rows; bench/lib/fit-traces.ts does the file reading and writes fitted-params.json.
export interface TraceRow {
  timestamp_ms: number;
  input_tokens: number;
  output_tokens: number;
  /** Mooncake: hashes of the prompt's cumulative 512-token blocks. */
  hash_ids?: readonly number[];
}

/** Empirical quantile function: value at p = i / (n−1) for i = 0 … n−1. Sampled by inverse CDF. */
export type Quantiles = number[];

export const QUANTILE_POINTS = 101;

export interface TokenFit {
  median: number;
  mean: number;
  /** Log-normal fit (mean and sd of ln x), a compact summary next to the empirical quantiles. */
  log_mu: number;
  log_sigma: number;
  quantiles: Quantiles;
}

export interface ArrivalFit {
  rate_per_s: number;
  /** Coefficient of variation of inter-arrival gaps: ≈1 for Poisson, ≫1 for bursty traffic. */
  gap_cv: number;
  /** Variance / mean of calls per second (index of dispersion): 1 for Poisson. */
  dispersion_per_s: number;
  /** Inter-arrival gaps divided by their mean: rescaled to any target rate by the generator. */
  gap_quantiles_rel: Quantiles;
}

export interface PrefixFit {
  /** Share of calls whose leading prefix block was already seen earlier in the trace. */
  reuse_share: number;
  /** Among reusing calls: how many leading blocks repeat. */
  depth_blocks_quantiles: Quantiles;
  /** Among reusing calls: repeated blocks / all blocks of the prompt. */
  reused_fraction_median: number;
  /** Time since the previous call that shared the first block, median (ms): tells whether a cache TTL would hold. */
  reuse_gap_ms_median: number;
}

export interface TraceFit {
  rows: number;
  duration_ms: number;
  input: TokenFit;
  output: TokenFit;
  arrivals: ArrivalFit;
  prefix: PrefixFit | null;
}

export interface FittedParams {
  generated_by: string;
  traces: { azure_code: TraceFit; mooncake: TraceFit };
}

/** Type-7 (linear interpolation) quantiles of a sorted array at QUANTILE_POINTS evenly spaced probabilities. */
export function quantilesOf(sorted: readonly number[], points = QUANTILE_POINTS): Quantiles {
  if (sorted.length === 0) throw new Error('quantiles of an empty sample');
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const pos = (i / (points - 1)) * (sorted.length - 1);
    const lo = Math.floor(pos);
    const a = sorted[lo] ?? 0;
    const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
    out.push(a + (b - a) * (pos - lo));
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sd(xs: readonly number[], m = mean(xs)): number {
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function fitTokens(values: readonly number[]): TokenFit {
  const sorted = [...values].sort((a, b) => a - b);
  const logs = sorted.map((v) => Math.log(Math.max(1, v)));
  const q = quantilesOf(sorted);
  return {
    median: q[(QUANTILE_POINTS - 1) / 2] ?? 0,
    mean: round(mean(sorted), 2),
    log_mu: round(mean(logs), 4),
    log_sigma: round(sd(logs), 4),
    quantiles: q.map((v) => Math.round(v)),
  };
}

/** Arrival shape of time-ordered timestamps (ms). */
export function fitArrivals(timestampsMs: readonly number[]): ArrivalFit {
  const ts = [...timestampsMs].sort((a, b) => a - b);
  const gaps = ts.slice(1).map((t, i) => t - (ts[i] ?? t));
  const meanGap = mean(gaps);
  const first = ts[0] ?? 0;
  const seconds = Math.floor(((ts[ts.length - 1] ?? first) - first) / 1000) + 1;
  const perSecond = new Array<number>(seconds).fill(0);
  for (const t of ts) {
    const s = Math.floor((t - first) / 1000);
    perSecond[s] = (perSecond[s] ?? 0) + 1;
  }
  const m = mean(perSecond);
  return {
    rate_per_s: round(1000 / meanGap, 4),
    gap_cv: round(sd(gaps, meanGap) / meanGap, 4),
    dispersion_per_s: round(sd(perSecond, m) ** 2 / m, 4),
    gap_quantiles_rel: quantilesOf(gaps.map((g) => g / meanGap).sort((a, b) => a - b)).map((v) => round(v, 5)),
  };
}

/**
 * Prefix reuse in arrival order: a call reuses its first k blocks when those block hashes were all seen before
 * (hash ids are cumulative, so equal leading ids mean an equal prompt prefix).
 */
export function fitPrefixReuse(rows: readonly TraceRow[]): PrefixFit {
  const seen = new Set<number>();
  const lastUseOfRoot = new Map<number, number>();
  const depths: number[] = [];
  const fractions: number[] = [];
  const reuseGaps: number[] = [];
  for (const row of rows) {
    const ids = row.hash_ids ?? [];
    let depth = 0;
    while (depth < ids.length && seen.has(ids[depth] ?? -1)) depth++;
    const root = ids[0];
    if (depth > 0 && root !== undefined) {
      depths.push(depth);
      fractions.push(depth / ids.length);
      const prev = lastUseOfRoot.get(root);
      if (prev !== undefined) reuseGaps.push(row.timestamp_ms - prev);
    }
    if (root !== undefined) lastUseOfRoot.set(root, row.timestamp_ms);
    for (const id of ids) seen.add(id);
  }
  const sortedDepths = depths.sort((a, b) => a - b);
  return {
    reuse_share: round(depths.length / rows.length, 4),
    depth_blocks_quantiles: quantilesOf(sortedDepths).map((v) => Math.round(v)),
    reused_fraction_median: round(quantilesOf(fractions.sort((a, b) => a - b), 3)[1] ?? 0, 4),
    reuse_gap_ms_median: Math.round(quantilesOf(reuseGaps.sort((a, b) => a - b), 3)[1] ?? 0),
  };
}

export function fitTrace(rows: readonly TraceRow[]): TraceFit {
  const ts = rows.map((r) => r.timestamp_ms);
  const hasPrefixes = rows.some((r) => r.hash_ids !== undefined);
  return {
    rows: rows.length,
    duration_ms: Math.round(Math.max(...ts) - Math.min(...ts)),
    input: fitTokens(rows.map((r) => r.input_tokens)),
    output: fitTokens(rows.map((r) => r.output_tokens)),
    arrivals: fitArrivals(ts),
    prefix: hasPrefixes ? fitPrefixReuse(rows) : null,
  };
}


// Nearest-rank percentiles (see Distribution in types.ts for the exact definition and its SQL twin).
import type { Distribution } from './types.js';

/** 1-based nearest rank of per-mille percentile `pm` among n values: max(1, ceil(pm·n / 1000)). */
export function nearestRank(pm: number, n: number): number {
  return Math.max(1, Math.floor((pm * n + 999) / 1000));
}

/** Value at per-mille percentile `pm` of values sorted ascending; null when empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, pm: number): number | null {
  const n = sorted.length;
  return n === 0 ? null : (sorted[nearestRank(pm, n) - 1] ?? null);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function distributionOfSorted(sorted: ArrayLike<number>): Distribution {
  const n = sorted.length;
  return {
    count: n,
    p50: percentileOfSorted(sorted, 500),
    p95: percentileOfSorted(sorted, 950),
    p99: percentileOfSorted(sorted, 990),
    max: n === 0 ? null : (sorted[n - 1] ?? null),
  };
}

export function distribution(values: ArrayLike<number>): Distribution {
  return distributionOfSorted(sortedCopy(values));
}

/** Σ max(0, v − threshold) over sorted values. */
export function excessOverSorted(sorted: ArrayLike<number>, threshold: number | null): number {
  if (threshold === null) return 0;
  let sum = 0;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const v = sorted[i]!;
    if (v <= threshold) break;
    sum += v - threshold;
  }
  return sum;
}

/** Numbers collected for one distribution: a growable Float64Array, sorted in place once at the end. */
export class Values {
  private buf = new Float64Array(16);
  private n = 0;

  push(v: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = v;
  }

  /** The values sorted ascending (sorts in place: push nothing after). */
  sorted(): Float64Array {
    return this.buf.subarray(0, this.n).sort();
  }
}

// Draws from fitted empirical distributions, and arrival times shaped like the real traces (fitted-params.json).
import type { Quantiles } from './fit.js';
import type { Rng } from './prng.js';

/** Inverse-CDF draw from an empirical quantile function (linear between fitted points). */
export function drawQuantile(rng: Rng, q: Quantiles): number {
  const pos = rng.float() * (q.length - 1);
  const lo = Math.floor(pos);
  const a = q[lo] ?? 0;
  const b = q[lo + 1] ?? a;
  return a + (b - a) * (pos - lo);
}

/** Relative call rate by UTC hour for user-facing traffic: low at night, peak in the working day. */
function diurnalWeight(ts: number): number {
  const hour = (ts % 86_400_000) / 3_600_000;
  return 0.55 + 0.45 * Math.sin(((hour - 8) / 24) * 2 * Math.PI);
}

/**
 * n sorted timestamps in [from, to). `poisson`: a Poisson process (Mooncake's arrivals), thinned by a diurnal
 * curve when `diurnal`; `bursty`: renewal process with the Azure trace's gap distribution (CV ≫ 1), rescaled
 * so the n calls span the window.
 */
export function arrivalTimes(
  rng: Rng,
  n: number,
  from: number,
  to: number,
  shape: { kind: 'poisson'; diurnal: boolean } | { kind: 'bursty'; gapQuantilesRel: Quantiles },
): Float64Array {
  const out = new Float64Array(n);
  const span = to - from;
  if (shape.kind === 'poisson') {
    // Given their count, Poisson arrivals are uniform order statistics; thinning by rejection keeps that.
    for (let i = 0; i < n; ) {
      const t = from + rng.float() * span;
      if (!shape.diurnal || rng.float() < diurnalWeight(t)) out[i++] = t;
    }
    return out.sort();
  }
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += drawQuantile(rng, shape.gapQuantilesRel);
    out[i] = t;
  }
  const offset = rng.float() * (out[0] ?? 0);
  const scale = (span * 0.999) / ((out[n - 1] ?? 1) - offset || 1);
  for (let i = 0; i < n; i++) out[i] = from + ((out[i] ?? 0) - offset) * scale;
  return out;
}

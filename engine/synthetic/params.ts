// Token-count shapes fitted on the real traces (fitted-params.json, written by bench/lib/fit-traces.ts).
// A feature either keeps a whole trace's shape at its own scale, or — a single feature being far narrower
// than a trace that mixes many — a log-normal around its own median with a fraction of the trace's spread.
import type { FittedParams } from './fit.js';
import fitted from './fitted-params.json';
import type { Rng } from './prng.js';
import { drawQuantile } from './sample.js';

export const FITTED: FittedParams = fitted;

export type TraceName = keyof FittedParams['traces'];

interface ShapeBase {
  trace: TraceName;
  side: 'input' | 'output';
  min: number;
  /** Clamp: for outputs, the feature's max_tokens (longer answers are truncated there). */
  max: number;
}

export type TokenShape =
  /** The trace's empirical quantiles times `scale`. */
  | (ShapeBase & { kind: 'trace'; scale: number })
  /** Log-normal with this median and `spread` × the trace's fitted log-σ. */
  | (ShapeBase & { kind: 'narrow'; median: number; spread: number });

const Z90 = 1.2816;

export function drawShape(rng: Rng, s: TokenShape): number {
  const fit = FITTED.traces[s.trace][s.side];
  const raw = s.kind === 'trace' ? drawQuantile(rng, fit.quantiles) * s.scale : s.median * rng.jitter(s.spread * fit.log_sigma);
  return Math.max(s.min, Math.min(s.max, Math.round(raw)));
}

function p90(s: TokenShape): number {
  const fit = FITTED.traces[s.trace][s.side];
  const v = s.kind === 'trace' ? (fit.quantiles[90] ?? 0) * s.scale : s.median * Math.exp(Z90 * s.spread * fit.log_sigma);
  return Math.round(v);
}

/**
 * The shape clamped at its own 90th percentile: a feature whose max_tokens truncates ~10 % of answers, so its
 * output p95 sits at max_tokens and no long tail is left for an output cap to trim.
 */
export function cappedAtP90(s: TokenShape): TokenShape {
  return { ...s, max: Math.min(s.max, p90(s)) };
}

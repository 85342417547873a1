// Traffic shapes for the benchmark's workloads: seasonal arrivals, token draws and the call record, written
// here so nothing of engine/synthetic's (catalog-priced) call builder shapes the ground truth.
import { Rng } from '../../../engine/synthetic/prng.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';
import { PRICES, dollars, type BenchModel } from './prices.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface Window {
  from: number;
  to: number;
}

/** Relative traffic of an hour (epoch ms of its start). */
export type Season = (hourStart: number) => number;

const hourOfDay = (t: number) => new Date(t).getUTCHours();
const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

/** End users: a day bump peaking at `peakUtc`, quiet nights, weekends at half. */
export const diurnal =
  (peakUtc: number): Season =>
  (t) => {
    const d = Math.min(Math.abs(hourOfDay(t) - peakUtc), 24 - Math.abs(hourOfDay(t) - peakUtc));
    return (0.15 + Math.exp(-(d * d) / 32)) * (weekend(t) ? 0.5 : 1);
  };

/** Office tools: weekdays 08–18 UTC, little at night and on weekends. */
export const businessHours: Season = (t) => {
  const h = hourOfDay(t);
  return (h >= 8 && h < 18 ? 1 : 0.05) * (weekend(t) ? 0.15 : 1);
};

function poisson(rng: Rng, mean: number): number {
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  let n = 0;
  for (let p = rng.exponential(1); p < mean; p += rng.exponential(1)) n++;
  return n;
}

/** Poisson arrivals over the window with about `calls` in total, shaped by `season`, sorted. */
export function seasonalArrivals(rng: Rng, w: Window, calls: number, season: Season, from = w.from): number[] {
  const hours: number[] = [];
  for (let t = from; t < w.to; t += HOUR_MS) hours.push(t);
  const weight = hours.reduce((s, t) => s + season(t), 0);
  const out: number[] = [];
  for (const t of hours) {
    const n = poisson(rng, (calls * season(t)) / weight);
    for (let i = 0; i < n; i++) out.push(t + Math.floor(rng.float() * HOUR_MS));
  }
  return out.sort((a, b) => a - b);
}

/** A job: `perRun` calls spread over `minutes` from each run start. */
export function jobArrivals(rng: Rng, runs: readonly number[], perRun: number, minutes: number): number[] {
  const out: number[] = [];
  for (const start of runs) for (let i = 0; i < perRun; i++) out.push(start + Math.floor(rng.float() * minutes * 60_000));
  return out.sort((a, b) => a - b);
}

/** Run starts at `hourUtc` every day of the window (`weekday` 0–6: only that day of the week). */
export function runStarts(w: Window, hourUtc: number, weekday: number | null = null): number[] {
  const out: number[] = [];
  for (let day = Math.floor(w.from / DAY_MS) * DAY_MS; day < w.to; day += DAY_MS) {
    const t = day + hourUtc * HOUR_MS;
    if (t >= w.from && t + HOUR_MS <= w.to && (weekday === null || new Date(t).getUTCDay() === weekday)) out.push(t);
  }
  return out;
}

/** Log-normal token count around `median`, clipped to [min, max]. */
export function tokens(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(median * Math.exp(sigma * rng.normal()))));
}

export interface CallSpec {
  t: number;
  feature: string;
  model: BenchModel;
  input: number;
  output: number;
  cached?: number;
  written?: number;
  user?: string;
  status?: string;
  stream: boolean;
  maxTokens: number | null;
  prompt: string;
  attempt?: number;
  latencyMs?: number;
  /** Billed through the provider's batch API (at its price). */
  batched?: boolean;
}

/** A call as a source would report it: the benchmark's own price as the source's cost. */
export function call(rng: Rng, s: CallSpec): LlmCall {
  const cached = s.cached ?? 0;
  const written = s.written ?? 0;
  const usd = dollars(s.model, { input: s.input, output: s.output, cached, written }, s.batched);
  const ttft = 250 + 0.05 * (s.input - cached) * rng.jitter(0.2);
  const latency = s.latencyMs ?? (s.status === '429' ? 40 : ttft + 12 * s.output * rng.jitter(0.15));
  return {
    request_id: `req_${rng.hex()}`,
    timestamp: s.t,
    project: 'bench',
    user: s.user,
    feature: s.feature,
    provider: PRICES[s.model].provider,
    model: s.model,
    input_tokens: s.input,
    output_tokens: s.output,
    cached_input_tokens: cached,
    cache_write_tokens: written,
    reasoning_tokens: 0,
    latency_ms: Math.round(latency),
    ttft_ms: s.stream ? Math.round(Math.min(ttft, latency)) : null,
    status: s.status ?? 'ok',
    cost_nanousd: Math.round(usd * 1e9),
    cost_from_source: true,
    prompt_hash: s.prompt,
    prefix_hashes: [],
    max_tokens: s.maxTokens,
    stream: s.stream,
    region: null,
    attempt: s.attempt ?? 1,
    trace_id: null,
    span_id: null,
    metadata: s.batched ? { batch: true } : {},
    source: 'bench',
  };
}

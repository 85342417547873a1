// Planted: a sales assistant whose agent loop runs away for three night hours on one day → cost_anomalies.
// The spike is sized against the rest of the workload (each hour ≥ 6 average hours and ≥ 2 % of the spend),
// so it needs the others' hourly costs.
import { DAY_MS } from '../../findings.js';
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, pickUser, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { arrivalsFor, singleShotCall, type SingleShotSpec } from '../single-shot.js';
import { insightItem, nearestRankPercentile } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'sales-assistant';
const HOUR_MS = 3_600_000;
/** Each spike hour costs this many average hours, and at least this share of the window's spend. */
const SPIKE_HOUR_VS_AVERAGE = 6;
const SPIKE_HOUR_SHARE = 0.02;
const SPIKE_HOURS = 3;
/** A runaway job at night, when nobody watches (and the usual traffic is lowest). */
const SPIKE_START_UTC_HOUR = 4;
/** The contract's spike rule: cost_h > 3 × baseline and cost_h − baseline ≥ 1 % of the window's spend. */
const SPIKE_FACTOR = 3;
const MIN_EXCESS_SHARE = 0.01;

/** Cost per hour of the window (index 0 = the hour starting at window.from) of every other group. */
export interface OtherTraffic {
  hourlyCost: Float64Array;
  spend: number;
}

export function hourIndex(window: GroupWindow, t: number): number {
  return Math.floor((t - window.from) / HOUR_MS);
}

export function plantCostSpike(seed: number, window: GroupWindow, total: number, others: OtherTraffic): PlantedGroup {
  const model = catalogModel('claude-haiku-4-5');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 260, spread: 0.5, min: 20, max: 2048 });
  const spec: SingleShotSpec = {
    feature: FEATURE,
    model,
    input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1, min: 100, max: 8192 },
    output,
    maxTokens: output.max,
    stream: true,
    userPool: 2500,
    arrivals: 'diurnal',
  };
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const usual: LlmCall[] = [];
  for (const t of arrivalsFor(ctx, ctx.calls, 'diurnal')) usual.push(singleShotCall(ctx, spec, t));
  const usualCost = usual.reduce((s, c) => s + (c.cost_nanousd ?? 0), 0);

  const spikeFrom = Math.floor((window.from + window.to) / 2 / DAY_MS) * DAY_MS + SPIKE_START_UTC_HOUR * HOUR_MS;
  const spikeTo = spikeFrom + SPIKE_HOURS * HOUR_MS;
  const perCall = usualCost / Math.max(1, usual.length);
  const spend0 = others.spend + usualCost;
  const perHour = Math.max((SPIKE_HOUR_VS_AVERAGE * spend0) / others.hourlyCost.length, SPIKE_HOUR_SHARE * spend0);
  const spikeCalls = Math.ceil((SPIKE_HOURS * perHour) / Math.max(1, perCall));
  const looping = pickUser(ctx.rng, 2500);
  const spike = [...arrivalsFor(ctx, spikeCalls, 'steady', spikeFrom, spikeTo)].map((t) => ({ ...singleShotCall(ctx, spec, t), user: looping }));
  const calls = inProfileOrder([...usual, ...spike]);

  // Contract: hourly series over every hour of the window; baseline = its p50 (nearest rank; of the non-empty
  // hours when that is 0); every planted hour must be a spike hour.
  const hourly = Float64Array.from(others.hourlyCost);
  for (const c of calls) {
    const h = hourIndex(window, c.timestamp);
    hourly[h] = (hourly[h] ?? 0) + (c.cost_nanousd ?? 0);
  }
  const spend = hourly.reduce((s, v) => s + v, 0);
  const p50 = nearestRankPercentile([...hourly], 500);
  const baseline = p50 > 0 ? p50 : nearestRankPercentile([...hourly].filter((v) => v > 0), 500);
  const isSpike = (h: number) => (hourly[h] ?? 0) > SPIKE_FACTOR * baseline && (hourly[h] ?? 0) - baseline >= MIN_EXCESS_SHARE * spend;
  const first = hourIndex(window, spikeFrom);
  const planted = Array.from({ length: SPIKE_HOURS }, (_, i) => first + i);
  if (!planted.every(isSpike)) throw new Error('cost_anomalies plant: a planted hour is no spike; the workload is too small or too bursty');
  // The tool reports maximal runs: a neighbouring hour that qualifies on its own joins the run.
  let runFrom = first;
  let runTo = first + SPIKE_HOURS;
  while (runFrom > 0 && isSpike(runFrom - 1)) runFrom--;
  while (runTo < hourly.length && isSpike(runTo)) runTo++;
  let excess = 0;
  for (let h = runFrom; h < runTo; h++) excess += (hourly[h] ?? 0) - baseline;
  const iso = (h: number) => new Date(window.from + h * HOUR_MS).toISOString();
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      insightItem({
        tool: PLANT_TOOL.cost_spike_day,
        where: { group: `hours:${iso(runFrom)}/${iso(runTo)}`, feature: FEATURE },
        evidence: { excess_nanousd: Math.round(excess) },
        planted_calls: calls.length,
        note: `${spike.length} runaway calls by one user in ${SPIKE_HOURS} h (baseline ${Math.round(baseline)} nano-USD/h)`,
      }),
    ],
  };
}

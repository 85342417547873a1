// The synthetic workload generator: a clean background plus planted inefficiencies of known size, and the
// ground truth a perfect analyzer must reproduce. Deterministic: the same options give the same calls.
import { DAY_MS } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';
import { backgroundGroups } from './background.js';
import type { GroupWindow, PlantedGroup } from './groups.js';
import { mergeByTime } from './merge.js';
import { INDEPENDENT_PLANTS, hourIndex, plantCostSpike } from './plants/index.js';
import { PLANT_IDS, type GroundTruth, type Workload, type WorkloadOptions } from './types.js';

const HOUR_MS = 3_600_000;
const MIN_CALLS = 2_000;
const MAX_DAYS = 90;

/** Calls as a re-iterable stream (each pass regenerates the same calls): 1M calls never sit in memory twice. */
export interface WorkloadStream {
  calls: Iterable<LlmCall>;
  manifest: GroundTruth;
}

function validate(opts: WorkloadOptions): void {
  if (!Number.isInteger(opts.seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(opts.calls) || opts.calls < MIN_CALLS) throw new RangeError(`calls must be an integer ≥ ${MIN_CALLS}`);
  if (!Number.isInteger(opts.days) || opts.days < 2 || opts.days > MAX_DAYS) throw new RangeError(`days must be an integer in 2..${MAX_DAYS}`);
  if (!Number.isFinite(opts.start)) throw new RangeError('start must be epoch milliseconds');
  for (const p of opts.plants ?? []) if (!PLANT_IDS.includes(p)) throw new RangeError(`unknown plant: ${p}`);
}

export function streamWorkload(opts: WorkloadOptions): WorkloadStream {
  validate(opts);
  // Hour-aligned window: hourly tools (cost anomalies) see whole hours.
  const from = Math.floor(opts.start / HOUR_MS) * HOUR_MS;
  const window: GroupWindow = { from, to: from + opts.days * DAY_MS, days: opts.days };
  const wanted = new Set(opts.plants ?? PLANT_IDS);

  const planted: PlantedGroup[] = [];
  for (const [id, plant] of Object.entries(INDEPENDENT_PLANTS)) {
    if (wanted.has(id as keyof typeof INDEPENDENT_PLANTS)) planted.push(plant(opts.seed, window, opts.calls));
  }
  const plantedCalls = planted.reduce((s, g) => s + g.calls.length, 0);
  const background = backgroundGroups(opts.seed, window, Math.max(1, opts.calls - plantedCalls));
  const streams: Iterable<LlmCall>[] = [...background.map((g) => g.calls), ...planted.map((g) => g.calls)];

  if (wanted.has('cost_spike_day')) {
    // The spike is sized against everything else: one extra pass over the (regenerated) other calls.
    const hourlyCost = new Float64Array(opts.days * 24);
    let spend = 0;
    for (const s of streams) {
      for (const c of s) {
        const cost = c.cost_nanousd ?? 0;
        const h = hourIndex(window, c.timestamp);
        hourlyCost[h] = (hourlyCost[h] ?? 0) + cost;
        spend += cost;
      }
    }
    const spike = plantCostSpike(opts.seed, window, opts.calls, { hourlyCost, spend });
    planted.push(spike);
    streams.push(spike.calls);
  }

  return {
    calls: { [Symbol.iterator]: () => mergeByTime(streams) },
    manifest: {
      window: { ...window },
      items: planted.flatMap((g) => g.items),
      clean_groups: background.map((g) => g.scope),
      planted_groups: planted.map((g) => g.scope),
    },
  };
}

export function generateWorkload(opts: WorkloadOptions): Workload {
  const { calls, manifest } = streamWorkload(opts);
  return { calls: [...calls], manifest };
}

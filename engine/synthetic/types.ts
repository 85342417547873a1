// Public shapes of the synthetic workload generator: its options and the ground truth it returns.
import type { FindingScope } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';

/** One planted inefficiency of known size: what a perfect analyzer must report, and where. */
export interface GroundTruthItem {
  /** Tool id (engine/tools) that must find it. */
  tool: string;
  where: FindingScope;
  /** Saving over the window, integer nano-USD, computed from the planted calls by the tool's documented formula. */
  saving_nanousd: number;
  /** saving_nanousd × 30 / window days, USD (perMonthUsd). */
  saving_usd_month: number;
  /** Latency saved over the affected calls (ms, summed; positive = time saved) for time-only levers, else null. */
  latency_saving_ms: number | null;
  calls_affected: number;
  note: string;
}

export interface GroundTruth {
  window: { from: number; to: number; days: number };
  items: GroundTruthItem[];
  /** Groups where a perfect analyzer must report no saving at all. */
  clean_groups: FindingScope[];
}

export interface WorkloadOptions {
  seed: number;
  /** Approximate number of calls (exact for the same options; plants and background share it). */
  calls: number;
  days: number;
  /** Window start, epoch ms (UTC). */
  start: number;
  /** Which inefficiencies to plant (default: all). */
  plants?: readonly PlantId[];
}

export interface Workload {
  calls: LlmCall[];
  manifest: GroundTruth;
}

export const PLANT_IDS = [
  'model_downgrade',
  'provider_switch',
  'batch_eligible',
  'prefix_cache_missing',
  'exact_duplicates',
  'retry_waste',
  'rate_limit_storm',
  'output_long_tail',
  'context_bloat',
  'cache_write_unread',
  'cost_spike_day',
] as const;

export type PlantId = (typeof PLANT_IDS)[number];

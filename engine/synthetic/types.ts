// Public shapes of the synthetic workload generator: its options and the ground truth it returns.
import type { FindingScope } from '../findings.js';
import type { LlmCall } from '../telemetry/record.js';

/** One planted inefficiency of known size: what a perfect analyzer must report, and where. */
export interface GroundTruthItem {
  /** Tool id (engine/tools) that must find it. */
  tool: string;
  /** 'saving' items are matched on saving_nanousd; 'insight' items (anomalies, 429 storms) on `evidence`. */
  kind: 'saving' | 'insight';
  where: FindingScope;
  /** Saving over the window, integer nano-USD, computed from the planted calls by the tool's documented formula (0 for insights). */
  saving_nanousd: number;
  /** saving_nanousd × 30 / window days, USD (perMonthUsd). */
  saving_usd_month: number;
  /** Figures the finding's evidence must carry, e.g. {excess_nanousd} of a spike, {retry_wait_ms} of 429 storms. */
  evidence: Record<string, number>;
  /** Calls of the planted group. */
  planted_calls: number;
  note: string;
}

export interface GroundTruth {
  window: { from: number; to: number; days: number };
  items: GroundTruthItem[];
  /** Groups where a perfect analyzer must report no saving at all. */
  clean_groups: FindingScope[];
  /** The groups holding the planted items (one feature on one model each). */
  planted_groups: FindingScope[];
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
  'history_window',
  'cache_write_unread',
  'cost_spike_day',
] as const;

export type PlantId = (typeof PLANT_IDS)[number];

/** The tool that must find each plant. */
export const PLANT_TOOL: Record<PlantId, string> = {
  model_downgrade: 'model_downgrade',
  provider_switch: 'provider_switch',
  batch_eligible: 'batch_eligibility',
  prefix_cache_missing: 'prefix_caching',
  exact_duplicates: 'exact_duplicates',
  retry_waste: 'retry_waste',
  rate_limit_storm: 'rate_limit_storms',
  output_long_tail: 'output_length_caps',
  context_bloat: 'context_bloat',
  history_window: 'history_window',
  cache_write_unread: 'cache_write_unread',
  cost_spike_day: 'cost_anomalies',
};

// Every planted inefficiency, by id. Each lives in its own feature on its own model, so levers never interact.
import type { GroupWindow, PlantedGroup } from '../groups.js';
import type { PlantId } from '../types.js';
import { plantBatchEligible } from './batch-eligible.js';
import { plantCacheWriteUnread } from './cache-write-unread.js';
import { plantContextBloat } from './context-bloat.js';
import { plantExactDuplicates } from './exact-duplicates.js';
import { plantHistoryWindow } from './history-window.js';
import { plantModelDowngrade } from './model-downgrade.js';
import { plantOutputLongTail } from './output-long-tail.js';
import { plantPrefixCacheMissing } from './prefix-cache-missing.js';
import { plantProviderSwitch } from './provider-switch.js';
import { plantRateLimitStorm } from './rate-limit-storm.js';
import { plantRetryWaste } from './retry-waste.js';

export { plantCostSpike, hourIndex } from './cost-spike.js';

/** Plants that stand alone; cost_spike_day is sized against the others (plantCostSpike). */
export const INDEPENDENT_PLANTS: Record<Exclude<PlantId, 'cost_spike_day'>, (seed: number, window: GroupWindow, total: number) => PlantedGroup> = {
  model_downgrade: plantModelDowngrade,
  provider_switch: plantProviderSwitch,
  batch_eligible: plantBatchEligible,
  prefix_cache_missing: plantPrefixCacheMissing,
  exact_duplicates: plantExactDuplicates,
  retry_waste: plantRetryWaste,
  rate_limit_storm: plantRateLimitStorm,
  output_long_tail: plantOutputLongTail,
  context_bloat: plantContextBloat,
  history_window: plantHistoryWindow,
  cache_write_unread: plantCacheWriteUnread,
};

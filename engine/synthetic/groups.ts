// What every synthetic call group shares: its window, its own random stream, the user pool, and the
// time order the profile uses. A group is one feature on one model, so its findings have one scope.
import type { CatalogModel } from '../catalog/types.js';
import type { FindingScope } from '../findings.js';
import { byTimeThenId } from '../profile/derive.js';
import type { LlmCall } from '../telemetry/record.js';
import type { GroundTruthItem } from './types.js';
import { Rng, childSeed } from './prng.js';

export interface GroupWindow {
  from: number;
  to: number;
  days: number;
}

export interface GroupContext extends GroupWindow {
  rng: Rng;
  /** Calls this group should produce (approximately, for session- and burst-shaped groups). */
  calls: number;
}

export function groupContext(seed: number, label: string, window: GroupWindow, calls: number): GroupContext {
  return { ...window, rng: new Rng(childSeed(seed, label)), calls };
}

/** A clean background feature: produced lazily, in time order; every pass over `calls` regenerates the same calls. */
export interface BackgroundGroup {
  scope: FindingScope;
  calls: Iterable<LlmCall>;
}

/** A planted inefficiency: its calls (sorted by byTimeThenId) and what a perfect analyzer reports on them. */
export interface PlantedGroup {
  scope: FindingScope;
  calls: LlmCall[];
  items: GroundTruthItem[];
}

export const scopeOf = (feature: string, model: CatalogModel): FindingScope => ({
  feature,
  provider: model.provider,
  model: model.id,
});

const USER_POOL = Array.from({ length: 5000 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);

/** A user of the shared pool; `poolSize` narrows it (few users → more follow-ups per user). */
export function pickUser(rng: Rng, poolSize = USER_POOL.length): string {
  return USER_POOL[rng.int(0, Math.min(poolSize, USER_POOL.length) - 1)] ?? 'user-0001';
}

/** A plant's calls in the profile's total order (timestamp, request id): the order its formulas walk. */
export function inProfileOrder(calls: Iterable<LlmCall>): LlmCall[] {
  return [...calls].sort(byTimeThenId);
}

/** Calls a plant gets: its share of the workload, never fewer than distribution-based tools need. */
export const plantCalls = (total: number, share = 0.025, min = 60): number => Math.max(min, Math.round(total * share));

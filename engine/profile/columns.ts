// Interned ids of the sorted calls: every grouping key the profile uses becomes a small integer once,
// so the derivation and aggregation passes index typed arrays instead of hashing composite strings.
import type { LlmCall } from '../telemetry/record.js';
import { KeyIds } from './key-ids.js';

/** Few distinct keys (providers, models, features): a Map per level. */
class Interner<K> {
  private readonly ids = new Map<K, number>();
  constructor(private readonly counter: { next: number }) {}
  id(key: K): number {
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.counter.next++));
    return id;
  }
}

export interface ModelKey {
  provider: string;
  model: string;
}

export interface SegmentKey extends ModelKey {
  feature: string;
  modelId: number;
}

export interface CallColumns {
  models: ModelKey[];
  segments: SegmentKey[];
  modelId: Int32Array;
  segmentId: Int32Array;
  /** −1 when the call names no user. */
  userId: Int32Array;
  /** Names of the user ids. */
  users: string[];
  /** derive.ts `retry` key (prompt_hash, user ?? '') id, −1 without prompt_hash. */
  retryKeyId: Int32Array;
  retryKeyCount: number;
  /** derive.ts `session` key (feature, provider, model, user) id, −1 without user. */
  sessionKeyId: Int32Array;
  sessionKeyCount: number;
  /** (provider, model, prompt_hash) id, −1 when absent. */
  modelPromptId: Int32Array;
  modelPromptCount: number;
  /** (provider, model, block hash) ids of call i: blockIds[blockStart[i] … blockStart[i+1]). */
  blockStart: Int32Array;
  blockIds: Int32Array;
  /** Ids of (provider, model, block hash) and of (provider, model, 'feature:' + feature) cache keys share one space. */
  blockCount: number;
  /** derive.ts `unread` cache key id, −1 when the call neither writes nor reads the cache. */
  cacheKeyId: Int32Array;
}

const FEATURE_KEY = '\u0000feature:';

export function internColumns(calls: readonly LlmCall[]): CallColumns {
  const n = calls.length;
  let totalBlocks = 0;
  for (const c of calls) totalBlocks += c.prefix_hashes?.length ?? 0;

  const modelCounter = { next: 0 };
  const segmentCounter = { next: 0 };
  const modelsByProvider = new Map<string, Interner<string>>();
  const segmentsByFeature = new Map<string, Interner<number>>();
  // Many distinct keys, an integer id as the group: users (0), (user, prompt), (segment, user),
  // (model, prompt) and (model, block).
  const userIds = new KeyIds();
  const retryIds = new KeyIds();
  const sessionIds = new KeyIds();
  const modelPromptIds = new KeyIds();
  const blockIds = new KeyIds();
  const models: ModelKey[] = [];
  const segments: SegmentKey[] = [];

  const cols: CallColumns = {
    models,
    segments,
    modelId: new Int32Array(n),
    segmentId: new Int32Array(n),
    userId: new Int32Array(n),
    users: [],
    retryKeyId: new Int32Array(n),
    retryKeyCount: 0,
    sessionKeyId: new Int32Array(n),
    sessionKeyCount: 0,
    modelPromptId: new Int32Array(n),
    modelPromptCount: 0,
    blockStart: new Int32Array(n + 1),
    blockIds: new Int32Array(totalBlocks),
    blockCount: 0,
    cacheKeyId: new Int32Array(n),
  };

  let b = 0;
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    let byModel = modelsByProvider.get(c.provider);
    if (!byModel) modelsByProvider.set(c.provider, (byModel = new Interner(modelCounter)));
    const m = byModel.id(c.model);
    if (m === models.length) models.push({ provider: c.provider, model: c.model });
    cols.modelId[i] = m;

    const feature = c.feature ?? '';
    let byFeature = segmentsByFeature.get(feature);
    if (!byFeature) segmentsByFeature.set(feature, (byFeature = new Interner(segmentCounter)));
    const s = byFeature.id(m);
    if (s === segments.length) segments.push({ feature, provider: c.provider, model: c.model, modelId: m });
    cols.segmentId[i] = s;

    const user = c.user ? userIds.id(0, c.user) : -1;
    cols.userId[i] = user;
    cols.sessionKeyId[i] = c.user ? sessionIds.id(s, c.user) : -1;
    cols.retryKeyId[i] = c.prompt_hash ? retryIds.id(user + 1, c.prompt_hash) : -1;
    cols.modelPromptId[i] = c.prompt_hash ? modelPromptIds.id(m, c.prompt_hash) : -1;

    const start = b;
    cols.blockStart[i] = start;
    for (const h of c.prefix_hashes ?? []) cols.blockIds[b++] = blockIds.id(m, typeof h === 'string' ? h : String(h));
    const usesCache = c.cache_write_tokens > 0 || c.cached_input_tokens > 0;
    cols.cacheKeyId[i] = !usesCache ? -1 : b > start ? cols.blockIds[start]! : blockIds.id(m, FEATURE_KEY + feature);
  }
  cols.blockStart[n] = b;
  cols.users = Array.from({ length: userIds.size }, (_, id) => userIds.stringOf(id));
  cols.retryKeyCount = retryIds.size;
  cols.sessionKeyCount = sessionIds.size;
  cols.modelPromptCount = modelPromptIds.size;
  cols.blockCount = blockIds.size;
  return cols;
}

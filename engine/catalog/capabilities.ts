// Measured capability per model, from published benchmarks pinned with their source and date (like the prices):
// model substitutes are proposed only at the same or a higher measured tier, never from a name. A model the
// benchmark did not rate is "unrated": it is never assumed good enough, and never proposed as a stand-in.
import type { CatalogModel } from './types';

export const CAPABILITY_SOURCES = {
  arena: {
    name: 'LMArena (Chatbot Arena) text leaderboard, overall Arena score (Bradley–Terry Elo)',
    date: '2025-02-27',
    url: 'https://lmarena.ai/leaderboard',
    data: 'https://github.com/nakasyou/lmarena-history/blob/main/output/result.csv (row 20250227)',
    note: 'crowd preference in open chat; models released after the snapshot are unrated until it is re-pinned',
  },
  mteb: {
    name: 'MTEB average (English), as published by OpenAI at the v3 embeddings launch',
    date: '2024-01-25',
    url: 'https://openai.com/index/new-embedding-models-and-api-updates/',
    data: 'LEVERS.md L10',
    note: 'embedding models only',
  },
} as const;

export type CapabilityBenchmark = keyof typeof CAPABILITY_SOURCES;

/** Arena score of the rated snapshot each catalog model (id, alias or open-weights id) serves. */
const ARENA: Record<string, number> = {
  'gemini-2.0-flash-001': 1359.0,
  'o1-2024-12-17': 1352.7,
  'claude-3-7-sonnet-20250219': 1312.9,
  'o3-mini': 1303.9,
  'claude-3-5-sonnet-20241022': 1283.4,
  'gpt-4o-mini-2024-07-18': 1272.4,
  'gpt-4o-2024-08-06': 1265.1,
  'llama-3.3-70b-instruct': 1256.6,
  'gpt-4-turbo-2024-04-09': 1256.3,
  'llama-3.1-70b-instruct': 1247.6,
  'amazon-nova-pro-v1.0': 1245.4,
  'claude-3-5-haiku-20241022': 1236.1,
  'amazon-nova-lite-v1.0': 1216.3,
  'command-r-plus-08-2024': 1215.2,
  'amazon-nova-micro-v1.0': 1196.4,
  'command-r-08-2024': 1179.4,
  'claude-3-haiku-20240307': 1179.1,
  'llama-3.1-8b-instruct': 1175.7,
  'gpt-4-0613': 1162.9,
  'gpt-3.5-turbo-0125': 1105.8,
};

/** Catalog names (id, alias or open_model) → the arena entry of the snapshot they serve. */
const ARENA_NAME: Record<string, string> = {
  'gemini-2.0-flash': 'gemini-2.0-flash-001',
  o1: 'o1-2024-12-17',
  'claude-3-7-sonnet': 'claude-3-7-sonnet-20250219',
  'o3-mini': 'o3-mini',
  'claude-3-5-sonnet': 'claude-3-5-sonnet-20241022',
  'anthropic.claude-3-5-sonnet-20241022-v2:0': 'claude-3-5-sonnet-20241022',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'llama-3.3-70b': 'llama-3.3-70b-instruct',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'llama-3.1-70b': 'llama-3.1-70b-instruct',
  'amazon.nova-pro-v1:0': 'amazon-nova-pro-v1.0',
  'claude-3-5-haiku': 'claude-3-5-haiku-20241022',
  'amazon.nova-lite-v1:0': 'amazon-nova-lite-v1.0',
  'command-r-plus': 'command-r-plus-08-2024',
  'amazon.nova-micro-v1:0': 'amazon-nova-micro-v1.0',
  'command-r': 'command-r-08-2024',
  'claude-3-haiku': 'claude-3-haiku-20240307',
  'llama-3.1-8b': 'llama-3.1-8b-instruct',
  'gpt-4': 'gpt-4-0613',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
};

const MTEB: Record<string, number> = { 'text-embedding-3-large': 64.6, 'text-embedding-3-small': 62.3, 'text-embedding-ada-002': 61.0 };

export type MeasuredTier = 'frontier' | 'high' | 'mid' | 'small' | 'embedding' | 'unrated';

/** Arena score bands of the tiers (lowest score of each). */
export const ARENA_TIER_FLOOR = { frontier: 1375, high: 1325, mid: 1250 } as const;

export interface Capability {
  score: number | null;
  benchmark: CapabilityBenchmark | null;
  tier: MeasuredTier;
}

const UNRATED: Capability = { score: null, benchmark: null, tier: 'unrated' };

export function arenaTier(score: number): Exclude<MeasuredTier, 'embedding' | 'unrated'> {
  if (score >= ARENA_TIER_FLOOR.frontier) return 'frontier';
  if (score >= ARENA_TIER_FLOOR.high) return 'high';
  return score >= ARENA_TIER_FLOOR.mid ? 'mid' : 'small';
}

/** The model's measured score and tier: by its id, an alias, or its open weights; else unrated. */
export function capabilityOf(model: CatalogModel): Capability {
  if (model.modality === 'embedding') {
    const score = MTEB[model.id];
    return score === undefined ? UNRATED : { score, benchmark: 'mteb', tier: 'embedding' };
  }
  for (const name of [model.id, ...model.aliases, ...(model.open_model ? [model.open_model] : [])]) {
    const entry = ARENA_NAME[name];
    const score = entry === undefined ? undefined : ARENA[entry];
    if (score !== undefined) return { score, benchmark: 'arena', tier: arenaTier(score) };
  }
  return UNRATED;
}

const RANK: Record<Exclude<MeasuredTier, 'embedding' | 'unrated'>, number> = { frontier: 3, high: 2, mid: 1, small: 0 };

/**
 * `candidate` is known to be good enough for `model`'s traffic: both rated on the same benchmark and the candidate
 * at the same or a higher tier (embeddings: the same or a higher score). Unrated on either side: not known.
 */
export function sufficientFor(model: CatalogModel, candidate: CatalogModel): boolean {
  const cur = capabilityOf(model);
  const alt = capabilityOf(candidate);
  if (cur.score === null || alt.score === null || cur.benchmark !== alt.benchmark) return false;
  if (cur.tier === 'embedding' || alt.tier === 'embedding') return alt.score >= cur.score;
  return RANK[alt.tier as keyof typeof RANK] >= RANK[cur.tier as keyof typeof RANK];
}

/** Tier rank for ordering candidates (higher is better; unrated and embeddings lowest). */
export function measuredRank(model: CatalogModel): number {
  const t = capabilityOf(model).tier;
  return t in RANK ? RANK[t as keyof typeof RANK] : -1;
}

// Which models can stand in for a model (LEVERS L4 downgrades, L8 same weights elsewhere).
import { blendedPerM } from './cost';
import { CATALOG, catalogOrder } from './data';
import type { CapabilityTier, CatalogModel, Modality } from './types';

const RANK: Record<Exclude<CapabilityTier, 'embedding'>, number> = { frontier: 3, high: 2, mid: 1, small: 0 };

/** Inputs each modality accepts, as a superset chain; embeddings only stand in for embeddings. */
const MODALITY_LEVEL: Record<Exclude<Modality, 'embedding'>, number> = { text: 0, 'text+image': 1, 'text+image+audio': 2 };

/** True when a model of modality `have` accepts everything a model of modality `need` does. */
export function coversModality(have: Modality, need: Modality): boolean {
  if (have === 'embedding' || need === 'embedding') return have === need;
  return MODALITY_LEVEL[have] >= MODALITY_LEVEL[need];
}

/** Tiers `candidate` may have to replace `model`: same vendor = same or one tier lower; other vendors = same tier. */
function tierFits(model: CatalogModel, candidate: CatalogModel): boolean {
  if (model.tier === 'embedding' || candidate.tier === 'embedding') return model.tier === candidate.tier;
  const drop = RANK[model.tier] - RANK[candidate.tier];
  return model.vendor === candidate.vendor ? drop === 0 || drop === 1 : drop === 0;
}

const byPrice = (a: CatalogModel, b: CatalogModel) => blendedPerM(a) - blendedPerM(b) || catalogOrder(a, b);

/**
 * Cheaper models that can stand in for `model`, cheapest first (by blended price): they accept at least
 * the model's inputs, and are the same or next-lower tier of the same vendor, or the same tier of
 * another vendor. Strictly cheaper only: never a more expensive model.
 */
export function substitutes(model: CatalogModel): CatalogModel[] {
  const price = blendedPerM(model);
  return CATALOG.filter(
    (c) => c !== model && blendedPerM(c) < price && coversModality(c.modality, model.modality) && tierFits(model, c),
  ).sort(byPrice);
}

/** The other providers of the same open weights, cheapest first; [] for closed models. */
export function sameOpenModel(model: CatalogModel): CatalogModel[] {
  if (model.open_model === null) return [];
  return CATALOG.filter((c) => c !== model && c.open_model === model.open_model).sort(byPrice);
}

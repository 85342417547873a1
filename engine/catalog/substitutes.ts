// Which models can stand in for a model (LEVERS L4 downgrades, L8 same weights elsewhere).
import { sufficientFor } from './capabilities';
import { blendedPerM } from './cost';
import { CATALOG, catalogOrder } from './data';
import type { CatalogModel, Modality } from './types';

/** Inputs each modality accepts, as a superset chain; embeddings only stand in for embeddings. */
const MODALITY_LEVEL: Record<Exclude<Modality, 'embedding'>, number> = { text: 0, 'text+image': 1, 'text+image+audio': 2 };

/** True when a model of modality `have` accepts everything a model of modality `need` does. */
export function coversModality(have: Modality, need: Modality): boolean {
  if (have === 'embedding' || need === 'embedding') return have === need;
  return MODALITY_LEVEL[have] >= MODALITY_LEVEL[need];
}

const byPrice = (a: CatalogModel, b: CatalogModel) => blendedPerM(a) - blendedPerM(b) || catalogOrder(a, b);

/**
 * Cheaper models that can stand in for `model`, cheapest first (by blended price): they accept at least
 * the model's inputs and are known to be good enough — the same or a higher measured tier on a published
 * benchmark (capabilities.ts; an unrated model neither gets nor is a stand-in). Strictly cheaper only.
 */
export function substitutes(model: CatalogModel): CatalogModel[] {
  const price = blendedPerM(model);
  return CATALOG.filter(
    (c) => c !== model && blendedPerM(c) < price && coversModality(c.modality, model.modality) && sufficientFor(model, c),
  ).sort(byPrice);
}

/** The other providers of the same open weights, cheapest first; [] for closed models. */
export function sameOpenModel(model: CatalogModel): CatalogModel[] {
  if (model.open_model === null) return [];
  return CATALOG.filter((c) => c !== model && c.open_model === model.open_model).sort(byPrice);
}

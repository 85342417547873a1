// The generated catalog (scripts/build-catalog.ts), typed and frozen. Sorted by provider, then id.
import raw from './models.generated.json' with { type: 'json' };
import type { CatalogModel } from './types';

function freeze(m: CatalogModel): CatalogModel {
  Object.freeze(m.aliases);
  Object.freeze(m.source);
  return Object.freeze(m);
}

export const CATALOG: readonly CatalogModel[] = Object.freeze((raw as unknown as CatalogModel[]).map(freeze));

/** The catalog's one order: provider, then id (what the build script writes, and what cursors follow). */
export function catalogOrder(a: CatalogModel, b: CatalogModel): number {
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

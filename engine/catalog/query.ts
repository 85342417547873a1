// GET /api/supply/catalog: filter the catalog, paginate in the catalog's order with an opaque cursor.
import * as z from 'zod';
import { CATALOG, catalogOrder } from './data';
import { normalizeProvider } from './lookup';
import { coversModality } from './substitutes';
import type { CatalogModel } from './types';

const TIERS = ['frontier', 'high', 'mid', 'small', 'embedding'] as const;
const MODALITIES = ['text', 'text+image', 'text+image+audio', 'embedding'] as const;

/** The cursor is base64url of "provider\nid" of the last item served (keyset: stable across refreshes). */
function encodeCatalogCursor(model: CatalogModel): string {
  return btoa(`${model.provider}\n${model.id}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeCatalogCursor(cursor: string): { provider: string; id: string } | null {
  try {
    const [provider, id, extra] = atob(cursor.replace(/-/g, '+').replace(/_/g, '/')).split('\n');
    return provider && id && extra === undefined ? { provider, id } : null;
  } catch {
    return null;
  }
}

/** Query string of the catalog route (numbers arrive as text). A malformed cursor fails validation. */
export const catalogQuery = z.object({
  provider: z.string().min(1).max(100).optional(),
  tier: z.enum(TIERS).optional(),
  modality: z.enum(MODALITIES).optional(),
  max_input_per_m: z.coerce.number().finite().min(0).optional(),
  max_output_per_m: z.coerce.number().finite().min(0).optional(),
  q: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(400)
    .refine((c) => decodeCatalogCursor(c) !== null, 'cursor is malformed; pass the next_cursor of the previous page')
    .optional(),
});

/** Parsed query; every field optional (limit defaults to 20). */
export type CatalogQuery = Partial<z.output<typeof catalogQuery>>;

const ORDERED = [...CATALOG].sort(catalogOrder);

function matches(m: CatalogModel, q: CatalogQuery, provider: string | undefined, text: string | undefined): boolean {
  if (provider && m.provider !== provider) return false;
  if (q.tier && m.tier !== q.tier) return false;
  // "modality=text+image": models that accept images (a text+image+audio model does too).
  if (q.modality && !coversModality(m.modality, q.modality)) return false;
  if (q.max_input_per_m !== undefined && m.input_per_m > q.max_input_per_m) return false;
  if (q.max_output_per_m !== undefined && m.output_per_m > q.max_output_per_m) return false;
  if (text) {
    const hay = [m.id, m.provider, m.vendor, m.open_model ?? '', ...m.aliases];
    if (!hay.some((s) => s.toLowerCase().includes(text))) return false;
  }
  return true;
}

/**
 * One page of the catalog in its stable order (provider, id). Throws a RangeError on a malformed cursor:
 * validate the request with `catalogQuery.safeParse` first to answer 400 instead.
 */
export function queryCatalog(q: CatalogQuery = {}): { items: CatalogModel[]; next_cursor: string | null } {
  const limit = Math.min(100, Math.max(1, Math.trunc(q.limit ?? 20)));
  const after = q.cursor ? decodeCatalogCursor(q.cursor) : null;
  if (q.cursor && !after) throw new RangeError('cursor is malformed');
  const provider = q.provider ? normalizeProvider(q.provider) : undefined;
  const text = q.q?.toLowerCase();
  const items: CatalogModel[] = [];
  let more = false;
  for (const m of ORDERED) {
    if (after && (m.provider < after.provider || (m.provider === after.provider && m.id <= after.id))) continue;
    if (!matches(m, q, provider, text)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(m);
  }
  const last = items[items.length - 1];
  return { items, next_cursor: more && last ? encodeCatalogCursor(last) : null };
}

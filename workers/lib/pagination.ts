// `?limit=&cursor=` → `{items, next_cursor}` over time-ordered ids. The cursor is opaque to clients
// (base64url of the last id seen); a malformed cursor is a 400, not an empty page.
import { asc, desc, gt, lt, type AnyColumn } from 'drizzle-orm';
import * as z from 'zod';
import type { Keyset } from '../../db/keyset';
import { ApiError } from './errors';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const id = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    if (/^[a-z]{3}_[0-9a-f]{32}$/.test(id)) return id;
  } catch {
    // fall through
  }
  throw new ApiError('invalid_request', 'cursor is malformed; pass the next_cursor of the previous page');
}

function encodeCursor(id: string): string {
  return btoa(id).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Turns `limit + 1` fetched rows into a page: the extra row only tells whether there is a next page. */
function toPage<T extends { id: string }, O>(rows: T[], limit: number, map: (row: T) => O): { items: O[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export type Page<O> = { items: O[]; next_cursor: string | null };

/**
 * One page of a list ordered by a time-ordered id column: decodes the cursor, lets `fetch` run the query with
 * the keyset (`where and(<scope>, keyset.after)`, `orderBy(keyset.order)`, `limit(keyset.limit)`), and
 * turns the rows into `{items, next_cursor}`. `direction` is the list's order: 'desc' = newest first.
 */
export async function listPage<T extends { id: string }, O>(
  query: { limit: number; cursor?: string | undefined },
  id: AnyColumn,
  direction: 'asc' | 'desc',
  fetch: (keyset: Keyset) => Promise<T[]>,
  map: (row: T) => O,
): Promise<Page<O>> {
  const after = decodeCursor(query.cursor);
  const past = after === undefined ? undefined : direction === 'asc' ? gt(id, after) : lt(id, after);
  const rows = await fetch({ after: past, order: direction === 'asc' ? asc(id) : desc(id), limit: query.limit + 1 });
  return toPage(rows, query.limit, map);
}

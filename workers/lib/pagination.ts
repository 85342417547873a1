// `?limit=&cursor=` → `{items, next_cursor}` over time-ordered ids. The cursor is opaque to clients
// (base64url of the last id seen); a malformed cursor is a 400, not an empty page.
import * as z from 'zod';
import { ApiError } from './errors';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export interface PageParams {
  limit: number;
  /** The id after which to continue, or undefined for the first page. */
  after: string | undefined;
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const id = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    if (/^[a-z]{3}_[0-9a-f]{32}$/.test(id)) return id;
  } catch {
    // fall through
  }
  throw new ApiError('invalid_request', 'cursor is malformed; pass the next_cursor of the previous page');
}

export function encodeCursor(id: string): string {
  return btoa(id).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Turns `limit + 1` fetched rows into a page: the extra row only tells whether there is a next page. */
export function toPage<T extends { id: string }, O>(rows: T[], limit: number, map: (row: T) => O): { items: O[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

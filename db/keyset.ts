// The keyset slice of a paginated list query, built by workers/lib/pagination.ts (`listPage`): the
// condition "past the cursor" (undefined on the first page), the order by id, and the row limit (one extra).
import type { SQL } from 'drizzle-orm';

export interface Keyset {
  after: SQL | undefined;
  order: SQL;
  limit: number;
}

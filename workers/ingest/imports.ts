// The Postgres record of file imports: created when the upload starts, progress after every flushed chunk,
// the outcome at the end. Every read is scoped to the caller's org (another org's id is "not found").
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/postgres';
import { imports } from '../../db/schema';
import { nanoToUsdExact } from '../../db/analytics';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../../common/ids';
import type { Keyset } from '../../db/keyset';

export type ImportRow = typeof imports.$inferSelect;
export type NewImport = Pick<typeof imports.$inferInsert, 'id' | 'org_id' | 'created_by' | 'api_key_id' | 'format' | 'options' | 'filename' | 'idempotency_key'>;

/** Rejections kept per import (the counts cover all of them). */
export const MAX_IMPORT_ERRORS = 100;
/** A running import that has not progressed for this long was interrupted (its Worker is gone). */
const STALE_AFTER_MINUTES = 10;

export interface ImportProgress {
  format: string | null;
  accepted: number;
  rejected: number;
  duplicates: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanousd: number;
  bytes: number;
  errors: Array<{ line: number; reason: string }>;
}

/** The org's import started under this Idempotency-Key, if any. */
export async function importByKey(db: Db, orgId: string, key: string): Promise<ImportRow | undefined> {
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.org_id, orgId), eq(imports.idempotency_key, key)))
    .limit(1);
  return row;
}

/** Creates the import; when a concurrent request took its Idempotency-Key first, returns that import instead. */
export async function createImport(db: Db, values: NewImport): Promise<{ row: ImportRow; created: boolean }> {
  const [row] = await db.insert(imports).values(values).onConflictDoNothing().returning();
  if (row) return { row, created: true };
  const prior = values.idempotency_key ? await importByKey(db, values.org_id, values.idempotency_key) : undefined;
  if (!prior) throw new ApiError('conflict', 'the import could not be created; retry');
  return { row: prior, created: false };
}

export async function saveProgress(db: Db, id: string, p: ImportProgress): Promise<void> {
  await db
    .update(imports)
    .set({ ...p, updated_at: new Date() })
    .where(eq(imports.id, id));
}

export async function finishImport(db: Db, id: string, p: ImportProgress, failure: string | null): Promise<ImportRow> {
  const now = new Date();
  const [row] = await db
    .update(imports)
    .set({ ...p, status: failure ? 'failed' : 'completed', failure, updated_at: now, completed_at: now })
    .where(eq(imports.id, id))
    .returning();
  return row!;
}

/** The org's import, or 404. A running import with no progress for a while is marked failed first. */
export async function findImport(db: Db, orgId: string, id: string): Promise<ImportRow> {
  if (!hasPrefix(id, 'imp')) throw new ApiError('not_found', 'import not found');
  await db
    .update(imports)
    .set({ status: 'failed', failure: 'interrupted: the upload stopped before the end of the file', completed_at: sql`${imports.updated_at}` })
    .where(
      and(
        eq(imports.id, id),
        eq(imports.org_id, orgId),
        eq(imports.status, 'running'),
        lt(imports.updated_at, sql`now() - make_interval(mins => ${STALE_AFTER_MINUTES})`),
      ),
    );
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.id, id), eq(imports.org_id, orgId)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'import not found');
  return row;
}

export async function listImports(db: Db, orgId: string, keyset: Keyset): Promise<ImportRow[]> {
  return db.select().from(imports).where(and(eq(imports.org_id, orgId), keyset.after)).orderBy(keyset.order).limit(keyset.limit);
}

/** The API view of an import. */
export function importJson(r: ImportRow) {
  return {
    id: r.id,
    status: r.status,
    format: r.format,
    source: `import:${r.id}`,
    filename: r.filename,
    options: r.options,
    accepted: r.accepted,
    rejected: r.rejected,
    duplicates: r.duplicates,
    totals: { input_tokens: r.input_tokens, output_tokens: r.output_tokens, cost_usd: nanoToUsdExact(r.cost_nanousd) },
    bytes: r.bytes,
    errors: r.errors,
    failure: r.failure,
    started_at: r.started_at.toISOString(),
    completed_at: r.completed_at?.toISOString() ?? null,
  };
}

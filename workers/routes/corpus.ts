// The org's knowledge corpus (corpus admin): notes, constraints and context the agents cite in answers.
// CRUD under /api/corpus, scoped to the caller's org; writes need a signed-in user, reads accept a `read` key.
import { and, arrayContains, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod';
import { corpusDocuments } from '../../db/schema';
import { requireAuth, requireUser } from '../auth/middleware';
import { jsonBody, queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../lib/ids';
import { listPage, pageQuery } from '../lib/pagination';
import type { AppEnv } from '../lib/services';
import type { Db } from '../../db/postgres';

type Doc = typeof corpusDocuments.$inferSelect;

const fields = {
  title: z.string().trim().min(1).max(200),
  content: z.string().min(1).max(100_000),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
};
const createDoc = z.object({ title: fields.title, content: fields.content, tags: fields.tags.default([]) }).strict();
const patchDoc = z
  .object({ title: fields.title.optional(), content: fields.content.optional(), tags: fields.tags.optional() })
  .strict()
  .refine((d) => Object.keys(d).length > 0, { message: 'send at least one of title, content, tags' });
const listQuery = pageQuery.extend({ tag: z.string().min(1).max(50).optional() });

const docJson = (d: Doc) => ({ id: d.id, title: d.title, content: d.content, tags: d.tags, created_at: d.created_at.toISOString(), updated_at: d.updated_at.toISOString() });

export const corpusRoutes = new Hono<AppEnv>()
  .get('/', requireAuth({ scopes: ['read'] }), async (c) => {
    const query = queryParams(c, listQuery);
    const db = c.get('services').db();
    const scope = and(eq(corpusDocuments.org_id, c.get('auth').org_id), query.tag ? arrayContains(corpusDocuments.tags, [query.tag]) : undefined);
    return c.json(await listPage(query, corpusDocuments.id, 'desc', (k) => db.select().from(corpusDocuments).where(and(scope, k.after)).orderBy(k.order).limit(k.limit), docJson));
  })
  .get('/:id', requireAuth({ scopes: ['read'] }), async (c) => c.json(docJson(await findDoc(c.get('services').db(), c.get('auth').org_id, c.req.param('id')))))
  .post('/', requireUser(), async (c) => {
    const body = await jsonBody(c, createDoc);
    const auth = c.get('auth');
    const [row] = await c.get('services').db().insert(corpusDocuments).values({ id: newId('doc'), org_id: auth.org_id, created_by: auth.user_id, ...body }).returning();
    return c.json(docJson(row!), 201);
  })
  .patch('/:id', requireUser(), async (c) => {
    const db = c.get('services').db();
    const doc = await findDoc(db, c.get('auth').org_id, c.req.param('id'));
    const body = await jsonBody(c, patchDoc);
    const [row] = await db.update(corpusDocuments).set({ ...body, updated_at: new Date() }).where(eq(corpusDocuments.id, doc.id)).returning();
    return c.json(docJson(row!));
  })
  .delete('/:id', requireUser(), async (c) => {
    const db = c.get('services').db();
    const doc = await findDoc(db, c.get('auth').org_id, c.req.param('id'));
    await db.delete(corpusDocuments).where(eq(corpusDocuments.id, doc.id));
    return c.body(null, 204);
  });

async function findDoc(db: Db, orgId: string, id: string): Promise<Doc> {
  if (!hasPrefix(id, 'doc')) throw new ApiError('not_found', 'document not found');
  const [row] = await db.select().from(corpusDocuments).where(and(eq(corpusDocuments.id, id), eq(corpusDocuments.org_id, orgId))).limit(1);
  if (!row) throw new ApiError('not_found', 'document not found');
  return row;
}

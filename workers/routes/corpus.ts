// The org's knowledge corpus (corpus admin): notes, constraints and context the agents cite in answers.
// CRUD under /api/corpus, scoped to the caller's org; writes need a signed-in user, reads accept a `read` key.
import { and, arrayContains, eq } from 'drizzle-orm';
import * as z from 'zod';
import { corpusDocuments } from '../../db/schema';
import { requireAuth, requireUser } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../../common/ids';
import { contractRouter, errorsFor, idParam, json, jsonBody, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { listPage, pageQuery } from '../lib/pagination';
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

const docSchema = OPENAPI_DOCUMENT ? z.object({ id: z.string(), title: z.string(), content: z.string(), tags: z.array(z.string()), created_at: z.string(), updated_at: z.string() }) : undocumented;

const docJson = (d: Doc): z.infer<typeof docSchema> => ({ id: d.id, title: d.title, content: d.content, tags: d.tags, created_at: d.created_at.toISOString(), updated_at: d.updated_at.toISOString() });

const read = [requireAuth({ scopes: ['read'] })];
const write = [requireUser()];
const params = idParam('document');
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['corpus'], security: userSecurity } : undocumented);
const routes = {
  list: route({
    method: 'get',
    path: '/',
    middleware: read,
    request: { query: listQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's corpus notes, newest first (optionally with one tag)",
      responses: { 200: json(pageOf(docSchema), 'A page of notes'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  get: route({
    method: 'get',
    path: '/{id}',
    middleware: read,
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'One note',
      responses: { 200: json(docSchema, 'The note'), ...errorsFor(400, 401, 403, 404, 429) },
    } : undocumented),
  }),
  create: route({
    method: 'post',
    path: '/',
    middleware: write,
    request: { body: jsonBody(createDoc) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Add a note the agents cite (signed-in users)',
      responses: { 201: json(docSchema, 'The note'), ...errorsFor(400, 401, 413, 429) },
    } : undocumented),
  }),
  update: route({
    method: 'patch',
    path: '/{id}',
    middleware: write,
    request: { params, body: jsonBody(patchDoc) },
    ...(OPENAPI_DOCUMENT ? {
      summary: "Change a note's title, content or tags (signed-in users)",
      responses: { 200: json(docSchema, 'The note'), ...errorsFor(400, 401, 404, 413, 429) },
    } : undocumented),
  }),
  remove: route({
    method: 'delete',
    path: '/{id}',
    middleware: write,
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Delete a note (signed-in users)',
      responses: { 204: { description: 'Deleted' }, ...errorsFor(400, 401, 404, 429) },
    } : undocumented),
  }),
};

export const corpusRoutes = contractRouter()
  .openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const db = c.get('services').db();
    const scope = and(eq(corpusDocuments.org_id, c.get('auth').org_id), query.tag ? arrayContains(corpusDocuments.tags, [query.tag]) : undefined);
    return c.json(await listPage(query, corpusDocuments.id, 'desc', (k) => db.select().from(corpusDocuments).where(and(scope, k.after)).orderBy(k.order).limit(k.limit), docJson), 200);
  })
  .openapi(routes.get, async (c) => c.json(docJson(await findDoc(c.get('services').db(), c.get('auth').org_id, c.req.valid('param').id)), 200))
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const auth = c.get('auth');
    const [row] = await c.get('services').db().insert(corpusDocuments).values({ id: newId('doc'), org_id: auth.org_id, created_by: auth.user_id, ...body }).returning();
    return c.json(docJson(row!), 201);
  })
  .openapi(routes.update, async (c) => {
    const db = c.get('services').db();
    const doc = await findDoc(db, c.get('auth').org_id, c.req.valid('param').id);
    const body = c.req.valid('json');
    const [row] = await db.update(corpusDocuments).set({ ...body, updated_at: new Date() }).where(eq(corpusDocuments.id, doc.id)).returning();
    return c.json(docJson(row!), 200);
  })
  .openapi(routes.remove, async (c) => {
    const db = c.get('services').db();
    const doc = await findDoc(db, c.get('auth').org_id, c.req.valid('param').id);
    await db.delete(corpusDocuments).where(eq(corpusDocuments.id, doc.id));
    return c.body(null, 204);
  });

async function findDoc(db: Db, orgId: string, id: string): Promise<Doc> {
  if (!hasPrefix(id, 'doc')) throw new ApiError('not_found', 'document not found');
  const [row] = await db.select().from(corpusDocuments).where(and(eq(corpusDocuments.id, id), eq(corpusDocuments.org_id, orgId))).limit(1);
  if (!row) throw new ApiError('not_found', 'document not found');
  return row;
}

// Threads REST: the org's chat threads and their messages. Postgres is the record; every query is scoped to
// the caller's org, so another tenant's thread id is simply "not found". Threads are shared by the org's
// members: every member reads them, follows their live events and may post in them (a run belongs to whoever
// started it: only they see its status or cancel it); renaming and deleting are for the thread's creator and
// the org's owner and admins (their current role, read from Postgres).
import { and, eq, isNull } from 'drizzle-orm';
import * as z from 'zod';
import { messages, threads, users } from '../../db/schema';
import { requireUser } from '../auth/middleware';
import { currentRole, MANAGERS } from '../orgs/membership';
import { ApiError } from '../lib/errors';
import { contractRouter, errorsFor, idParam, json, jsonBody, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { hasPrefix, newId } from '../../common/ids';
import { listPage, pageQuery } from '../lib/pagination';
import { threadAgent } from '../lib/thread-agents';
import type { Auth } from '../lib/services';
import type { Db } from '../../db/postgres';

const titleSchema = z.string().trim().min(1).max(200);
const createThread = z.object({ title: titleSchema.optional() }).strict();
const patchThread = z.object({ title: titleSchema }).strict();

type ThreadRow = typeof threads.$inferSelect;

const threadSchema = OPENAPI_DOCUMENT ? z.object({ id: z.string(), title: z.string(), created_by: z.string(), created_at: z.string(), updated_at: z.string() }) : undocumented;
const messageSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant', 'system']),
  content: z.string(),
  run_id: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
}) : undocumented;

const threadJson = (t: ThreadRow): z.infer<typeof threadSchema> => ({
  id: t.id,
  title: t.title,
  created_by: t.user_id,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

/** A live thread of the caller's org, or 404 (same answer for "doesn't exist" and "another org's"). */
/** A new thread of the signed-in user, in their org. */
export async function insertThread(db: Db, auth: Pick<Auth, 'org_id' | 'user_id'>, title: string): Promise<ThreadRow> {
  const [row] = await db.insert(threads).values({ id: newId('thr'), org_id: auth.org_id, user_id: auth.user_id!, title }).returning();
  return row!;
}

export async function findOrgThread(db: Db, auth: Pick<Auth, 'org_id' | 'user_id'>, id: string): Promise<ThreadRow> {
  if (!hasPrefix(id, 'thr') || !auth.user_id) throw new ApiError('not_found', 'thread not found');
  const [row] = await db
    .select()
    .from(threads)
    .where(and(eq(threads.id, id), eq(threads.org_id, auth.org_id), isNull(threads.deleted_at)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'thread not found');
  return row;
}

/** The thread, if the caller may rename or delete it: its creator, or an owner or admin of the org now. */
async function findManagedThread(db: Db, auth: Auth, id: string): Promise<ThreadRow> {
  const thread = await findOrgThread(db, auth, id);
  if (thread.user_id === auth.user_id) return thread;
  const role = await currentRole(db, auth.user_id!, auth.org_id);
  if (role && MANAGERS.includes(role)) return thread;
  throw new ApiError('forbidden', "only the thread's creator, the owner or an admin can rename or delete it", { role, required_roles: MANAGERS });
}

const params = idParam('thread');

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['threads'], security: userSecurity } : undocumented);
const routes = {
  create: route({
    method: 'post',
    path: '/',
    request: { body: { content: { 'application/json': { schema: createThread } } } },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Start a chat thread',
      responses: { 201: json(threadSchema, 'The thread'), ...errorsFor(400, 401) },
    } : undocumented),
  }),
  list: route({
    method: 'get',
    path: '/',
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's threads, newest first",
      responses: { 200: json(pageOf(threadSchema), 'A page of threads'), ...errorsFor(400, 401) },
    } : undocumented),
  }),
  get: route({
    method: 'get',
    path: '/{id}',
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: "One of the org's threads",
      responses: { 200: json(threadSchema, 'The thread'), ...errorsFor(401, 404) },
    } : undocumented),
  }),
  rename: route({
    method: 'patch',
    path: '/{id}',
    request: { params, body: jsonBody(patchThread) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Rename a thread (its creator, an owner or an admin)',
      responses: { 200: json(threadSchema, 'The thread'), ...errorsFor(400, 401, 403, 404) },
    } : undocumented),
  }),
  remove: route({
    method: 'delete',
    path: '/{id}',
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Delete a thread and its live agent state (its creator, an owner or an admin)',
      responses: { 204: { description: 'Deleted' }, ...errorsFor(401, 403, 404) },
    } : undocumented),
  }),
  switch: route({
    method: 'put',
    path: '/{id}/switch',
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Make a thread your active one',
      responses: { 200: json(z.object({ active_thread_id: z.string() }), 'The active thread'), ...errorsFor(401, 404) },
    } : undocumented),
  }),
  messages: route({
    method: 'get',
    path: '/{id}/messages',
    request: { params, query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "A thread's messages, oldest first",
      responses: { 200: json(pageOf(messageSchema), 'A page of messages'), ...errorsFor(400, 401, 404) },
    } : undocumented),
  }),
};

export const threadRoutes = contractRouter(requireUser())
  .openapi(routes.create, async (c) => {
    const row = await insertThread(c.get('services').db(), c.get('auth'), c.req.valid('json').title ?? 'New thread');
    return c.json(threadJson(row), 201);
  })
  .openapi(routes.list, async (c) => {
    const auth = c.get('auth');
    const db = c.get('services').db();
    const page = await listPage(c.req.valid('query'), threads.id, 'desc', (k) =>
      db.select().from(threads).where(and(eq(threads.org_id, auth.org_id), isNull(threads.deleted_at), k.after)).orderBy(k.order).limit(k.limit),
    threadJson);
    return c.json(page, 200);
  })
  .openapi(routes.get, async (c) => c.json(threadJson(await findOrgThread(c.get('services').db(), c.get('auth'), c.req.valid('param').id)), 200))
  .openapi(routes.rename, async (c) => {
    const db = c.get('services').db();
    const thread = await findManagedThread(db, c.get('auth'), c.req.valid('param').id);
    const body = c.req.valid('json');
    const [row] = await db.update(threads).set({ title: body.title, updated_at: new Date() }).where(eq(threads.id, thread.id)).returning();
    return c.json(threadJson(row!), 200);
  })
  .openapi(routes.remove, async (c) => {
    const db = c.get('services').db();
    const auth = c.get('auth');
    const thread = await findManagedThread(db, auth, c.req.valid('param').id);
    await db.update(threads).set({ deleted_at: new Date() }).where(eq(threads.id, thread.id));
    await db.update(users).set({ active_thread_id: null }).where(and(eq(users.org_id, auth.org_id), eq(users.active_thread_id, thread.id)));
    await threadAgent(c.env, thread.id).destroy();
    return c.body(null, 204);
  })
  .openapi(routes.switch, async (c) => {
    const db = c.get('services').db();
    const auth = c.get('auth');
    const thread = await findOrgThread(db, auth, c.req.valid('param').id);
    await db.update(users).set({ active_thread_id: thread.id }).where(eq(users.id, auth.user_id!));
    return c.json({ active_thread_id: thread.id }, 200);
  })
  .openapi(routes.messages, async (c) => {
    const db = c.get('services').db();
    const thread = await findOrgThread(db, c.get('auth'), c.req.valid('param').id);
    const page = await listPage(
      c.req.valid('query'),
      messages.id,
      'asc',
      (k) => db.select().from(messages).where(and(eq(messages.thread_id, thread.id), k.after)).orderBy(k.order).limit(k.limit),
      (m) => ({ id: m.id, role: m.role, content: m.content, run_id: m.run_id, metadata: m.metadata, created_at: m.created_at.toISOString() }),
    );
    return c.json(page, 200);
  });

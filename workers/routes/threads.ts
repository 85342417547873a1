// Threads REST: a user's chat threads and their messages. Postgres is the record; every query is scoped to
// the caller's org AND user, so another tenant's (or another user's) thread id is simply "not found".
import { and, asc, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod';
import { messages, threads, users } from '../../db/schema';
import { requireUser } from '../auth/middleware';
import { jsonBody, queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../lib/ids';
import { decodeCursor, pageQuery, toPage } from '../lib/pagination';
import type { AppEnv, Auth } from '../lib/services';
import type { Db } from '../../db/postgres';

const titleSchema = z.string().trim().min(1).max(200);
const createThread = z.object({ title: titleSchema.optional() }).strict();
const patchThread = z.object({ title: titleSchema }).strict();

type ThreadRow = typeof threads.$inferSelect;

const threadJson = (t: ThreadRow) => ({
  id: t.id,
  title: t.title,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

/** The caller's live thread, or 404 (same answer for "doesn't exist" and "not yours"). */
export async function findOwnThread(db: Db, auth: Auth, id: string): Promise<ThreadRow> {
  if (!hasPrefix(id, 'thr') || !auth.user_id) throw new ApiError('not_found', 'thread not found');
  const [row] = await db
    .select()
    .from(threads)
    .where(and(eq(threads.id, id), eq(threads.org_id, auth.org_id), eq(threads.user_id, auth.user_id), isNull(threads.deleted_at)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'thread not found');
  return row;
}

export function threadAgent(env: Env, threadId: string) {
  return env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(threadId));
}

export const threadRoutes = new Hono<AppEnv>()
  .use('*', requireUser())
  .post('/', async (c) => {
    const body = await jsonBody(c, createThread);
    const auth = c.get('auth');
    const [row] = await c
      .get('services')
      .db()
      .insert(threads)
      .values({ id: newId('thr'), org_id: auth.org_id, user_id: auth.user_id!, title: body.title ?? 'New thread' })
      .returning();
    return c.json(threadJson(row!), 201);
  })
  .get('/', async (c) => {
    const { limit, cursor } = queryParams(c, pageQuery);
    const after = decodeCursor(cursor);
    const auth = c.get('auth');
    const rows = await c
      .get('services')
      .db()
      .select()
      .from(threads)
      .where(and(eq(threads.org_id, auth.org_id), eq(threads.user_id, auth.user_id!), isNull(threads.deleted_at), after ? lt(threads.id, after) : undefined))
      .orderBy(desc(threads.id))
      .limit(limit + 1);
    return c.json(toPage(rows, limit, threadJson));
  })
  .get('/:id', async (c) => c.json(threadJson(await findOwnThread(c.get('services').db(), c.get('auth'), c.req.param('id')))))
  .patch('/:id', async (c) => {
    const db = c.get('services').db();
    const thread = await findOwnThread(db, c.get('auth'), c.req.param('id'));
    const body = await jsonBody(c, patchThread);
    const [row] = await db.update(threads).set({ title: body.title, updated_at: new Date() }).where(eq(threads.id, thread.id)).returning();
    return c.json(threadJson(row!));
  })
  .delete('/:id', async (c) => {
    const db = c.get('services').db();
    const auth = c.get('auth');
    const thread = await findOwnThread(db, auth, c.req.param('id'));
    await db.update(threads).set({ deleted_at: new Date() }).where(eq(threads.id, thread.id));
    await db.update(users).set({ active_thread_id: null }).where(and(eq(users.id, auth.user_id!), eq(users.active_thread_id, thread.id)));
    await threadAgent(c.env, thread.id).destroy();
    return c.body(null, 204);
  })
  .put('/:id/switch', async (c) => {
    const db = c.get('services').db();
    const auth = c.get('auth');
    const thread = await findOwnThread(db, auth, c.req.param('id'));
    await db.update(users).set({ active_thread_id: thread.id }).where(eq(users.id, auth.user_id!));
    return c.json({ active_thread_id: thread.id });
  })
  .get('/:id/messages', async (c) => {
    const db = c.get('services').db();
    const thread = await findOwnThread(db, c.get('auth'), c.req.param('id'));
    const { limit, cursor } = queryParams(c, pageQuery);
    const after = decodeCursor(cursor);
    const rows = await db
      .select()
      .from(messages)
      .where(and(eq(messages.thread_id, thread.id), after ? gt(messages.id, after) : undefined))
      .orderBy(asc(messages.id))
      .limit(limit + 1);
    return c.json(
      toPage(rows, limit, (m) => ({ id: m.id, role: m.role, content: m.content, run_id: m.run_id, metadata: m.metadata, created_at: m.created_at.toISOString() })),
    );
  });

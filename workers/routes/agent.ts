// Agent runs of the signed-in user: status of one run and the paginated history across all threads.
// Postgres holds every run (written through the thread DO's outbox); while a run is live its DO is asked too.
import { and, eq } from 'drizzle-orm';
import * as z from 'zod';
import { runs } from '../../db/schema';
import { requireUser } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../../common/ids';
import { contractRouter, errorsFor, json, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { listPage, pageQuery } from '../lib/pagination';
import { threadAgent } from '../lib/thread-agents';

type RunRow = typeof runs.$inferSelect;

const runJson = (r: RunRow) => ({
  run_id: r.id,
  thread_id: r.thread_id,
  status: r.status,
  stage: r.state,
  request: r.request,
  error_code: r.error_code,
  report_id: r.report_id,
  steps: r.steps,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
  completed_at: r.completed_at?.toISOString() ?? null,
});

const runSchema = OPENAPI_DOCUMENT ? z.looseObject({
  run_id: z.string(),
  thread_id: z.string(),
  status: z.string(),
  stage: z.unknown(),
  request: z.unknown(),
  error_code: z.string().nullable(),
  report_id: z.string().nullable(),
  steps: z.unknown(),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
}) : undocumented;
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['agent'] } : undocumented);
const routes = {
  status: route({
    method: 'get',
    path: '/status/{run_id}',
    request: { params: z.object({ run_id: z.string().max(100) }) },
    ...(OPENAPI_DOCUMENT ? {
      security: userSecurity,
      summary: "One of the caller's agent runs (live from its thread while it runs)",
      responses: { 200: json(runSchema, 'The run'), ...errorsFor(400, 401, 404, 429) },
    } : undocumented),
  }),
  history: route({
    method: 'get',
    path: '/history',
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      security: userSecurity,
      summary: "The caller's agent runs across threads, newest first",
      responses: { 200: json(pageOf(runSchema), 'A page of runs'), ...errorsFor(400, 401, 429) },
    } : undocumented),
  }),
};

export const agentRoutes = contractRouter(requireUser())
  .openapi(routes.status, async (c) => {
    const runId = c.req.valid('param').run_id;
    const auth = c.get('auth');
    if (!hasPrefix(runId, 'run')) throw new ApiError('not_found', 'run not found');
    const [row] = await c
      .get('services')
      .db()
      .select()
      .from(runs)
      .where(and(eq(runs.id, runId), eq(runs.org_id, auth.org_id), eq(runs.user_id, auth.user_id!)))
      .limit(1);
    if (!row) throw new ApiError('not_found', 'run not found');
    if (row.status === 'running' || row.status === 'queued') {
      const live = await threadAgent(c.env, row.thread_id).runStatus(runId, auth.user_id!);
      if (live) return c.json({ ...runJson(row), status: live.status, stage: live.stage, steps: live.steps, pipeline: live.pipeline }, 200);
    }
    return c.json(runJson(row), 200);
  })
  .openapi(routes.history, async (c) => {
    const auth = c.get('auth');
    const db = c.get('services').db();
    return c.json(
      await listPage(
        c.req.valid('query'),
        runs.id,
        'desc',
        (k) => db.select().from(runs).where(and(eq(runs.org_id, auth.org_id), eq(runs.user_id, auth.user_id!), k.after)).orderBy(k.order).limit(k.limit),
        runJson,
      ),
      200,
    );
  });

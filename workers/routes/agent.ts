// Agent runs of the signed-in user: status of one run and the paginated history across all threads.
// Postgres holds every run (written through the thread DO's outbox); while a run is live its DO is asked too.
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { runs } from '../../db/schema';
import { requireUser } from '../auth/middleware';
import { queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../lib/ids';
import { listPage, pageQuery } from '../lib/pagination';
import type { AppEnv } from '../lib/services';
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

export const agentRoutes = new Hono<AppEnv>()
  .use('*', requireUser())
  .get('/status/:run_id', async (c) => {
    const runId = c.req.param('run_id');
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
      if (live) return c.json({ ...runJson(row), status: live.status, stage: live.stage, steps: live.steps, pipeline: live.pipeline });
    }
    return c.json(runJson(row));
  })
  .get('/history', async (c) => {
    const auth = c.get('auth');
    const db = c.get('services').db();
    return c.json(
      await listPage(
        queryParams(c, pageQuery),
        runs.id,
        'desc',
        (k) => db.select().from(runs).where(and(eq(runs.org_id, auth.org_id), eq(runs.user_id, auth.user_id!), k.after)).orderBy(k.order).limit(k.limit),
        runJson,
      ),
    );
  });

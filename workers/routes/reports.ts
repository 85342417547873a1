// Reports of agent runs: `GET /api/reports` (the org's, newest first) and `GET /api/reports/{id}` as JSON,
// or as markdown with `?format=markdown` or `Accept: text/markdown`. A signed-in user or a `read` key.
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { reports } from '../../db/schema';
import { requireAuth } from '../auth/middleware';
import { queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../lib/ids';
import { listPage, pageQuery } from '../lib/pagination';
import type { AppEnv } from '../lib/services';

type ReportRow = typeof reports.$inferSelect;

const summary = (r: ReportRow) => ({
  id: r.id,
  title: r.title,
  run_id: r.run_id,
  thread_id: r.thread_id,
  monthly_saving_usd: r.saving_nanousd_month / 1e9,
  created_at: r.created_at.toISOString(),
});

export const reportRoutes = new Hono<AppEnv>()
  .use('*', requireAuth({ scopes: ['read'] }))
  .get('/', async (c) => {
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(
      await listPage(queryParams(c, pageQuery), reports.id, 'desc', (k) => db.select().from(reports).where(and(eq(reports.org_id, orgId), k.after)).orderBy(k.order).limit(k.limit), summary),
    );
  })
  .get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!hasPrefix(id, 'rep')) throw new ApiError('not_found', 'report not found');
    const [row] = await c
      .get('services')
      .db()
      .select()
      .from(reports)
      .where(and(eq(reports.id, id), eq(reports.org_id, c.get('auth').org_id)))
      .limit(1);
    if (!row) throw new ApiError('not_found', 'report not found');
    const wantsMarkdown = c.req.query('format') === 'markdown' || (c.req.header('accept') ?? '').includes('text/markdown');
    if (wantsMarkdown) return c.body(row.markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' });
    return c.json({ ...summary(row), markdown: row.markdown, data: row.data });
  });

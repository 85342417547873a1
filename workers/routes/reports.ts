// Reports of agent runs: `GET /api/reports` (the org's, newest first) and `GET /api/reports/{id}` as JSON,
// or as markdown with `?format=markdown` or `Accept: text/markdown`. A signed-in user or a `read` key.
import { and, eq } from 'drizzle-orm';
import * as z from 'zod';
import { reports } from '../../db/schema';
import { requireAuth } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../../common/ids';
import { contractRouter, errorsFor, idParam, json, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { listPage, pageQuery } from '../lib/pagination';

type ReportRow = typeof reports.$inferSelect;

const summarySchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  title: z.string(),
  run_id: z.string().nullable(),
  thread_id: z.string().nullable(),
  monthly_saving_usd: z.number(),
  created_at: z.string(),
}) : undocumented;
const reportSchema = OPENAPI_DOCUMENT ? summarySchema.extend({ markdown: z.string(), data: z.record(z.string(), z.unknown()).describe('findings, plan and charts of the report') }) : undocumented;

const summary = (r: ReportRow): z.infer<typeof summarySchema> => ({
  id: r.id,
  title: r.title,
  run_id: r.run_id,
  thread_id: r.thread_id,
  monthly_saving_usd: r.saving_nanousd_month / 1e9,
  created_at: r.created_at.toISOString(),
});

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['reports'], security: userSecurity } : undocumented);
const routes = {
  list: route({
    method: 'get',
    path: '/',
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's reports, newest first",
      responses: { 200: json(pageOf(summarySchema), 'A page of reports'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  get: route({
    method: 'get',
    path: '/{id}',
    request: { params: idParam('report'), query: z.object({ format: z.string().max(40).optional().describe('markdown for the text alone') }) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'One report as JSON, or as markdown with ?format=markdown or Accept: text/markdown',
      responses: {
        200: { description: 'The report', content: { 'application/json': { schema: reportSchema }, 'text/markdown': { schema: z.string() } } },
        ...errorsFor(401, 403, 404, 429),
      },
    } : undocumented),
  }),
};

export const reportRoutes = contractRouter(requireAuth({ scopes: ['read'] }))
  .openapi(routes.list, async (c) => {
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(
      await listPage(c.req.valid('query'), reports.id, 'desc', (k) => db.select().from(reports).where(and(eq(reports.org_id, orgId), k.after)).orderBy(k.order).limit(k.limit), summary),
      200,
    );
  })
  .openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    if (!hasPrefix(id, 'rep')) throw new ApiError('not_found', 'report not found');
    const [row] = await c
      .get('services')
      .db()
      .select()
      .from(reports)
      .where(and(eq(reports.id, id), eq(reports.org_id, c.get('auth').org_id)))
      .limit(1);
    if (!row) throw new ApiError('not_found', 'report not found');
    const wantsMarkdown = c.req.valid('query').format === 'markdown' || (c.req.header('accept') ?? '').includes('text/markdown');
    if (wantsMarkdown) return c.body(row.markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' });
    return c.json({ ...summary(row), markdown: row.markdown, data: row.data }, 200);
  });

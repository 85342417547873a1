// /api/policies: the org's gateway policies, versioned (1, 2, 3… per org). Create one (or draft one from a
// report's plan in one call), simulate it over the org's stored traffic with the engine's simulator, activate
// it (the previous active policy becomes inactive) or deactivate it. Signed-in users; scoped to the caller's org.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import * as z from 'zod';
import { gatewayPolicies, reports } from '../../db/schema';
import { gatewayPolicy, type GatewayPolicy } from '../../engine/tools/policy/policy';
import { simulatePolicy } from '../../engine/tools/policy/simulate';
import { nanoToUsd } from '../../engine/telemetry/record';
import { analyzeOrg } from '../../db/org-analysis';
import { requireUser } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { hasPrefix, uuidv7 } from '../../common/ids';
import { contractRouter, errorsFor, json, jsonBody, objectAnswer, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import type { AppEnv } from '../lib/services';
import { invalidateGatewayConfig } from './config';

export const DEFAULT_CONTROL_SHARE = 0.05;
export const DEFAULT_CANARY = { min_calls: 30, max_error_rate_increase: 0.05, max_latency_ratio: 2 };

const settings = {
  name: z.string().trim().min(1).max(200).optional(),
  control_share: z.number().min(0).max(0.5).optional(),
  canary: z.object({ min_calls: z.number().int().min(1).max(100_000), max_error_rate_increase: z.number().min(0).max(1), max_latency_ratio: z.number().min(1).max(1000) }).strict().optional(),
  upstream_timeout_ms: z.number().int().min(100).max(600_000).optional(),
};
const createBody = z.object({ ...settings, policy: gatewayPolicy }).strict();
const fromReportBody = z.object(settings).strict();

type Row = typeof gatewayPolicies.$inferSelect;

const publicPolicy = (r: Row) => ({
  id: r.id,
  version: r.version,
  name: r.name,
  status: r.status,
  policy: r.policy,
  control_share: r.control_share,
  canary: r.canary,
  upstream_timeout_ms: r.upstream_timeout_ms,
  source_report_id: r.source_report_id,
  rollback_reason: r.rollback_reason,
  created_at: r.created_at.toISOString(),
  activated_at: r.activated_at?.toISOString() ?? null,
  deactivated_at: r.deactivated_at?.toISOString() ?? null,
});

const notFound = () => new ApiError('not_found', 'no such policy');
const isPolicyId = (id: string) => /^pol_[0-9a-f]{32}$/.test(id);

async function insertPolicy(c: Context<AppEnv>, policy: GatewayPolicy, s: z.infer<typeof fromReportBody>, reportId: string | null): Promise<Row> {
  const { org_id, user_id } = c.get('auth');
  const id = `pol_${uuidv7()}`;
  const canary = s.canary ?? DEFAULT_CANARY;
  // The next version of the org, computed in the insert; a concurrent insert trips the unique index: retried once.
  const insert = () =>
    c.get('services').db().execute(sql`
      insert into gateway_policies (id, org_id, created_by, version, name, policy, control_share, canary, upstream_timeout_ms, source_report_id)
      select ${id}, ${org_id}, ${user_id}, coalesce(max(version), 0) + 1, ${s.name ?? (reportId ? `from report ${reportId}` : 'policy')},
             ${JSON.stringify(policy)}::jsonb, ${s.control_share ?? DEFAULT_CONTROL_SHARE}, ${JSON.stringify(canary)}::jsonb, ${s.upstream_timeout_ms ?? 30_000}, ${reportId}
      from gateway_policies where org_id = ${org_id}`);
  await insert().catch(insert);
  return (await findPolicy(c, id))!;
}

async function findPolicy(c: Context<AppEnv>, id: string): Promise<Row | undefined> {
  if (!isPolicyId(id)) return undefined;
  const [row] = await c.get('services').db().select().from(gatewayPolicies).where(and(eq(gatewayPolicies.id, id), eq(gatewayPolicies.org_id, c.get('auth').org_id)));
  return row;
}

/** The gateway policy a report carries: its action plan's, else the routing_policy finding's. */
export function policyOfReport(data: Record<string, unknown>): GatewayPolicy | null {
  const plan = data.plan as { policy?: unknown } | null | undefined;
  const findings = [...((data.insights as unknown[]) ?? []), ...((data.savings as unknown[]) ?? [])] as Array<{ tool?: string; evidence?: { policy?: unknown } }>;
  const candidate = plan?.policy ?? findings.find((f) => f.tool === 'routing_policy')?.evidence?.policy;
  const parsed = gatewayPolicy.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

const policySchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  version: z.number(),
  name: z.string(),
  status: z.string(),
  policy: z.record(z.string(), z.unknown()).describe('the gateway policy (rules matched in order; see POST /api/policies)'),
  control_share: z.number(),
  canary: z.record(z.string(), z.number()),
  upstream_timeout_ms: z.number(),
  source_report_id: z.string().nullable(),
  rollback_reason: z.string().nullable(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
  deactivated_at: z.string().nullable(),
}) : undocumented;
const policyParams = z.object({ id: z.string().describe("the policy's id") });
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['policies'], security: userSecurity } : undocumented);
const routes = {
  create: route({
    method: 'post',
    path: '/',
    request: { body: jsonBody(createBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'A new policy version (inactive until activated)',
      responses: { 201: json(policySchema, 'The policy'), ...errorsFor(400, 401, 413, 415, 429) },
    } : undocumented),
  }),
  fromReport: route({
    method: 'post',
    path: '/from-report/{report_id}',
    request: { params: z.object({ report_id: z.string() }), body: { required: false, content: { 'application/json': { schema: fromReportBody } } } },
    ...(OPENAPI_DOCUMENT ? {
      summary: "A new policy from a report's plan (settings in the body are optional)",
      responses: { 201: json(policySchema, 'The policy'), ...errorsFor(400, 401, 404, 413, 415, 429) },
    } : undocumented),
  }),
  list: route({
    method: 'get',
    path: '/',
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's policies, newest version first (up to 200)",
      responses: { 200: json(z.object({ items: z.array(policySchema), next_cursor: z.null() }), 'The policies'), ...errorsFor(401, 429) },
    } : undocumented),
  }),
  get: route({
    method: 'get',
    path: '/{id}',
    request: { params: policyParams },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'One policy',
      responses: { 200: json(policySchema, 'The policy'), ...errorsFor(401, 404, 429) },
    } : undocumented),
  }),
  activate: route({
    method: 'post',
    path: '/{id}/activate',
    request: { params: policyParams },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Make this the active policy (the previous one becomes inactive)',
      responses: { 200: json(policySchema, 'The policy'), ...errorsFor(401, 404, 429) },
    } : undocumented),
  }),
  deactivate: route({
    method: 'post',
    path: '/{id}/deactivate',
    request: { params: policyParams },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Stop applying this policy',
      responses: { 200: json(policySchema, 'The policy'), ...errorsFor(401, 404, 429) },
    } : undocumented),
  }),
  simulate: route({
    method: 'post',
    path: '/{id}/simulate',
    request: { params: policyParams },
    ...(OPENAPI_DOCUMENT ? {
      summary: "Replay the org's stored traffic under this policy: cost before and after, per rule",
      responses: { 200: objectAnswer('The simulation (null without stored traffic)'), ...errorsFor(401, 404, 429, 503) },
    } : undocumented),
  }),
};

export const policyRoutes = contractRouter(requireUser())
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    return c.json(publicPolicy(await insertPolicy(c, body.policy, body, null)), 201);
  })
  .openapi(routes.fromReport, async (c) => {
    const reportId = c.req.valid('param').report_id;
    const s = c.req.valid('json');
    if (!hasPrefix(reportId, 'rep')) throw new ApiError('not_found', 'report not found');
    const [report] = await c.get('services').db().select({ data: reports.data }).from(reports).where(and(eq(reports.id, reportId), eq(reports.org_id, c.get('auth').org_id)));
    if (!report) throw new ApiError('not_found', 'report not found');
    const policy = policyOfReport(report.data);
    if (!policy || policy.rules.length === 0) throw new ApiError('invalid_request', 'this report proposes no gateway policy');
    return c.json(publicPolicy(await insertPolicy(c, policy, s, reportId)), 201);
  })
  .openapi(routes.list, async (c) => {
    const rows = await c.get('services').db().select().from(gatewayPolicies).where(eq(gatewayPolicies.org_id, c.get('auth').org_id)).orderBy(desc(gatewayPolicies.version)).limit(200);
    return c.json({ items: rows.map(publicPolicy), next_cursor: null }, 200);
  })
  .openapi(routes.get, async (c) => {
    const row = await findPolicy(c, c.req.valid('param').id);
    if (!row) throw notFound();
    return c.json(publicPolicy(row), 200);
  })
  .openapi(routes.activate, async (c) => {
    const row = await findPolicy(c, c.req.valid('param').id);
    if (!row) throw notFound();
    const orgId = c.get('auth').org_id;
    const now = new Date();
    await c
      .get('services')
      .db()
      .transaction(async (tx) => {
        await tx.update(gatewayPolicies).set({ status: 'inactive', deactivated_at: now }).where(and(eq(gatewayPolicies.org_id, orgId), eq(gatewayPolicies.status, 'active')));
        await tx.update(gatewayPolicies).set({ status: 'active', activated_at: now, deactivated_at: null, rollback_reason: null }).where(eq(gatewayPolicies.id, row.id));
      });
    await invalidateGatewayConfig(c.get('services'), orgId);
    return c.json(publicPolicy((await findPolicy(c, row.id))!), 200);
  })
  .openapi(routes.deactivate, async (c) => {
    const row = await findPolicy(c, c.req.valid('param').id);
    if (!row) throw notFound();
    if (row.status === 'active') {
      await c.get('services').db().update(gatewayPolicies).set({ status: 'inactive', deactivated_at: new Date() }).where(eq(gatewayPolicies.id, row.id));
      await invalidateGatewayConfig(c.get('services'), row.org_id);
    }
    return c.json(publicPolicy((await findPolicy(c, row.id))!), 200);
  })
  .openapi(routes.simulate, async (c) => {
    const row = await findPolicy(c, c.req.valid('param').id);
    if (!row) throw notFound();
    let analysis;
    try {
      analysis = await analyzeOrg(c.get('services').clickhouse(), row.org_id, {});
    } catch {
      throw new ApiError('dependency_unavailable', 'the telemetry store is unavailable; retry shortly');
    }
    if (!analysis) return c.json({ policy_id: row.id, window: null, simulation: null, message: 'no stored traffic to replay: send calls or import a file first' }, 200);
    const sim = simulatePolicy(analysis.profile, row.policy);
    const { window } = analysis.profile;
    return c.json({
      policy_id: row.id,
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), days: window.days },
      simulation: {
        mode: sim.mode,
        before_usd: nanoToUsd(sim.before_nanousd),
        after_usd: nanoToUsd(sim.after_nanousd),
        saving_usd: nanoToUsd(sim.saving_nanousd),
        per_rule: sim.per_rule.map((r) => ({ rule_id: r.rule_id, calls: r.calls, before_usd: nanoToUsd(r.before_nanousd), after_usd: nanoToUsd(r.after_nanousd), saving_usd: nanoToUsd(r.saving_nanousd), unknown_target: r.unknown_target })),
      },
    }, 200);
  });

// The seeds' business-metrics routes, on the savings ledger and the gateway's recorded calls. Mounted at
// /api/metrics next to the Prometheus text at GET /api/metrics (health router): auth is per route here,
// never a wildcard middleware, so that endpoint and /api/metrics/tier/{tier}/limits stay public.
import { sql } from 'drizzle-orm';
import * as z from 'zod';
import { requireAuth } from '../auth/middleware';
import { utcMonthStart } from '../auth/usage';
import { ApiError } from '../lib/errors';
import { uuidv7 } from '../../common/ids';
import { contractRouterWith, errorsFor, json, jsonBody, limitBody, objectAnswer, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { isoInstant } from '../lib/time';
import { submit } from '../ingest/submit';
import { realizedSavingsUsd, savingsGroups, type GroupBy } from '../../db/savings';
import { METHOD } from '../../engine/realized-savings';

const read = requireAuth({ scopes: ['read'] });
/** The seeds' fee: a share of the savings the platform realized. */
export const FEE_SHARE = 0.2;

const windowQuery = z
  .object({
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    policy_id: z.string().regex(/^pol_[0-9a-f]{32}$/).optional(),
    group_by: z.enum(['all', 'rule', 'key', 'feature', 'day', 'policy']).default('all'),
  })
  .strict();

const trackBody = z
  .object({
    event_type: z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const period = OPENAPI_DOCUMENT ? z.object({ from: z.string(), to: z.string() }) : undocumented;
const arm = OPENAPI_DOCUMENT ? z.object({ calls: z.number(), cost_usd: z.number(), mean_cost_per_call_usd: z.number().nullable(), error_rate: z.number().nullable(), mean_latency_ms: z.number().nullable() }) : undocumented;
const savingsGroup = OPENAPI_DOCUMENT ? z.object({
  key: z.string(),
  treated: arm,
  control: arm,
  realized_savings_usd: z.number().describe('Σ (original cost − paid) over treated calls'),
  difference_per_call_usd: z.number().nullable().describe('mean cost per call, treated − control'),
  ci95_per_call_usd: z.tuple([z.number(), z.number()]).nullable().describe('95 % interval of the difference (Welch)'),
}) : undocumented;
const savingsAnswer = OPENAPI_DOCUMENT ? z.object({ period, realized_savings_usd: z.number(), groups: z.array(savingsGroup), method: z.string() }) : undocumented;
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['business metrics'], security: userSecurity } : undocumented);
const routes = {
  summary: route({
    method: 'get',
    path: '/savings/summary',
    middleware: [read],
    request: { query: windowQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Realized savings of the gateway (savings ledger), grouped',
      responses: { 200: json(savingsAnswer, 'Savings'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  endUser: route({
    method: 'get',
    path: '/savings/{user_id}',
    middleware: [read],
    request: { params: z.object({ user_id: z.string().describe('the end user (first 200 characters count)') }), query: windowQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "One end user's realized savings",
      responses: { 200: json(savingsAnswer.extend({ user_id: z.string() }), 'Savings'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  track: route({
    method: 'post',
    path: '/track',
    middleware: [requireAuth({ scopes: ['ingest'] }), limitBody()],
    request: { body: jsonBody(trackBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Record a usage event',
      responses: { 202: json(z.object({ event_id: z.string(), event_type: z.string() }), 'Stored'), ...errorsFor(400, 401, 403, 413, 415, 429) },
    } : undocumented),
  }),
  roi: route({
    method: 'get',
    path: '/roi',
    middleware: [read],
    ...(OPENAPI_DOCUMENT ? {
      summary: "This month's realized savings, the fee and the ROI",
      responses: {
        200: json(z.object({ period, realized_savings_usd: z.number(), fee_share: z.number(), fee_usd: z.number(), net_savings_usd: z.number(), roi: z.number().nullable(), method: z.string() }), 'ROI'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
  performance: route({
    method: 'get',
    path: '/performance',
    middleware: [read],
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Gateway calls (error and cache-hit rates, latency) and agent run durations of the last 7 days',
      responses: { 200: objectAnswer('Performance'), ...errorsFor(401, 403, 429, 503) },
    } : undocumented),
  }),
};

// Auth per route: GET /api/metrics (Prometheus) and /api/metrics/tier/{tier}/limits stay public.
export const metricsRoutes = contractRouterWith({ bodyLimit: null })
  .openapi(routes.summary, async (c) => {
    const q = c.req.valid('query');
    const from = q.from ?? utcMonthStart();
    const groups = await savingsGroups(c.get('services').db(), { org_id: c.get('auth').org_id, policy_id: q.policy_id, from, to: q.to }, q.group_by as GroupBy);
    return c.json({
      period: { from: from.toISOString(), to: (q.to ?? new Date()).toISOString() },
      realized_savings_usd: groups.reduce((a, g) => a + g.realized_savings_usd, 0),
      groups,
      method: METHOD,
    }, 200);
  })
  .openapi(routes.endUser, async (c) => {
    const q = c.req.valid('query');
    const endUser = c.req.valid('param').user_id.slice(0, 200);
    const from = q.from ?? utcMonthStart();
    const groups = await savingsGroups(c.get('services').db(), { org_id: c.get('auth').org_id, end_user: endUser, policy_id: q.policy_id, from, to: q.to }, q.group_by as GroupBy);
    return c.json({ user_id: endUser, period: { from: from.toISOString(), to: (q.to ?? new Date()).toISOString() }, realized_savings_usd: groups.reduce((a, g) => a + g.realized_savings_usd, 0), groups, method: METHOD }, 200);
  })
  .openapi(routes.track, async (c) => {
    const body = c.req.valid('json');
    const eventId = `evt_${uuidv7()}`;
    await submit(c.env, c.get('auth'), { calls: [], event: { event_id: eventId, event_type: body.event_type, data: body.data } });
    return c.json({ event_id: eventId, event_type: body.event_type }, 202);
  })
  .openapi(routes.roi, async (c) => {
    const from = utcMonthStart();
    const realized = await realizedSavingsUsd(c.get('services').db(), c.get('auth').org_id, from);
    const fee = realized * FEE_SHARE;
    return c.json({
      period: { from: from.toISOString(), to: new Date().toISOString() },
      realized_savings_usd: realized,
      fee_share: FEE_SHARE,
      fee_usd: fee,
      net_savings_usd: realized - fee,
      roi: fee > 0 ? (realized - fee) / fee : null,
      method: METHOD,
    }, 200);
  })
  .openapi(routes.performance, async (c) => {
    const days = 7;
    let gateway: Record<string, number | null>;
    try {
      const res = await c.get('services').clickhouse().query({
        query: `SELECT count() AS calls, countIf(status != 'ok') AS errors, countIf(JSONExtractBool(metadata, 'cache_hit')) AS cache_hits,
                       quantileExact(0.5)(ifNull(latency_ms, 0)) AS p50_ms, quantileExact(0.95)(ifNull(latency_ms, 0)) AS p95_ms
                FROM llm_calls FINAL WHERE org_id = {org:String} AND source = 'gateway' AND timestamp >= now64(3) - toIntervalDay({days:UInt16})`,
        query_params: { org: c.get('auth').org_id, days },
        format: 'JSONEachRow',
      });
      const [r] = await res.json<{ calls: string; errors: string; cache_hits: string; p50_ms: number; p95_ms: number }>();
      const calls = Number(r?.calls ?? 0);
      gateway = { calls, error_rate: calls ? Number(r!.errors) / calls : null, cache_hit_rate: calls ? Number(r!.cache_hits) / calls : null, p50_latency_ms: calls ? r!.p50_ms : null, p95_latency_ms: calls ? r!.p95_ms : null };
    } catch {
      throw new ApiError('dependency_unavailable', 'telemetry is unavailable right now; retry shortly');
    }
    const runs = await c.get('services').db().execute<{ runs: number; p50_s: number | null; p95_s: number | null }>(sql`
      select count(*)::int as runs,
             (percentile_cont(0.5) within group (order by extract(epoch from completed_at - created_at)) filter (where completed_at is not null))::float8 as p50_s,
             (percentile_cont(0.95) within group (order by extract(epoch from completed_at - created_at)) filter (where completed_at is not null))::float8 as p95_s
      from runs where org_id = ${c.get('auth').org_id} and created_at >= now() - make_interval(days => ${days})`);
    return c.json({ window_days: days, gateway, agent_runs: runs.rows[0]! }, 200);
  });

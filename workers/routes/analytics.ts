// /api/analytics: the caller's org's telemetry (exact, from llm_calls FINAL): summary, time series,
// breakdowns and latency percentiles. A signed-in user or an API key with the `read` scope.
// Window: `from` (inclusive) and `to` (exclusive) as ISO 8601 dates or instants; absent = all the org's data.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import * as z from 'zod';
import { BUCKETS, DIMENSIONS, METRICS, breakdown, latency, summary, timeseries, type Window } from '../../db/analytics';
import { requireAuth } from '../auth/middleware';
import { isoInstant } from '../lib/time';
import { dependencyUnavailable } from '../lib/errors';
import { contractRouter, errorsFor, json, userSecurity, undocumented } from '../lib/openapi';
import type { AppEnv } from '../lib/services';

const windowFields = {
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  source: z.string().min(1).max(200).optional(),
};

const orderedWindow = <T extends { from?: Date; to?: Date }>(q: T) => !q.from || !q.to || q.from < q.to;
const orderMessage = { message: '`from` must be before `to`', path: ['from'] };

const windowQuery = z.object(windowFields).strict().refine(orderedWindow, orderMessage);
const timeseriesQuery = z
  .object({ ...windowFields, bucket: z.enum(BUCKETS).default('day'), metric: z.enum(METRICS).default('cost') })
  .strict()
  .refine(orderedWindow, orderMessage);
const breakdownQuery = z
  .object({ ...windowFields, by: z.enum(DIMENSIONS), limit: z.coerce.number().int().min(1).max(1000).default(100) })
  .strict()
  .refine(orderedWindow, orderMessage);

function scope(c: Context<AppEnv>, q: { from?: Date; to?: Date; source?: string }): Window {
  return { org_id: c.get('auth').org_id, from: q.from, to: q.to, source: q.source };
}

/** What the response says about its window. */
const echo = (q: { from?: Date; to?: Date; source?: string }) => ({
  from: q.from?.toISOString() ?? null,
  to: q.to?.toISOString() ?? null,
  source: q.source ?? null,
});

/** Runs a ClickHouse read; an unreachable ClickHouse is a 503 the client may retry, never a 500. */
async function read<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch {
    throw dependencyUnavailable('clickhouse', 'analytics are unavailable right now (clickhouse); retry shortly');
  }
}

const echoed = OPENAPI_DOCUMENT ? { from: z.string().nullable(), to: z.string().nullable(), source: z.string().nullable() } : undocumented;
const percentiles = OPENAPI_DOCUMENT ? z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }) : undocumented;
const summarySchema = OPENAPI_DOCUMENT ? z.object({
  ...echoed,
  calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_input_tokens: z.number(),
  cost_usd: z.number(),
  unpriced_calls: z.number().describe('calls whose cost is unknown (model not in the catalog, no cost in the source)'),
  error_rate: z.number().nullable(),
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  first_call_at: z.string().nullable(),
  last_call_at: z.string().nullable(),
}) : undocumented;
const timeseriesSchema = OPENAPI_DOCUMENT ? z.object({ ...echoed, bucket: z.enum(BUCKETS), metric: z.enum(METRICS), unit: z.string(), points: z.array(z.object({ t: z.string(), value: z.number() })) }) : undocumented;
const breakdownSchema = OPENAPI_DOCUMENT ? z.object({
  ...echoed,
  by: z.enum(DIMENSIONS),
  items: z.array(z.object({ name: z.string(), calls: z.number(), input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number(), error_rate: z.number(), cost_share: z.number().nullable() })),
}) : undocumented;
const latencySchema = OPENAPI_DOCUMENT ? z.object({ ...echoed, items: z.array(z.object({ model: z.string(), provider: z.string(), calls: z.number(), latency_ms: percentiles, ttft_ms: percentiles })) }) : undocumented;

const readRoute = { method: 'get' as const, tags: ['analytics'], security: userSecurity };
const routes = {
  summary: createRoute({ ...readRoute, path: '/summary', request: { query: windowQuery }, ...(OPENAPI_DOCUMENT ? { summary: 'Calls, tokens, cost, error rate and latency of the window', responses: { 200: json(summarySchema, 'The summary'), ...errorsFor(400, 401, 403, 429, 503) } } : undocumented) }),
  timeseries: createRoute({ ...readRoute, path: '/timeseries', request: { query: timeseriesQuery }, ...(OPENAPI_DOCUMENT ? { summary: 'One metric per hour or day (empty buckets are 0)', responses: { 200: json(timeseriesSchema, 'The series'), ...errorsFor(400, 401, 403, 429, 503) } } : undocumented) }),
  breakdown: createRoute({ ...readRoute, path: '/breakdown', request: { query: breakdownQuery }, ...(OPENAPI_DOCUMENT ? { summary: 'Calls and cost per model, provider, feature, user or key, costliest first', responses: { 200: json(breakdownSchema, 'The groups'), ...errorsFor(400, 401, 403, 429, 503) } } : undocumented) }),
  latency: createRoute({ ...readRoute, path: '/latency', request: { query: windowQuery }, ...(OPENAPI_DOCUMENT ? { summary: 'Latency and time-to-first-token percentiles per model', responses: { 200: json(latencySchema, 'Per model'), ...errorsFor(400, 401, 403, 429, 503) } } : undocumented) }),
};

export const analytics = contractRouter(requireAuth({ scopes: ['read'] }))
  .openapi(routes.summary, async (c) => {
    const q = c.req.valid('query');
    const s = await read(() => summary(c.get('services').clickhouse(), scope(c, q)));
    return c.json({ ...echo(q), ...s }, 200);
  })
  .openapi(routes.timeseries, async (c) => {
    const q = c.req.valid('query');
    const points = await read(() => timeseries(c.get('services').clickhouse(), scope(c, q), q.bucket, q.metric));
    return c.json({ ...echo(q), bucket: q.bucket, metric: q.metric, unit: q.metric === 'cost' ? 'usd' : q.metric, points }, 200);
  })
  .openapi(routes.breakdown, async (c) => {
    const q = c.req.valid('query');
    const items = await read(() => breakdown(c.get('services').clickhouse(), scope(c, q), q.by, q.limit));
    return c.json({ ...echo(q), by: q.by, items }, 200);
  })
  .openapi(routes.latency, async (c) => {
    const q = c.req.valid('query');
    const items = await read(() => latency(c.get('services').clickhouse(), scope(c, q)));
    return c.json({ ...echo(q), items }, 200);
  });

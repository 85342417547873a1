// /api/analytics: the caller's org's telemetry (exact, from llm_calls FINAL): summary, time series,
// breakdowns and latency percentiles. A signed-in user or an API key with the `read` scope.
// Window: `from` (inclusive) and `to` (exclusive) as ISO 8601 dates or instants; absent = all the org's data.
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { BUCKETS, DIMENSIONS, METRICS, breakdown, latency, summary, timeseries, type Window } from '../../db/analytics';
import { requireAuth } from '../auth/middleware';
import { queryParams } from '../lib/body';
import { isoInstant } from '../lib/time';
import { dependencyUnavailable } from '../lib/errors';
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

export const analytics = new Hono<AppEnv>()
  .use('*', requireAuth({ scopes: ['read'] }))
  .get('/summary', async (c) => {
    const q = queryParams(c, windowQuery);
    const s = await read(() => summary(c.get('services').clickhouse(), scope(c, q)));
    return c.json({ ...echo(q), ...s });
  })
  .get('/timeseries', async (c) => {
    const q = queryParams(c, timeseriesQuery);
    const points = await read(() => timeseries(c.get('services').clickhouse(), scope(c, q), q.bucket, q.metric));
    return c.json({ ...echo(q), bucket: q.bucket, metric: q.metric, unit: q.metric === 'cost' ? 'usd' : q.metric, points });
  })
  .get('/breakdown', async (c) => {
    const q = queryParams(c, breakdownQuery);
    const items = await read(() => breakdown(c.get('services').clickhouse(), scope(c, q), q.by, q.limit));
    return c.json({ ...echo(q), by: q.by, items });
  })
  .get('/latency', async (c) => {
    const q = queryParams(c, windowQuery);
    const items = await read(() => latency(c.get('services').clickhouse(), scope(c, q)));
    return c.json({ ...echo(q), items });
  });

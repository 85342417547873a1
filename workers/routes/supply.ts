// The model/price catalog (supply researcher's data), public: `GET /api/supply/catalog` (filters, pages) and
// `POST /api/supply/estimate` (a workload → its cost on each candidate model, cheapest first). Estimates are
// rate-limited per client address since they need no sign-in.
import { Hono } from 'hono';
import { catalogQuery, estimateRequest, estimateWorkload, queryCatalog } from '../../engine/catalog';
import { clientIp, enforceRateLimit, type RateRule } from '../auth/ratelimit';
import { jsonBody, queryParams } from '../lib/body';
import type { AppEnv } from '../lib/services';

const ESTIMATE_RULE: RateRule = { name: 'estimate', limit: 60, window: '1 m' };

export const supplyRoutes = new Hono<AppEnv>()
  .get('/catalog', (c) => c.json(queryCatalog(queryParams(c, catalogQuery))))
  .post('/estimate', async (c) => {
    const body = await jsonBody(c, estimateRequest, 2 * 1024 * 1024);
    await enforceRateLimit(c, ESTIMATE_RULE, clientIp(c));
    return c.json(estimateWorkload(body.workload, body));
  });

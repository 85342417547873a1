// The model/price catalog (supply researcher's data), public: `GET /api/supply/catalog` (filters, pages) and
// `POST /api/supply/estimate` (a workload → its cost on each candidate model, cheapest first). Estimates are
// rate-limited per client address since they need no sign-in.
import { catalogQuery, estimateRequest, estimateWorkload, queryCatalog } from '../../engine/catalog';
import { clientIp, enforceRateLimit, type RateRule } from '../auth/ratelimit';
import { contractRouterWith, errorsFor, jsonBody, objectAnswer, undocumented, routeGroup } from '../lib/openapi';

const ESTIMATE_RULE: RateRule = { name: 'estimate', limit: 60, window: '1 m' };

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['supply'] } : undocumented);
const routes = {
  catalog: route({
    method: 'get',
    path: '/catalog',
    request: { query: catalogQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Models with their prices and sources, filtered (public)',
      responses: { 200: objectAnswer('A page of models'), ...errorsFor(400) },
    } : undocumented),
  }),
  estimate: route({
    method: 'post',
    path: '/estimate',
    request: { body: jsonBody(estimateRequest) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'A workload priced on each candidate model, cheapest first (public, 60 a minute per address)',
      responses: { 200: objectAnswer('The candidates'), ...errorsFor(400, 413, 415, 429) },
    } : undocumented),
  }),
};

export const supplyRoutes = contractRouterWith({ bodyLimit: 2 * 1024 * 1024 })
  .openapi(routes.catalog, (c) => c.json(queryCatalog(c.req.valid('query')), 200))
  .openapi(routes.estimate, async (c) => {
    const body = c.req.valid('json');
    await enforceRateLimit(c, ESTIMATE_RULE, clientIp(c));
    return c.json(estimateWorkload(body.workload, body), 200);
  });

// The org's own prices (/api/prices): negotiated discounts and custom-model rates from an effective date on,
// history kept (rules are only added); ingested calls are priced by them. Past stored costs change only through
// POST /api/prices/recompute, an explicit, logged rewrite of one window under the prices in force now.
import * as z from 'zod';
import { loadPriceBook, insertRule, listRecomputes, listRules, logRecompute, type OrgPriceRow, type RecomputeRow } from '../../db/org-prices';
import { MAX_RECOMPUTE_CALLS, RecomputeTooLarge, recomputeCosts } from '../../db/recompute-costs';
import { nanoToUsdExact } from '../../db/analytics';
import { orgPrices, priceRecomputes } from '../../db/schema';
import { findModel, normalizeProvider } from '../../engine/catalog/index';
import { requireAuth, requireUser } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { newId } from '../../common/ids';
import { log } from '../../common/logger';
import { contractRouter, errorsFor, json, jsonBody, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { listPage, pageQuery } from '../lib/pagination';

const perM = z.number().finite().min(0).max(100_000);
const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const rates = z
  .object({
    input_per_m: perM,
    output_per_m: perM,
    cached_input_per_m: perM.nullable().optional(),
    cache_write_per_m: perM.nullable().optional(),
    cache_write_1h_per_m: perM.nullable().optional(),
  })
  .strict();

const createRule = z
  .object({
    provider: z.string().trim().min(1).max(100),
    /** Omitted = a discount on every model of the provider. */
    model: z.string().trim().min(1).max(200).optional(),
    effective_from: isoTime,
    discount: z.number().finite().gt(0).lt(1).optional(),
    rates: rates.optional(),
    note: z.string().max(500).optional(),
  })
  .strict()
  .refine((r) => (r.discount === undefined) !== (r.rates === undefined), { message: 'send exactly one of discount (fraction off, 0–1) or rates ($/1M tokens)', path: ['discount'] })
  .refine((r) => r.rates === undefined || r.model !== undefined, { message: 'rates are for one model: name it', path: ['model'] });

const recomputeBody = z
  .object({ from: isoTime, to: isoTime })
  .strict()
  .refine((w) => w.from < w.to, { message: 'from must be before to', path: ['to'] })
  .refine((w) => w.to.getTime() - w.from.getTime() <= 400 * 86_400_000, { message: 'a window is at most 400 days', path: ['to'] });

const ruleJson = (r: OrgPriceRow) => ({
  id: r.id,
  provider: r.provider,
  model: r.model,
  effective_from: r.effective_from.toISOString(),
  discount: r.discount,
  rates: r.rates,
  note: r.note,
  created_by: r.created_by,
  created_at: r.created_at.toISOString(),
});

const recomputeJson = (r: RecomputeRow) => ({
  id: r.id,
  from: r.from_ts.toISOString(),
  to: r.to_ts.toISOString(),
  calls: r.calls,
  changed_calls: r.changed_calls,
  cost_before_usd: nanoToUsdExact(r.cost_before_nanousd),
  cost_after_usd: nanoToUsdExact(r.cost_after_nanousd),
  requested_by: r.requested_by,
  created_at: r.created_at.toISOString(),
});

const ruleSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  provider: z.string(),
  model: z.string().nullable(),
  effective_from: z.string(),
  discount: z.number().nullable(),
  rates: z.record(z.string(), z.number().nullable()).nullable(),
  note: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
}) : undocumented;
const recomputeSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  calls: z.number(),
  changed_calls: z.number(),
  cost_before_usd: z.number(),
  cost_after_usd: z.number(),
  requested_by: z.string().nullable(),
  created_at: z.string(),
}) : undocumented;
const read = [requireAuth({ scopes: ['read'] })];
const write = [requireUser()];
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['prices'], security: userSecurity } : undocumented);
const routes = {
  list: route({
    method: 'get',
    path: '/',
    middleware: read,
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's price rules, history included",
      responses: { 200: json(pageOf(ruleSchema), 'A page of rules'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  create: route({
    method: 'post',
    path: '/',
    middleware: write,
    request: { body: jsonBody(createRule) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Add a discount or custom rates from a date on (rules are only added)',
      responses: { 201: json(ruleSchema, 'The rule'), ...errorsFor(400, 401, 413, 415, 429) },
    } : undocumented),
  }),
  recomputes: route({
    method: 'get',
    path: '/recomputes',
    middleware: read,
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'The log of cost recomputes',
      responses: { 200: json(pageOf(recomputeSchema), 'A page of recomputes'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  recompute: route({
    method: 'post',
    path: '/recompute',
    middleware: write,
    request: { body: jsonBody(recomputeBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Rewrite the stored costs of one window (≤ 400 days, ≤ 200k calls) under the prices in force now; logged',
      responses: { 200: json(recomputeSchema, 'What changed'), ...errorsFor(400, 401, 413, 415, 429, 503) },
    } : undocumented),
  }),
};

export const priceRoutes = contractRouter()
  .openapi(routes.list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(await listPage({ limit, cursor }, orgPrices.id, 'desc', (k) => listRules(db, orgId, k), ruleJson), 200);
  })
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const auth = c.get('auth');
    const provider = normalizeProvider(body.provider);
    // a discount is off a catalog price: its model must be one the catalog knows (custom models take rates)
    if (body.discount !== undefined && body.model !== undefined && !findModel(body.model, provider)) {
      throw new ApiError('invalid_request', `model ${body.model} of ${provider} is not in the catalog: give a custom model its rates instead of a discount`);
    }
    const row = await insertRule(c.get('services').db(), {
      id: newId('prc'),
      org_id: auth.org_id,
      provider,
      model: body.model ?? null,
      effective_from: body.effective_from,
      discount: body.discount ?? null,
      rates: body.rates ?? null,
      note: body.note ?? null,
      created_by: auth.user_id,
    });
    return c.json(ruleJson(row), 201);
  })
  .openapi(routes.recomputes, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(await listPage({ limit, cursor }, priceRecomputes.id, 'desc', (k) => listRecomputes(db, orgId, k), recomputeJson), 200);
  })
  .openapi(routes.recompute, async (c) => {
    const { from, to } = c.req.valid('json');
    const auth = c.get('auth');
    const services = c.get('services');
    const book = await loadPriceBook(services.db(), auth.org_id);
    let result;
    try {
      result = await recomputeCosts(services.clickhouse(), auth.org_id, from, to, book);
    } catch (err) {
      if (err instanceof RecomputeTooLarge) throw new ApiError('invalid_request', err.message, { max_calls: MAX_RECOMPUTE_CALLS });
      throw err;
    }
    const row = await logRecompute(services.db(), { id: newId('rcp'), org_id: auth.org_id, requested_by: auth.user_id, from_ts: from, to_ts: to, ...result });
    log('info', 'costs recomputed', { org_id: auth.org_id, recompute_id: row.id, user_id: auth.user_id, from: from.toISOString(), to: to.toISOString(), ...result });
    return c.json(recomputeJson(row), 200);
  });

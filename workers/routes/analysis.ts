// GET /api/analysis/findings: builds the org's workload profile in ClickHouse and runs every optimizer tool
// of the engine over it — the same path the agents use. A signed-in user or an API key with `read`.
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { nanoToUsd } from '../../engine/telemetry/record';
import { analyzeOrg } from '../../db/org-analysis';
import { requireAuth } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { contractRouter, errorsFor, json, userSecurity, undocumented } from '../lib/openapi';
import { isoInstant } from '../lib/time';

const findingsQuery = z
  .object({ from: isoInstant.optional(), to: isoInstant.optional(), source: z.string().min(1).max(200).optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

const level = OPENAPI_DOCUMENT ? z.enum(['low', 'medium', 'high']) : undocumented;
const findingSchema = OPENAPI_DOCUMENT ? z.looseObject({
  tool: z.string(),
  family: z.string(),
  kind: z.string(),
  title: z.string(),
  summary: z.string(),
  where: z
    .object({ provider: z.string(), model: z.string(), feature: z.string(), user: z.string(), prompt_hash: z.string(), group: z.string() })
    .partial()
    .describe('the calls it is about (an empty object: all calls)'),
  calls_affected: z.number(),
  saving_nanousd: z.number().describe('over the analysed window, integer nano-dollars'),
  saving_usd_month: z.number(),
  saving_pct: z.number(),
  latency_effect_ms: z.number().nullable(),
  confidence: level,
  risk: level,
  evidence: z.record(z.string(), z.unknown()),
  recommendation: z.string(),
}) : undocumented;
const findingsAnswer = OPENAPI_DOCUMENT ? z.object({
  window: z.object({ from: z.string(), to: z.string(), days: z.number() }).nullable(),
  totals: z.object({ calls: z.number(), cost_usd: z.number(), input_tokens: z.number(), output_tokens: z.number() }).nullable(),
  findings: z.array(findingSchema),
  combined_saving: z
    .looseObject({
      combined_saving_nanousd: z.number().describe('over the analysed window, integer nano-dollars'),
      naive_sum_nanousd: z.number().describe('the plain sum double counting would have claimed'),
      saving_usd_month: z.number(),
      saving_pct: z.number(),
    })
    .nullable()
    .describe('the findings combined without double counting'),
  message: z.string().optional(),
}) : undocumented;

const findingsRoute = createRoute({
  method: 'get',
  path: '/findings',
  request: { query: findingsQuery },
  ...(OPENAPI_DOCUMENT ? {
    tags: ['analysis'],
    security: userSecurity,
    summary: "The org's workload through every optimizer tool: findings with savings, evidence, confidence and risk",
    responses: { 200: json(findingsAnswer, 'Findings, largest saving first'), ...errorsFor(400, 401, 403, 429, 503) },
  } : undocumented),
});

export const analysisRoutes = contractRouter(requireAuth({ scopes: ['read'] })).openapi(findingsRoute, async (c) => {
  const q = c.req.valid('query');
  let analysis;
  try {
    analysis = await analyzeOrg(c.get('services').clickhouse(), c.get('auth').org_id, { from: q.from?.getTime(), to: q.to?.getTime(), source: q.source });
  } catch {
    throw new ApiError('dependency_unavailable', 'the telemetry store is unavailable; retry shortly');
  }
  if (!analysis) {
    return c.json({ window: null, totals: null, findings: [], combined_saving: null, message: 'no telemetry in this window: send calls to POST /api/ingest/calls or import a file' }, 200);
  }
  const { profile, findings, combined_saving } = analysis;
  return c.json(
    {
      window: { from: new Date(profile.window.from).toISOString(), to: new Date(profile.window.to).toISOString(), days: profile.window.days },
      totals: { calls: profile.totals.calls, cost_usd: nanoToUsd(profile.totals.cost_nanousd), input_tokens: profile.totals.input_tokens, output_tokens: profile.totals.output_tokens },
      findings: [...findings].sort((a, b) => b.saving_nanousd - a.saving_nanousd),
      combined_saving,
    },
    200,
  );
});

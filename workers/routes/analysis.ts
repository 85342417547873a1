// GET /api/analysis/findings: builds the org's workload profile in ClickHouse and runs every optimizer tool
// of the engine over it — the same path the agents use. A signed-in user or an API key with `read`.
import { Hono } from 'hono';
import * as z from 'zod';
import { nanoToUsd } from '../../engine/telemetry/record';
import { analyzeOrg } from '../analysis/org-analysis';
import { requireAuth } from '../auth/middleware';
import { queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/services';
import { isoInstant } from '../lib/time';

const findingsQuery = z
  .object({ from: isoInstant.optional(), to: isoInstant.optional(), source: z.string().min(1).max(200).optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

export const analysisRoutes = new Hono<AppEnv>().use('*', requireAuth({ scopes: ['read'] })).get('/findings', async (c) => {
  const q = queryParams(c, findingsQuery);
  let analysis;
  try {
    analysis = await analyzeOrg(c.get('services').clickhouse(), c.get('auth').org_id, { from: q.from?.getTime(), to: q.to?.getTime(), source: q.source });
  } catch {
    throw new ApiError('dependency_unavailable', 'the telemetry store is unavailable; retry shortly');
  }
  if (!analysis) {
    return c.json({ window: null, totals: null, findings: [], combined_saving: null, message: 'no telemetry in this window: send calls to POST /api/ingest/calls or import a file' });
  }
  const { profile, findings, combined_saving } = analysis;
  return c.json({
    window: { from: new Date(profile.window.from).toISOString(), to: new Date(profile.window.to).toISOString(), days: profile.window.days },
    totals: { calls: profile.totals.calls, cost_usd: nanoToUsd(profile.totals.cost_nanousd), input_tokens: profile.totals.input_tokens, output_tokens: profile.totals.output_tokens },
    findings: [...findings].sort((a, b) => b.saving_nanousd - a.saving_nanousd),
    combined_saving,
  });
});

// POST /api/costs/reconciliation: a provider's billing export (OpenAI costs API JSON, or daily cost per model as
// JSON/CSV) compared with the org's computed costs per day, provider and model; drifts above the tolerance and
// data-quality flags (billed rows without calls, calls without billed rows, non-USD or model-less rows).
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { computedCostsByDay } from '../../db/computed-costs';
import { nanoToUsdExact } from '../../db/analytics';
import { parseBill, reconcile } from '../../engine/catalog/reconcile';
import { csvRows } from '../../engine/telemetry/csv';
import { readLines } from '../../engine/telemetry/lines';
import { requireAuth } from '../auth/middleware';
import { parseJsonText, readBytes } from '../lib/body';
import { ApiError } from '../lib/errors';
import { contractRouterWith, errorsFor, objectAnswer, userSecurity, undocumented } from '../lib/openapi';

const MAX_EXPORT_BYTES = 10 * 1024 * 1024;
const DAY = 86_400_000;

const reconQuery = z.object({
  provider: z.string().min(1).max(100).default('openai'),
  /** Drift allowed per row: the larger of tolerance_usd and tolerance_pct % of the billed amount. */
  tolerance_usd: z.coerce.number().finite().min(0).max(1_000_000).default(0.01),
  tolerance_pct: z.coerce.number().finite().min(0).max(100).default(1),
  format: z.enum(['json', 'csv']).optional(),
});

/** CSV text → records keyed by the (lowercased) header. */
async function csvRecords(text: string): Promise<Record<string, unknown>[]> {
  const lines = readLines(new Response(text).body as ReadableStream<Uint8Array>);
  const out: Record<string, unknown>[] = [];
  let header: string[] | undefined;
  for await (const row of csvRows(lines)) {
    if ('error' in row) throw new ApiError('invalid_request', `CSV line ${row.line}: ${row.error}`);
    if (!header) header = row.fields.map((f) => f.trim().toLowerCase());
    else if (row.fields.some((f) => f.trim() !== '')) out.push(Object.fromEntries(header.map((h, i) => [h, row.fields[i]])));
  }
  return out;
}

const usd = (n: number | null) => (n === null ? null : nanoToUsdExact(n));

const reconciliationRoute = createRoute({
  method: 'post',
  path: '/reconciliation',
  middleware: [requireAuth({ scopes: ['read'] })],
  request: {
    query: reconQuery,
    // Read and parsed by the handler (JSON or CSV, detected): documented, not validated here.
    body: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } },
  },
  ...(OPENAPI_DOCUMENT ? {
    tags: ['costs'],
    security: userSecurity,
    summary: 'A billing export (OpenAI costs API pages, or daily rows date,model,cost_usd as JSON or CSV; 10 MB) against the computed costs per day and model',
    responses: { 200: objectAnswer('Per day and model: billed, computed, drift, the costliest calls, flags'), ...errorsFor(400, 401, 403, 413, 429, 503) },
  } : undocumented),
});

// The export is read by the handler up to MAX_EXPORT_BYTES.
export const costRoutes = contractRouterWith({ bodyLimit: null }).openapi(reconciliationRoute, async (c) => {
  const q = c.req.valid('query');
  const text = new TextDecoder().decode(await readBytes(c, MAX_EXPORT_BYTES)).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ApiError('invalid_request', 'the body is empty: send the billing export (JSON or CSV)');
  const csv = q.format === 'csv' || (q.format === undefined && !/^\s*[[{]/.test(text));
  const bill = parseBill(csv ? await csvRecords(text) : parseJsonText(text), q.provider);
  if (bill.rows.length === 0) {
    throw new ApiError('invalid_request', 'the export has no comparable row (USD cost per day and model)', { issues: bill.issues.slice(0, 20) });
  }
  const days = bill.rows.map((r) => Date.parse(`${r.day}T00:00:00Z`));
  const from = new Date(Math.min(...days));
  const to = new Date(Math.max(...days) + DAY);
  const computed = await computedCostsByDay(c.get('services').clickhouse(), c.get('auth').org_id, from, to);
  const { rows, compared } = reconcile(bill.rows, computed, { usd: q.tolerance_usd, share: q.tolerance_pct / 100 });
  const billedTotal = bill.rows.reduce((s, r) => s + r.billed_nanousd, 0);
  const computedTotal = computed.reduce((s, r) => s + r.computed_nanousd, 0);
  return c.json({
    from: from.toISOString(),
    to: to.toISOString(),
    compared_rows: compared,
    billed_usd: usd(billedTotal),
    computed_usd: usd(computedTotal),
    drift_usd: usd(computedTotal - billedTotal),
    rows: rows.map((r) => ({
      day: r.day,
      provider: r.provider,
      model: r.model,
      billed_usd: usd(r.billed_nanousd),
      computed_usd: usd(r.computed_nanousd),
      drift_usd: usd(r.drift_nanousd),
      drift_pct: r.drift_share === null ? null : Math.round(r.drift_share * 10_000) / 100,
      calls: r.calls,
      flags: r.flags,
      top_calls: r.top_calls.map((t) => ({ request_id: t.request_id, cost_usd: usd(t.cost_nanousd) })),
    })),
    issues: bill.issues.slice(0, 100),
  }, 200);
});

// Tier endpoints of the seeds: public limits per tier, then free (every tier), early/mid (early and up)
// and enterprise endpoints. Thin on purpose: they report what the org's records hold today (zero where a
// feature has recorded nothing yet); the ingestion and agent features enrich them.
import { sql } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { requireAuth, requireTier } from '../auth/middleware';
import { isTier, TIER_DEFINITIONS, TIERS, tierFeatures, tierLimits, type Tier } from '../auth/tiers';
import { orgUsage, usageLines, utcDayStart, utcMonthStart, type OrgUsage } from '../auth/usage';
import { jsonBody } from '../lib/body';
import { ApiError, dependencyUnavailable } from '../lib/errors';
import type { AppEnv } from '../lib/services';
import { realizedSavingsUsd } from '../gateway/savings';

const signedIn = requireAuth({ scopes: ['read'] });
const goal = z.enum(['cost', 'latency', 'quality', 'capacity']);
const sampleBody = z.object({ days: z.number().int().min(1).max(30).default(7) }).strict();
const optimizeBody = z.object({ goal: goal.default('cost') }).strict();
const bulkBody = z.object({ goal: goal.default('cost'), runs: z.number().int().min(1).max(1000) }).strict();

/** Share of a limit at which the free tier is shown an upgrade trigger. */
const TRIGGER_RATIO = 0.8;

const usageOf = (c: Context<AppEnv>) => orgUsage(c.get('services'), c.get('auth').org_id);
const nextTier = (tier: Tier): Tier | null => TIERS[TIERS.indexOf(tier) + 1] ?? null;

/** Runs the org may still start today (tier quota minus runs started). */
function runBudget(tier: Tier, u: OrgUsage) {
  const l = tierLimits(tier);
  return {
    runs_per_day: l.runs_per_day,
    runs_today: u.runs_today,
    runs_remaining_today: Math.max(0, l.runs_per_day - u.runs_today),
    runs_in_flight: u.runs_in_flight,
    concurrent_runs_per_user: l.concurrent_runs,
  };
}

async function modelSample(c: Context<AppEnv>, days: number) {
  try {
    const res = await c.get('services').clickhouse().query({
      query: `SELECT model, count() AS calls, toString(sum(ifNull(cost_nanousd, 0))) AS cost_nanousd
              FROM llm_calls FINAL
              WHERE org_id = {org:String} AND timestamp >= now64(3) - toIntervalDay({days:UInt16})
              GROUP BY model ORDER BY calls DESC LIMIT 10`,
      query_params: { org: c.get('auth').org_id, days },
      format: 'JSONEachRow',
    });
    const rows = await res.json<{ model: string; calls: string; cost_nanousd: string }>();
    return rows.map((r) => ({ model: r.model, calls: Number(r.calls), cost_usd: Number(BigInt(r.cost_nanousd)) / 1e9 }));
  } catch {
    throw dependencyUnavailable('clickhouse', 'telemetry is unavailable right now (clickhouse); retry shortly');
  }
}

async function runStats(c: Context<AppEnv>, since: Date) {
  const r = await c.get('services').db().execute<{ total: number; completed: number; failed: number; p95_s: number | null }>(sql`
    select count(*)::int as total,
           (count(*) filter (where status = 'completed'))::int as completed,
           (count(*) filter (where status = 'failed'))::int as failed,
           (percentile_cont(0.95) within group (order by extract(epoch from completed_at - created_at))
              filter (where completed_at is not null))::float8 as p95_s
    from runs where org_id = ${c.get('auth').org_id} and created_at >= ${since.toISOString()}`);
  return r.rows[0]!;
}

export const tiers = new Hono<AppEnv>()
  .get('/metrics/tier/:tier/limits', (c) => {
    const tier = c.req.param('tier');
    if (!isTier(tier)) throw new ApiError('not_found', `no tier "${tier.slice(0, 40)}"`, { tiers: TIERS });
    return c.json({ ...TIER_DEFINITIONS[tier], features: tierFeatures(tier) });
  })
  // Free tier endpoints: open to every tier.
  .get('/free/demo', signedIn, async (c) => {
    const { tier } = c.get('auth');
    const u = await usageOf(c);
    const features = tierFeatures(tier);
    return c.json({
      tier,
      features,
      locked_features: tierFeatures('enterprise').filter((f) => !features.includes(f)),
      has_telemetry: u.ingested_calls_this_month > 0,
      ingested_calls_this_month: u.ingested_calls_this_month,
    });
  })
  .post('/free/sample-analysis', signedIn, async (c) => {
    const { days } = await jsonBody(c, sampleBody);
    const models = await modelSample(c, days);
    const calls = models.reduce((n, m) => n + m.calls, 0);
    return c.json({ window_days: days, calls, models, has_telemetry: calls > 0 });
  })
  .get('/free/conversion-triggers', signedIn, async (c) => {
    const { tier } = c.get('auth');
    const lines = usageLines(tier, await usageOf(c));
    const triggers = lines.filter((l) => l.used >= l.allowed * TRIGGER_RATIO).map((l) => ({ ...l, ratio: l.used / l.allowed }));
    return c.json({ tier, recommended_tier: triggers.length > 0 ? nextTier(tier) : null, triggers });
  })
  // Usage against the tier's limits: every tier (it is what tells a free org when to upgrade).
  .get('/tier/usage', signedIn, async (c) => {
    const { tier } = c.get('auth');
    const u = await usageOf(c);
    return c.json({
      tier,
      period: { day_start: utcDayStart().toISOString(), month_start: utcMonthStart().toISOString() },
      usage: usageLines(tier, u),
      runs: runBudget(tier, u),
      limits: tierLimits(tier),
    });
  })
  // Early and mid tier endpoints.
  .post('/tier/optimize', signedIn, requireTier('early'), async (c) => {
    const body = await jsonBody(c, optimizeBody);
    const { tier } = c.get('auth');
    return c.json({ tier, goal: body.goal, suite: tierFeatures(tier), ...runBudget(tier, await usageOf(c)) });
  })
  .get('/tier/savings-report', signedIn, requireTier('early'), async (c) => {
    const from = utcMonthStart();
    const [stats, realized] = await Promise.all([runStats(c, from), realizedSavingsUsd(c.get('services').db(), c.get('auth').org_id, from)]);
    // Realized savings come from the gateway's savings ledger (see GET /api/metrics/savings/summary), never estimates.
    return c.json({
      period: { from: from.toISOString(), to: new Date().toISOString() },
      completed_runs: stats.completed,
      realized_savings_usd: realized,
    });
  })
  // Enterprise endpoints.
  .get('/enterprise/custom-integrations', signedIn, requireTier('enterprise'), async (c) => {
    const r = await c.get('services').db().execute<{ scope: string; keys: number }>(sql`
      select unnest(scopes) as scope, count(*)::int as keys
      from api_keys where org_id = ${c.get('auth').org_id} and revoked_at is null group by 1 order by 1`);
    return c.json({
      integrations: ['rest_batch_ingest', 'file_import', 'otlp_http', 'openai_compatible_gateway'],
      api_keys_by_scope: Object.fromEntries(r.rows.map((row) => [row.scope, row.keys])),
    });
  })
  .post('/enterprise/bulk-optimization', signedIn, requireTier('enterprise'), async (c) => {
    const body = await jsonBody(c, bulkBody);
    const budget = runBudget(c.get('auth').tier, await usageOf(c));
    return c.json({ goal: body.goal, runs_requested: body.runs, runs_available: Math.min(body.runs, budget.runs_remaining_today), ...budget });
  })
  .get('/enterprise/sla-compliance', signedIn, requireTier('enterprise'), async (c) => {
    const since = new Date(Date.now() - 30 * 24 * 3600_000);
    const s = await runStats(c, since);
    const finished = s.completed + s.failed;
    return c.json({
      window: { from: since.toISOString(), to: new Date().toISOString() },
      runs: s.total,
      completed: s.completed,
      failed: s.failed,
      success_rate: finished > 0 ? s.completed / finished : null,
      p95_run_seconds: s.p95_s,
    });
  })
  .get('/enterprise/dedicated-support', signedIn, requireTier('enterprise'), async (c) => {
    const r = await c.get('services').db().execute<{ id: string; email: string; name: string | null }>(sql`
      select id, email, name from users where org_id = ${c.get('auth').org_id} and role = 'owner' order by id`);
    return c.json({ channel: 'dedicated', first_response_target_hours: 4, org_contacts: r.rows });
  });

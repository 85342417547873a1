// Tier endpoints of the seeds: public limits per tier, then free (every tier), early/mid (early and up)
// and enterprise endpoints. Thin on purpose: they report what the org's records hold today (zero where a
// feature has recorded nothing yet); the ingestion and agent features enrich them.
import { createRoute } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import * as z from 'zod';
import { requireAuth, requireTier } from '../auth/middleware';
import { isTier, TIER_DEFINITIONS, TIERS, tierFeatures, tierLimits, type Tier } from '../../engine/tiers';
import { orgUsage, usageLines, utcDayStart, utcMonthStart, type OrgUsage } from '../auth/usage';
import { ApiError, dependencyUnavailable } from '../lib/errors';
import { contractRouterWith, errorsFor, json, jsonBody, limitBody, userSecurity, undocumented } from '../lib/openapi';
import type { AppEnv } from '../lib/services';
import { realizedSavingsUsd } from '../../db/savings';
import { GOAL_QUESTIONS, startOptimizationRuns } from '../optimization/runs';
import type { Refusal } from '../../durable-objects/supervisor/run-manager';

const signedIn = requireAuth({ scopes: ['read'] });
// Runs belong to a person (quota and concurrency are per user): the run-starting routes take no API key.
const userOnly = requireAuth({ allowKeys: false });
const goal = z.enum(['cost', 'latency', 'quality', 'capacity']);
const sampleBody = z.object({ days: z.number().int().min(1).max(30).default(7) }).strict();
const optimizeBody = z.object({ goal: goal.default('cost') }).strict();
const bulkBody = z.object({ goal: goal.default('cost'), runs: z.number().int().min(1).max(1000) }).strict();

/** Share of a limit at which the free tier is shown an upgrade trigger. */
const TRIGGER_RATIO = 0.8;

const usageOf = (c: Context<AppEnv>) => orgUsage(c.get('services'), c.get('auth').org_id);
const nextTier = (tier: Tier): Tier | null => TIERS[TIERS.indexOf(tier) + 1] ?? null;

/** Runs the org may still start today (tier quota minus runs started), counting `starting` runs just started here. */
function runBudget(tier: Tier, u: OrgUsage, starting = 0) {
  const l = tierLimits(tier);
  const today = u.runs_today + starting;
  return {
    runs_per_day: l.runs_per_day,
    runs_today: today,
    runs_remaining_today: Math.max(0, l.runs_per_day - today),
    runs_in_flight: u.runs_in_flight + starting,
    concurrent_runs_per_user: l.concurrent_runs,
  };
}

/** A run the ThreadAgent refused, as the API's error: quota and concurrency are 429, a store down 503. */
function refusalError(r: Refusal): ApiError {
  if (r.code === 'dependency_unavailable') return dependencyUnavailable('redis', r.message);
  if (r.code === 'daily_limit' || r.code === 'concurrency_limit') return new ApiError('rate_limited', r.message, { reason: r.code, ...r.details });
  return new ApiError('conflict', r.message, { reason: r.code, ...r.details });
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

const tags = ['tiers'];
const security = userSecurity;
const usageLine = OPENAPI_DOCUMENT ? z.object({ limit: z.string(), used: z.number(), allowed: z.number() }) : undocumented;
const runBudgetShape = OPENAPI_DOCUMENT ? {
  runs_per_day: z.number(),
  runs_today: z.number(),
  runs_remaining_today: z.number(),
  runs_in_flight: z.number(),
  concurrent_runs_per_user: z.number(),
} : undocumented;
const startedRun = OPENAPI_DOCUMENT ? z.object({ thread_id: z.string(), run_id: z.string() }) : undocumented;
const refusalSchema = OPENAPI_DOCUMENT ? z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) : undocumented;
const limitsSchema = OPENAPI_DOCUMENT ? z.record(z.string(), z.number()).describe('the tier limits (runs_per_day, seats, api_keys, …)') : undocumented;
const period = OPENAPI_DOCUMENT ? z.object({ from: z.string(), to: z.string() }) : undocumented;
const signedInRoute = { tags, security, middleware: [signedIn] };
const earlyRoute = { tags, security, middleware: [signedIn, requireTier('early')] };
const enterpriseRoute = { tags, security, middleware: [signedIn, requireTier('enterprise')] };

const routes = {
  limits: createRoute({
    method: 'get',
    path: '/metrics/tier/{tier}/limits',
    request: { params: z.object({ tier: z.string().max(100).describe(`one of ${TIERS.join(', ')}`) }) },
    ...(OPENAPI_DOCUMENT ? {
      tags,
      summary: "A tier's definition, limits and features (public)",
      responses: {
        200: json(z.looseObject({ tier: z.enum(TIERS), pricing: z.string(), limits: limitsSchema, features: z.array(z.string()) }), 'The tier'),
        ...errorsFor(404),
      },
    } : undocumented),
  }),
  demo: createRoute({
    ...signedInRoute,
    method: 'get',
    path: '/free/demo',
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's tier, its features and those it lacks",
      responses: {
        200: json(z.object({ tier: z.enum(TIERS), features: z.array(z.string()), locked_features: z.array(z.string()), has_telemetry: z.boolean(), ingested_calls_this_month: z.number() }), 'Features'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
  sample: createRoute({
    method: 'post',
    path: '/free/sample-analysis',
    middleware: [signedIn, limitBody()] as const,
    request: { body: jsonBody(sampleBody) },
    ...(OPENAPI_DOCUMENT ? {
      tags,
      security,
      summary: 'Calls and cost per model over the last days (top 10 models)',
      responses: {
        200: json(z.object({ window_days: z.number(), calls: z.number(), models: z.array(z.object({ model: z.string(), calls: z.number(), cost_usd: z.number() })), has_telemetry: z.boolean() }), 'The sample'),
        ...errorsFor(400, 401, 403, 429, 503),
      },
    } : undocumented),
  }),
  triggers: createRoute({
    ...signedInRoute,
    method: 'get',
    path: '/free/conversion-triggers',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Limits used at 80 % or more, and the tier to move to',
      responses: {
        200: json(z.object({ tier: z.enum(TIERS), recommended_tier: z.enum(TIERS).nullable(), triggers: z.array(usageLine.extend({ ratio: z.number() })) }), 'Triggers'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
  usage: createRoute({
    ...signedInRoute,
    method: 'get',
    path: '/tier/usage',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Usage of every limit this day and month (every tier)',
      responses: {
        200: json(z.object({ tier: z.enum(TIERS), period: z.object({ day_start: z.string(), month_start: z.string() }), usage: z.array(usageLine), runs: z.object(runBudgetShape), limits: limitsSchema }), 'Usage'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
  optimize: createRoute({
    method: 'post',
    path: '/tier/optimize',
    middleware: [userOnly, requireTier('early'), limitBody()] as const,
    request: { body: jsonBody(optimizeBody) },
    ...(OPENAPI_DOCUMENT ? {
      tags,
      security,
      summary: "Starts an agent run for the goal in a new thread (early tier and up, signed-in users): follow it on the thread's WebSocket or GET /api/agent/status/{run_id}",
      responses: {
        202: json(z.object({ tier: z.enum(TIERS), goal: goal, question: z.string(), suite: z.array(z.string()), ...startedRun.shape, ...runBudgetShape }), 'The run started; the budget counts it'),
        ...errorsFor(400, 401, 403, 429, 503),
      },
    } : undocumented),
  }),
  savings: createRoute({
    ...earlyRoute,
    method: 'get',
    path: '/tier/savings-report',
    ...(OPENAPI_DOCUMENT ? {
      summary: "This month's completed runs and realized savings (early tier and up)",
      responses: { 200: json(z.object({ period, completed_runs: z.number(), realized_savings_usd: z.number() }), 'The report'), ...errorsFor(401, 403, 429) },
    } : undocumented),
  }),
  integrations: createRoute({
    ...enterpriseRoute,
    method: 'get',
    path: '/enterprise/custom-integrations',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Integrations and active API keys per scope (enterprise)',
      responses: { 200: json(z.object({ integrations: z.array(z.string()), api_keys_by_scope: z.record(z.string(), z.number()) }), 'Integrations'), ...errorsFor(401, 403, 429) },
    } : undocumented),
  }),
  bulk: createRoute({
    method: 'post',
    path: '/enterprise/bulk-optimization',
    middleware: [userOnly, requireTier('enterprise'), limitBody()] as const,
    request: { body: jsonBody(bulkBody) },
    ...(OPENAPI_DOCUMENT ? {
      tags,
      security,
      summary: "Starts up to `runs` agent runs for the goal, one new thread each, as far as today's quota and the concurrent runs per user allow (enterprise, signed-in users)",
      responses: {
        202: json(
          z.object({
            goal,
            question: z.string(),
            runs_requested: z.number(),
            runs_available: z.number().describe("what today's quota allowed before these runs"),
            started: z.array(startedRun),
            refused: refusalSchema.nullable().describe('why the next run was not started (daily_limit, concurrency_limit, …); null when all started'),
            ...runBudgetShape,
          }),
          'The runs started; the budget counts them',
        ),
        ...errorsFor(400, 401, 403, 429),
      },
    } : undocumented),
  }),
  sla: createRoute({
    ...enterpriseRoute,
    method: 'get',
    path: '/enterprise/sla-compliance',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Agent runs of the last 30 days: success rate and p95 duration (enterprise)',
      responses: {
        200: json(z.object({ window: period, runs: z.number(), completed: z.number(), failed: z.number(), success_rate: z.number().nullable(), p95_run_seconds: z.number().nullable() }), 'SLA figures'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
  support: createRoute({
    ...enterpriseRoute,
    method: 'get',
    path: '/enterprise/dedicated-support',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'The support channel and the org owners to contact (enterprise)',
      responses: {
        200: json(z.object({ channel: z.string(), first_response_target_hours: z.number(), org_contacts: z.array(z.object({ id: z.string(), email: z.string(), name: z.string().nullable() })) }), 'Support'),
        ...errorsFor(401, 403, 429),
      },
    } : undocumented),
  }),
};

// Mounted at /api: middleware per route, never router-wide.
export const tiers = contractRouterWith({ bodyLimit: null })
  .openapi(routes.limits, (c) => {
    const { tier } = c.req.valid('param');
    if (!isTier(tier)) throw new ApiError('not_found', `no tier "${tier.slice(0, 40)}"`, { tiers: TIERS });
    return c.json({ ...TIER_DEFINITIONS[tier], features: tierFeatures(tier) }, 200);
  })
  // Free tier endpoints: open to every tier.
  .openapi(routes.demo, async (c) => {
    const { tier } = c.get('auth');
    const u = await usageOf(c);
    const features = tierFeatures(tier);
    return c.json({
      tier,
      features,
      locked_features: tierFeatures('enterprise').filter((f) => !features.includes(f)),
      has_telemetry: u.ingested_calls_this_month > 0,
      ingested_calls_this_month: u.ingested_calls_this_month,
    }, 200);
  })
  .openapi(routes.sample, async (c) => {
    const { days } = c.req.valid('json');
    const models = await modelSample(c, days);
    const calls = models.reduce((n, m) => n + m.calls, 0);
    return c.json({ window_days: days, calls, models, has_telemetry: calls > 0 }, 200);
  })
  .openapi(routes.triggers, async (c) => {
    const { tier } = c.get('auth');
    const lines = usageLines(tier, await usageOf(c));
    const triggers = lines.filter((l) => l.used >= l.allowed * TRIGGER_RATIO).map((l) => ({ ...l, ratio: l.used / l.allowed }));
    return c.json({ tier, recommended_tier: triggers.length > 0 ? nextTier(tier) : null, triggers }, 200);
  })
  // Usage against the tier's limits: every tier (it is what tells a free org when to upgrade).
  .openapi(routes.usage, async (c) => {
    const { tier } = c.get('auth');
    const u = await usageOf(c);
    return c.json({
      tier,
      period: { day_start: utcDayStart().toISOString(), month_start: utcMonthStart().toISOString() },
      usage: usageLines(tier, u),
      runs: runBudget(tier, u),
      limits: tierLimits(tier),
    }, 200);
  })
  .openapi(routes.optimize, async (c) => {
    const { goal } = c.req.valid('json');
    const auth = c.get('auth');
    const before = await usageOf(c);
    const { started, refused } = await startOptimizationRuns(c.env, c.get('services').db(), auth, goal, 1);
    const run = started[0];
    if (!run) throw refusalError(refused!);
    return c.json({ tier: auth.tier, goal, question: GOAL_QUESTIONS[goal], suite: tierFeatures(auth.tier), ...run, ...runBudget(auth.tier, before, 1) }, 202);
  })
  .openapi(routes.savings, async (c) => {
    const from = utcMonthStart();
    const [stats, realized] = await Promise.all([runStats(c, from), realizedSavingsUsd(c.get('services').db(), c.get('auth').org_id, from)]);
    // Realized savings come from the gateway's savings ledger (see GET /api/metrics/savings/summary), never estimates.
    return c.json({
      period: { from: from.toISOString(), to: new Date().toISOString() },
      completed_runs: stats.completed,
      realized_savings_usd: realized,
    }, 200);
  })
  // Enterprise endpoints.
  .openapi(routes.integrations, async (c) => {
    const r = await c.get('services').db().execute<{ scope: string; keys: number }>(sql`
      select unnest(scopes) as scope, count(*)::int as keys
      from api_keys where org_id = ${c.get('auth').org_id} and revoked_at is null group by 1 order by 1`);
    return c.json({
      integrations: ['rest_batch_ingest', 'file_import', 'otlp_http', 'openai_compatible_gateway'],
      api_keys_by_scope: Object.fromEntries(r.rows.map((row) => [row.scope, row.keys])),
    }, 200);
  })
  .openapi(routes.bulk, async (c) => {
    const body = c.req.valid('json');
    const auth = c.get('auth');
    const before = await usageOf(c);
    const available = Math.min(body.runs, runBudget(auth.tier, before).runs_remaining_today);
    const { started, refused } = await startOptimizationRuns(c.env, c.get('services').db(), auth, body.goal, available);
    return c.json(
      { goal: body.goal, question: GOAL_QUESTIONS[body.goal], runs_requested: body.runs, runs_available: available, started, refused, ...runBudget(auth.tier, before, started.length) },
      202,
    );
  })
  .openapi(routes.sla, async (c) => {
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
    }, 200);
  })
  .openapi(routes.support, async (c) => {
    const r = await c.get('services').db().execute<{ id: string; email: string; name: string | null }>(sql`
      select id, email, name from users where org_id = ${c.get('auth').org_id} and role = 'owner' order by id`);
    return c.json({ channel: 'dedicated', first_response_target_hours: 4, org_contacts: r.rows }, 200);
  });

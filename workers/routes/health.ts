// Liveness (no I/O), readiness (every store answers), dependency details, Prometheus metrics.
import { sql } from 'drizzle-orm';
import * as z from 'zod';
import { requireUser } from '../auth/middleware';
import { renderPrometheus } from '../lib/metrics';
import { contractRouterWith, errorsFor, errorSchema, json, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import type { Services } from '../lib/services';

const CHECK_TIMEOUT_MS = 3_000;

type Dependency = 'postgres' | 'clickhouse' | 'redis';

interface Check {
  status: 'ok' | 'error';
  latency_ms: number;
  version?: string;
  error?: 'timeout' | 'unreachable';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);
}

const probes: Record<Dependency, (s: Services) => Promise<string>> = {
  async postgres(s) {
    const r = await s.db().execute<{ v: string }>(sql`select current_setting('server_version') as v`);
    return String(r.rows[0]?.v ?? '');
  },
  async clickhouse(s) {
    const r = await s.clickhouse().query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const rows = await r.json<{ v: string }>();
    return rows[0]?.v ?? '';
  },
  async redis(s) {
    const pong = await s.redis().ping();
    if (pong !== 'PONG') throw new Error(`unexpected ping reply ${pong}`);
    return 'upstash-rest';
  },
};

async function check(dep: Dependency, s: Services): Promise<Check> {
  const started = performance.now();
  try {
    const version = await withTimeout(probes[dep](s), CHECK_TIMEOUT_MS);
    return { status: 'ok', latency_ms: round(performance.now() - started), version };
  } catch (err) {
    // Only the class of failure: driver messages can carry hostnames or credentials.
    const error = err instanceof Error && /no answer within/.test(err.message) ? 'timeout' : 'unreachable';
    return { status: 'error', latency_ms: round(performance.now() - started), error };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function checkAll(s: Services): Promise<Record<Dependency, Check>> {
  const deps: Dependency[] = ['postgres', 'clickhouse', 'redis'];
  const results = await Promise.all(deps.map((d) => check(d, s)));
  return Object.fromEntries(deps.map((d, i) => [d, results[i]!])) as Record<Dependency, Check>;
}

const dependencyNames = OPENAPI_DOCUMENT ? z.enum(['postgres', 'clickhouse', 'redis']) : undocumented;
const brief = OPENAPI_DOCUMENT ? z.object({ status: z.enum(['ok', 'error']), latency_ms: z.number() }) : undocumented;
const checkSchema = OPENAPI_DOCUMENT ? brief.extend({ version: z.string().optional(), error: z.enum(['timeout', 'unreachable']).optional() }) : undocumented;

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['health'] } : undocumented);
const routes = {
  live: route({
    method: 'get',
    path: '/health',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Liveness (no I/O)',
      responses: { 200: json(z.object({ status: z.literal('ok'), service: z.string(), environment: z.string() }), 'Alive') },
    } : undocumented),
  }),
  ready: route({
    method: 'get',
    path: '/health/ready',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Readiness: 200 only when Postgres, ClickHouse and Redis answer',
      responses: {
        200: json(z.object({ status: z.literal('ready'), dependencies: z.record(dependencyNames, brief) }), 'Every store answers'),
        503: json(z.object({ status: z.literal('not_ready'), dependencies: z.record(dependencyNames, brief), error: errorSchema.shape.error }), 'A store does not answer (named in details.failed)'),
      },
    } : undocumented),
  }),
  dependencies: route({
    method: 'get',
    path: '/health/dependencies',
    middleware: [requireUser()] as const,
    ...(OPENAPI_DOCUMENT ? {
      security: userSecurity,
      summary: 'Versions and latencies of the stores (signed-in users)',
      responses: {
        200: json(z.object({ environment: z.string(), dependencies: z.record(dependencyNames, checkSchema), checked_at: z.string() }), 'Each store'),
        ...errorsFor(401, 429),
      },
    } : undocumented),
  }),
  metrics: route({
    method: 'get',
    path: '/api/metrics',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Prometheus metrics of this isolate (text exposition format)',
      responses: { 200: { description: 'Prometheus text', content: { 'text/plain': { schema: z.string() } } } },
    } : undocumented),
  }),
};

// Mounted at `/`: no router-wide middleware (it would reach every route of the app).
export const health = contractRouterWith({ bodyLimit: null })
  .openapi(routes.live, (c) => c.json({ status: 'ok' as const, service: 'netra-apex', environment: c.env.ENVIRONMENT }, 200))
  .openapi(routes.ready, async (c) => {
    const checks = await checkAll(c.get('services'));
    const failed = Object.entries(checks).filter(([, v]) => v.status !== 'ok').map(([k]) => k);
    const dependencies = Object.fromEntries(
      Object.entries(checks).map(([k, v]) => [k, { status: v.status, latency_ms: v.latency_ms }]),
    ) as Record<Dependency, z.infer<typeof brief>>;
    if (failed.length === 0) return c.json({ status: 'ready' as const, dependencies }, 200);
    return c.json(
      {
        status: 'not_ready' as const,
        dependencies,
        error: {
          code: 'dependency_unavailable',
          message: `not ready: ${failed.join(', ')} unavailable`,
          details: { failed },
          request_id: c.get('requestId'),
        },
      },
      503,
    );
  })
  // Versions tell an attacker which advisories apply: signed-in users only.
  .openapi(routes.dependencies, async (c) => {
    const checks = await checkAll(c.get('services'));
    return c.json({ environment: c.env.ENVIRONMENT, dependencies: checks, checked_at: new Date().toISOString() }, 200);
  })
  .openapi(routes.metrics, (c) => c.text(renderPrometheus(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

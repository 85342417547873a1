// Liveness (no I/O), readiness (every store answers), dependency details, Prometheus metrics.
import { Hono } from 'hono';
import { requireUser } from '../auth/middleware';
import { renderPrometheus } from '../lib/metrics';
import type { AppEnv, Services } from '../lib/services';
import { sql } from 'drizzle-orm';

const CHECK_TIMEOUT_MS = 3_000;

type Dependency = 'postgres' | 'clickhouse' | 'redis';

interface Check {
  status: 'ok' | 'error';
  latency_ms: number;
  version?: string;
  error?: string;
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

export const health = new Hono<AppEnv>()
  .get('/health', (c) => c.json({ status: 'ok', service: 'netra-apex', environment: c.env.ENVIRONMENT }))
  .get('/health/ready', async (c) => {
    const checks = await checkAll(c.get('services'));
    const failed = Object.entries(checks).filter(([, v]) => v.status !== 'ok').map(([k]) => k);
    const dependencies = Object.fromEntries(
      Object.entries(checks).map(([k, v]) => [k, { status: v.status, latency_ms: v.latency_ms }]),
    );
    if (failed.length === 0) return c.json({ status: 'ready', dependencies });
    return c.json(
      {
        status: 'not_ready',
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
  .get('/health/dependencies', requireUser(), async (c) => {
    const checks = await checkAll(c.get('services'));
    return c.json({ environment: c.env.ENVIRONMENT, dependencies: checks, checked_at: new Date().toISOString() });
  })
  .get('/api/metrics', (c) => c.text(renderPrometheus(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

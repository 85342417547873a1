// Ingestion and analytics under `wrangler dev --local` against the local stack (bench/lib/app.ts):
//  - end to end: CALLS calls POSTed to /api/ingest/calls in NDJSON batches of BATCH (CONCURRENCY in flight),
//    timed until all of them are countable in `llm_calls FINAL` (validation, IngestBuffer DO, alarm flush);
//  - raw: the same number of rows, already built, inserted straight into the same ClickHouse in blocks of
//    BATCH (a client writing its own batches to ClickHouse), in the same run; the ratio end-to-end / raw is
//    the platform's cost (the buffer may coalesce several batches into one larger insert);
//  - analytics: the org is filled up to ANALYTICS_ROWS rows, then each /api/analytics endpoint is timed.
// Run: npx tsx bench/ingest.ts [--calls 100000] [--rows 1000000]  (or npm run bench -- ingest).
// Last line: {"bench":"ingest","calls":…,"e2e_calls_per_s":…,"raw_calls_per_s":…,"e2e_vs_raw":…,…}.
import { createClient } from '@clickhouse/client-web';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { insertRows, toCallRow, type LlmCallRow } from '../db/telemetry-writer';
import { normalizeCall } from '../engine/telemetry/normalize';
import { startApp, type RunningApp } from './lib/app';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const CALLS = arg('calls', 100_000);
const ANALYTICS_ROWS = arg('rows', 1_000_000);
const BATCH = 5_000;
const CONCURRENCY = 4;
const ANALYTICS_RUNS = 5;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-haiku-4-5', 'gemini-2.0-flash'];
const T0 = Date.parse('2026-10-01T00:00:00Z');

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Call i of a workload spread over 30 days, 4 models, 8 features, 50 users. */
function record(prefix: string, i: number) {
  return {
    request_id: `${prefix}-${i}`,
    timestamp: new Date(T0 + ((i * 2_591) % (30 * 86_400)) * 1000).toISOString(),
    model: MODELS[i % MODELS.length]!,
    feature: `feature-${i % 8}`,
    user: `user-${i % 50}`,
    input_tokens: 200 + ((i * 37) % 8_000),
    output_tokens: 20 + ((i * 13) % 900),
    cached_input_tokens: i % 5 === 0 ? 100 : 0,
    latency_ms: 150 + ((i * 53) % 6_000),
    ttft_ms: 40 + ((i * 17) % 700),
    status: i % 41 === 0 ? '429' : 'ok',
  };
}

/** The rows the buffer would write for those calls (normalized and priced here, before any timing). */
function rows(orgId: string, prefix: string, from: number, count: number): LlmCallRow[] {
  const ctx = { source: 'bench', now_ms: Date.now(), future_tolerance_ms: 300_000 };
  return Array.from({ length: count }, (_, k) => {
    const r = normalizeCall(record(prefix, from + k), ctx);
    if (!r.ok) throw new Error(r.reason);
    return toCallRow(r.call, { org_id: orgId, retention_days: 365, api_key_id: null, ingested_at: Date.now() });
  });
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** An enterprise org (no monthly limit in the way) with an ingest+read API key. */
async function tenant(app: RunningApp): Promise<{ orgId: string; key: string }> {
  const email = `bench-${Date.now()}@example.test`;
  const reg = await json<{ org: { id: string }; access_token: string }>(
    // A client IP of its own: the bench's Redis outlives a run, and registrations are rate limited per IP.
    await fetch(`${app.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': `10.9.${randomInt(250)}.${randomInt(250)}` }, body: JSON.stringify({ email, password: `pw-${crypto.randomUUID()}` }) }),
    'register',
  );
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  await db.query("update orgs set tier = 'enterprise' where id = $1", [reg.org.id]).finally(() => db.end());
  const key = await json<{ key: string }>(
    await fetch(`${app.url}/api/keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.access_token}` }, body: JSON.stringify({ name: 'bench', scopes: ['ingest', 'read'] }) }),
    'create key',
  );
  return { orgId: reg.org.id, key: key.key };
}

/** The app's ClickHouse, as its env file names it (bench/lib/app.ts writes bench.env in the app's temp dir). */
function clickhouseUrl(app: RunningApp): string {
  const line = readFileSync(join(app.dir, 'bench.env'), 'utf8').split('\n').find((l) => l.startsWith('CLICKHOUSE_URL='));
  if (!line) throw new Error('CLICKHOUSE_URL not found in the bench app env file');
  return line.slice('CLICKHOUSE_URL='.length);
}

async function main(): Promise<void> {
  console.log(`starting the local stack and wrangler dev…`);
  const app = await startApp();
  const ch = createClient({ url: clickhouseUrl(app), clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  /** Rows of the org in llm_calls FINAL whose request id starts with `prefix` ('' = all). */
  const count = async (orgId: string, prefix: string) => {
    const rs = await ch.query({ query: 'SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String} AND startsWith(request_id, {p:String})', query_params: { org: orgId, p: prefix }, format: 'JSONEachRow' });
    return Number((await rs.json<{ n: number }>())[0]?.n ?? 0);
  };
  try {
    const { orgId, key } = await tenant(app);

    // End to end through the Worker.
    const bodies = Array.from({ length: Math.ceil(CALLS / BATCH) }, (_, b) =>
      Array.from({ length: Math.min(BATCH, CALLS - b * BATCH) }, (_, k) => JSON.stringify(record('e2e', b * BATCH + k))).join('\n'),
    );
    const started = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${app.url}/api/ingest/calls`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, body });
        const out = await json<{ accepted: number }>(res, 'ingest batch');
        if (out.accepted !== body.split('\n').length) throw new Error(`batch accepted ${out.accepted}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const acceptedS = (performance.now() - started) / 1000;
    while ((await count(orgId, 'e2e-')) < CALLS) await new Promise((r) => setTimeout(r, 100));
    const e2eS = (performance.now() - started) / 1000;
    console.log(`end to end: ${CALLS} calls accepted (202) in ${round(acceptedS, 2)} s, all in llm_calls FINAL after ${round(e2eS, 2)} s`);

    // Raw inserts of the same number of rows, built beforehand.
    const raw = rows(orgId, 'raw', 0, CALLS);
    const rawStarted = performance.now();
    for (let i = 0; i < raw.length; i += BATCH) await insertRows(ch, 'llm_calls', raw.slice(i, i + BATCH));
    const rawS = (performance.now() - rawStarted) / 1000;
    if ((await count(orgId, 'raw-')) !== CALLS) throw new Error('raw rows missing');
    console.log(`raw ClickHouse inserts: ${CALLS} rows in ${round(rawS, 2)} s`);

    // Fill the org up to ANALYTICS_ROWS rows, then time the analytics endpoints.
    // (Block by block: building many rows at once would stall the event loop past the adapter's keep-alive timeout.)
    for (let from = 0; from < ANALYTICS_ROWS - 2 * CALLS; from += BATCH) {
      await insertRows(ch, 'llm_calls', rows(orgId, 'fill', from, Math.min(BATCH, ANALYTICS_ROWS - 2 * CALLS - from)));
    }
    const total = await count(orgId, '');
    const endpoints: Record<string, string> = {
      summary: '/api/analytics/summary',
      timeseries_hour_cost: '/api/analytics/timeseries?bucket=hour&metric=cost',
      breakdown_model: '/api/analytics/breakdown?by=model',
      breakdown_user: '/api/analytics/breakdown?by=user',
      latency: '/api/analytics/latency',
    };
    const analyticsMs: Record<string, number> = {};
    for (const [name, path] of Object.entries(endpoints)) {
      const times: number[] = [];
      for (let run = 0; run <= ANALYTICS_RUNS; run++) {
        const t = performance.now();
        await json(await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${key}` } }), name);
        if (run > 0) times.push(performance.now() - t); // run 0 warms up
      }
      analyticsMs[name] = round(median(times));
      console.log(`GET ${path} over ${total} rows: median ${analyticsMs[name]} ms (${ANALYTICS_RUNS} runs)`);
    }

    const e2e = CALLS / e2eS;
    const rawRate = CALLS / rawS;
    console.log(
      JSON.stringify({
        bench: 'ingest',
        calls: CALLS,
        batch: BATCH,
        concurrency: CONCURRENCY,
        accepted_calls_per_s: Math.round(CALLS / acceptedS),
        e2e_calls_per_s: Math.round(e2e),
        raw_calls_per_s: Math.round(rawRate),
        e2e_vs_raw: round(e2e / rawRate, 3),
        analytics_rows: total,
        analytics_median_ms: analyticsMs,
      }),
    );
  } finally {
    await ch.close();
    await app.stop();
  }
}

await main();

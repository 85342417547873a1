// Gateway overhead: POST /v1/chat/completions through the app (real local stack, an API key with the gateway
// scope, the org's provider key pointing at the local fake upstream) versus the same request sent to the fake
// upstream directly, and versus Portkey's open-source gateway (@portkey-ai/gateway, its Node server) in front
// of the same upstream. The app runs as in production, its bundle on workerd through Miniflare's API with no
// dev proxy in front (bench/lib/workerd-app.ts); GATEWAY_RUNTIME=wrangler runs it under `wrangler dev` instead
// (bench/lib/app.ts). Both gateways are measured the same way: one client (Node's fetch, keep-alive) talks to
// the gateway's own socket — workerd's socket of the Worker (no Miniflare entry worker, no assets layer) /
// Portkey's Node server (--headless) — and the gateway talks to the same upstream over its own runtime's
// fetch. What each side includes: ours, the whole app as deployed (request id, access log, CORS, API-key
// check, rate limit, the org's gateway config, the policy, the upstream call, the answer re-shaped, the call
// recorded through ingestion in the background); Portkey's, its request handling with no config (provider and
// host from headers, the upstream key passed through: no auth, no limit, no logging store). Sequential
// interleaved rounds (direct, gateway, portkey, …): per round the p50 and p99 of each side, then the median
// over rounds; added latency (side − direct) and ratios, ours against Portkey's. Then throughput at rising
// concurrency for all three, and the CPU each gateway call costs the app (workerd; under wrangler dev:
// wrangler + its workerds) and the local stack (the Redis/ClickHouse/Postgres adapters, chdb), which share
// this machine's cores with the client, the upstream and Portkey. Two more sides split the added latency:
// GET /health (the runtime with no I/O) and an authenticated gateway request refused before any upstream
// (invalid JSON → 400 after the API-key look-up and the rate limit), so gateway_own_ms = gateway − auth_only −
// direct is the gateway's own share. Last, a short probe of the other runtime's floor: the same bundle's
// /health there, interleaved with direct calls and this app's /health.
// Run: npm run bench -- gateway. Last line: {"bench":"gateway",…}.
import pg from 'pg';
import { startFakeLlm } from '../test/support/fake-llm';
import { startApp } from './lib/app';
import { startPortkey } from './lib/portkey';
import { startFloor, startWorkerdApp, type Runtime, type ServedApp } from './lib/workerd-app';

const ROUNDS = Number(process.env.GATEWAY_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.GATEWAY_PER_ROUND ?? 25);
const CONCURRENCY = [1, 4, 16];
const PER_LEVEL = 64;
const RUNTIME: Runtime = process.env.GATEWAY_RUNTIME === 'wrangler' ? 'wrangler' : 'workerd';
const FLOOR_ROUNDS = 5;

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

async function timed(send: () => Promise<Response>, expect = 200): Promise<number> {
  const t = performance.now();
  const res = await send();
  await res.arrayBuffer();
  if (res.status !== expect) throw new Error(`request failed: ${res.status}`);
  return performance.now() - t;
}

async function throughput(send: () => Promise<Response>, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < PER_LEVEL) await timed(send);
    }),
  );
  return round(PER_LEVEL / ((performance.now() - started) / 1000), 1);
}

export default async function main(): Promise<void> {
  const fake = await startFakeLlm();
  const portkey = await startPortkey();
  const start = async (): Promise<ServedApp> => (RUNTIME === 'workerd' ? startWorkerdApp() : { ...(await startApp()), runtime: 'wrangler' });
  const app = await start().catch(async (err: unknown) => {
    await portkey.stop();
    throw err;
  });
  try {
    const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    // The client's own address (a TEST-NET-2 one): sign-ups are limited per client IP, and workerd's own socket
    // sets no CF-Connecting-IP.
    const clientIp = { 'cf-connecting-ip': `198.51.100.${1 + (process.pid % 254)}` };
    const reg = await fetch(`${app.url}/api/auth/register`, json({ email: `bench-${Date.now()}@example.test`, password: `pw-${crypto.randomUUID()}` }, clientIp));
    const session = (await reg.json()) as { access_token: string; org: { id: string } };
    // Enterprise: the per-key rate limit (1 200/min) stays out of the measurement, with a key of their own for
    // the auth-only requests (each key's limit leaves the background-counted fast path at 90 % of it).
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    await client.query(`update orgs set tier = 'enterprise' where id = $1`, [session.org.id]);
    await client.end();
    const auth = { authorization: `Bearer ${session.access_token}` };
    const pk = await fetch(`${app.url}/api/gateway/provider-keys`, json({ name: 'fake', provider: 'openai', base_url: `${fake.url}/v1`, key: fake.key }, auth));
    if (pk.status !== 201) throw new Error(`provider key: ${pk.status} ${await pk.text()}`);
    const newKey = async (name: string) => ((await (await fetch(`${app.url}/api/keys`, json({ name, scopes: ['gateway'] }, auth))).json()) as { key: string }).key;
    const key = await newKey('bench');
    const refusedKey = await newKey('bench auth-only');

    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How do I cut my LLM bill? [usage:120/8]' }] };
    const direct = () => fetch(`${fake.url}/v1/chat/completions`, json(body, { authorization: `Bearer ${fake.key}` }));
    const gateway = () => fetch(`${app.url}/v1/chat/completions`, json(body, { authorization: `Bearer ${key}` }));
    const viaPortkey = () => fetch(`${portkey.url}/v1/chat/completions`, json(body, { authorization: `Bearer ${fake.key}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${fake.url}/v1` }));
    const health = () => fetch(`${app.url}/health`);
    const authOnly = () => fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${refusedKey}`, 'content-type': 'application/json' }, body: '{' });
    for (let i = 0; i < 20; i++) await Promise.all([timed(direct), timed(gateway), timed(viaPortkey)]); // warm-up (isolate, pools, caches)

    type Side = 'direct' | 'gateway' | 'portkey' | 'health' | 'auth_only';
    const rounds: Array<Record<Side, number[]>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const x: Record<Side, number[]> = { direct: [], gateway: [], portkey: [], health: [], auth_only: [] };
      for (let i = 0; i < PER_ROUND; i++) {
        x.direct.push(await timed(direct));
        x.gateway.push(await timed(gateway));
        x.portkey.push(await timed(viaPortkey));
        x.health.push(await timed(health));
        x.auth_only.push(await timed(authOnly, 400));
      }
      rounds.push(x);
    }
    const p = (side: Side, q: number) => round(median(rounds.map((x) => quantile(x[side], q))));
    const figures = {
      direct_p50_ms: p('direct', 0.5),
      direct_p99_ms: p('direct', 0.99),
      gateway_p50_ms: p('gateway', 0.5),
      gateway_p99_ms: p('gateway', 0.99),
      portkey_p50_ms: p('portkey', 0.5),
      portkey_p99_ms: p('portkey', 0.99),
      health_p50_ms: p('health', 0.5),
      auth_only_p50_ms: p('auth_only', 0.5),
    };
    const added = {
      added_p50_ms: round(figures.gateway_p50_ms - figures.direct_p50_ms),
      added_p99_ms: round(figures.gateway_p99_ms - figures.direct_p99_ms),
      portkey_added_p50_ms: round(figures.portkey_p50_ms - figures.direct_p50_ms),
      portkey_added_p99_ms: round(figures.portkey_p99_ms - figures.direct_p99_ms),
      gateway_own_p50_ms: round(figures.gateway_p50_ms - figures.auth_only_p50_ms - figures.direct_p50_ms),
      // What our code adds beyond the runtime's own floor (a no-I/O request on the same runtime).
      over_runtime_p50_ms: round(figures.gateway_p50_ms - figures.health_p50_ms - figures.direct_p50_ms),
    };
    const ratios = {
      p50_ratio: round(figures.gateway_p50_ms / figures.direct_p50_ms),
      p99_ratio: round(figures.gateway_p99_ms / figures.direct_p99_ms),
      // Ours over Portkey's added latency: the issue's goal is added_p50_vs_portkey < 0.5.
      added_p50_vs_portkey: round(added.added_p50_ms / added.portkey_added_p50_ms),
      added_p99_vs_portkey: round(added.added_p99_ms / added.portkey_added_p99_ms),
      runtime_floor_vs_portkey: round((figures.health_p50_ms - figures.direct_p50_ms) / added.portkey_added_p50_ms),
      over_runtime_vs_portkey: round(added.over_runtime_p50_ms / added.portkey_added_p50_ms),
    };
    console.log(`${ROUNDS} rounds × ${PER_ROUND} interleaved calls: direct p50 ${figures.direct_p50_ms} ms p99 ${figures.direct_p99_ms} ms; gateway p50 ${figures.gateway_p50_ms} ms p99 ${figures.gateway_p99_ms} ms (added p50 ${added.added_p50_ms} ms, ×${ratios.p50_ratio}); portkey ${portkey.version} p50 ${figures.portkey_p50_ms} ms p99 ${figures.portkey_p99_ms} ms (added p50 ${added.portkey_added_p50_ms} ms) → ours/portkey added p50 ×${ratios.added_p50_vs_portkey}; health p50 ${figures.health_p50_ms} ms, auth-only p50 ${figures.auth_only_p50_ms} ms → gateway's own share ${added.gateway_own_p50_ms} ms`);

    const tput: Record<string, { direct_rps: number; gateway_rps: number; portkey_rps: number; gateway_vs_portkey: number }> = {};
    let cpu = { app: 0, stack: 0, calls: 0 };
    for (const c of CONCURRENCY) {
      const d = await throughput(direct, c);
      const [app0, stack0] = [app.cpuSeconds(), app.stackCpuSeconds()];
      const g = await throughput(gateway, c);
      await new Promise((r) => setTimeout(r, 1_500)); // the calls' background work (records, counts) finishes
      cpu = { app: cpu.app + app.cpuSeconds() - app0, stack: cpu.stack + app.stackCpuSeconds() - stack0, calls: cpu.calls + PER_LEVEL };
      const k = await throughput(viaPortkey, c);
      tput[`c${c}`] = { direct_rps: d, gateway_rps: g, portkey_rps: k, gateway_vs_portkey: round(g / k) };
      console.log(`concurrency ${c}: direct ${d} req/s, gateway ${g} req/s, portkey ${k} req/s`);
    }
    const cpuPerCall = { app_cpu_ms_per_call: round((cpu.app * 1000) / cpu.calls), stack_cpu_ms_per_call: round((cpu.stack * 1000) / cpu.calls) };
    console.log(`CPU per gateway call: app (${app.runtime}) ${cpuPerCall.app_cpu_ms_per_call} ms, local stack ${cpuPerCall.stack_cpu_ms_per_call} ms`);

    const other: Runtime = app.runtime === 'workerd' ? 'wrangler' : 'workerd';
    const floor = await startFloor(other, { stack: app.stack, bundle: app.bundle });
    const probe: Array<Record<'direct' | 'here' | 'there', number[]>> = [];
    try {
      for (let i = 0; i < 20; i++) await timed(() => fetch(`${floor.url}/health`));
      for (let r = 0; r < FLOOR_ROUNDS; r++) {
        const x = { direct: [] as number[], here: [] as number[], there: [] as number[] };
        for (let i = 0; i < PER_ROUND; i++) {
          x.direct.push(await timed(direct));
          x.here.push(await timed(health));
          x.there.push(await timed(() => fetch(`${floor.url}/health`)));
        }
        probe.push(x);
      }
    } finally {
      await floor.stop();
    }
    const fp = (side: 'direct' | 'here' | 'there') => median(probe.map((x) => quantile(x[side], 0.5)));
    // The runtime's own floor: a no-I/O /health over a direct call to the upstream, in each runtime.
    const healthFloor = { [`${app.runtime}_health_over_direct_p50_ms`]: round(fp('here') - fp('direct')), [`${other}_health_over_direct_p50_ms`]: round(fp('there') - fp('direct')) };
    console.log(`/health over direct p50 (${FLOOR_ROUNDS} rounds × ${PER_ROUND}): ${Object.entries(healthFloor).map(([k, v]) => `${k.split('_')[0]} ${v} ms`).join(', ')}`);
    console.log(JSON.stringify({ bench: 'gateway', runtime: app.runtime, node: process.version, rounds: ROUNDS, per_round: PER_ROUND, ...figures, ...added, ...ratios, throughput: tput, ...cpuPerCall, health_floor: healthFloor, portkey_version: portkey.version }));
  } finally {
    await portkey.stop();
    await app.stop();
    await fake.close();
  }
}

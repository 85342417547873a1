// Gateway overhead: POST /v1/chat/completions through the app (wrangler dev, real local stack, an API key with
// the gateway scope, the org's provider key pointing at the local fake upstream) versus the same request sent
// to the fake upstream directly. Sequential interleaved rounds (direct, gateway, direct, …): per round the p50
// and p99 of each side, then the median over rounds; added latency and ratios. Then throughput at rising
// concurrency for both. Two more sides split the added latency: GET /health (the Worker runtime with no I/O)
// and an authenticated gateway request refused before any upstream (invalid JSON → 400 after the API-key
// look-up and the rate limit), so gateway_own_ms = gateway − auth_only − direct is the gateway's own share.
// (Portkey's gateway, the issue's second baseline, is not in the package lists here.)
// Run: npm run bench -- gateway. Last line: {"bench":"gateway",…}.
import pg from 'pg';
import { startFakeLlm } from '../test/support/fake-llm';
import { startApp } from './lib/app';

const ROUNDS = Number(process.env.GATEWAY_ROUNDS ?? 10);
const PER_ROUND = Number(process.env.GATEWAY_PER_ROUND ?? 25);
const CONCURRENCY = [1, 4, 16];
const PER_LEVEL = 64;

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
  const app = await startApp();
  try {
    const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const reg = await fetch(`${app.url}/api/auth/register`, json({ email: `bench-${Date.now()}@example.test`, password: `pw-${crypto.randomUUID()}` }));
    const session = (await reg.json()) as { access_token: string; org: { id: string } };
    // Enterprise: the per-key rate limit (1 200/min) stays out of the measurement.
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    await client.query(`update orgs set tier = 'enterprise' where id = $1`, [session.org.id]);
    await client.end();
    const auth = { authorization: `Bearer ${session.access_token}` };
    const pk = await fetch(`${app.url}/api/gateway/provider-keys`, json({ name: 'fake', provider: 'openai', base_url: `${fake.url}/v1`, key: fake.key }, auth));
    if (pk.status !== 201) throw new Error(`provider key: ${pk.status} ${await pk.text()}`);
    const keyRes = await fetch(`${app.url}/api/keys`, json({ name: 'bench', scopes: ['gateway'] }, auth));
    const { key } = (await keyRes.json()) as { key: string };

    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How do I cut my LLM bill? [usage:120/8]' }] };
    const direct = () => fetch(`${fake.url}/v1/chat/completions`, json(body, { authorization: `Bearer ${fake.key}` }));
    const gateway = () => fetch(`${app.url}/v1/chat/completions`, json(body, { authorization: `Bearer ${key}` }));
    const health = () => fetch(`${app.url}/health`);
    const authOnly = () => fetch(`${app.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{' });
    for (let i = 0; i < 20; i++) await Promise.all([timed(direct), timed(gateway)]); // warm-up (isolate, pools, caches)

    type Side = 'direct' | 'gateway' | 'health' | 'auth_only';
    const rounds: Array<Record<Side, number[]>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const x: Record<Side, number[]> = { direct: [], gateway: [], health: [], auth_only: [] };
      for (let i = 0; i < PER_ROUND; i++) {
        x.direct.push(await timed(direct));
        x.gateway.push(await timed(gateway));
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
      health_p50_ms: p('health', 0.5),
      auth_only_p50_ms: p('auth_only', 0.5),
    };
    const added = {
      added_p50_ms: round(figures.gateway_p50_ms - figures.direct_p50_ms),
      added_p99_ms: round(figures.gateway_p99_ms - figures.direct_p99_ms),
      gateway_own_p50_ms: round(figures.gateway_p50_ms - figures.auth_only_p50_ms - figures.direct_p50_ms),
    };
    const ratios = { p50_ratio: round(figures.gateway_p50_ms / figures.direct_p50_ms), p99_ratio: round(figures.gateway_p99_ms / figures.direct_p99_ms) };
    console.log(`${ROUNDS} rounds × ${PER_ROUND} interleaved calls: direct p50 ${figures.direct_p50_ms} ms p99 ${figures.direct_p99_ms} ms; gateway p50 ${figures.gateway_p50_ms} ms p99 ${figures.gateway_p99_ms} ms (added p50 ${added.added_p50_ms} ms, ×${ratios.p50_ratio}); health p50 ${figures.health_p50_ms} ms, auth-only p50 ${figures.auth_only_p50_ms} ms → gateway's own share ${added.gateway_own_p50_ms} ms`);

    const tput: Record<string, { direct_rps: number; gateway_rps: number }> = {};
    for (const c of CONCURRENCY) {
      tput[`c${c}`] = { direct_rps: await throughput(direct, c), gateway_rps: await throughput(gateway, c) };
      console.log(`concurrency ${c}: direct ${tput[`c${c}`]!.direct_rps} req/s, gateway ${tput[`c${c}`]!.gateway_rps} req/s`);
    }
    console.log(JSON.stringify({ bench: 'gateway', node: process.version, rounds: ROUNDS, per_round: PER_ROUND, ...figures, ...added, ...ratios, throughput: tput, portkey: null }));
  } finally {
    await app.stop();
    await fake.close();
  }
}

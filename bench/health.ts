// Requests per second of the app's health endpoints under `wrangler dev --local` against the local stack:
//  - GET /health/ready: probes Postgres (Neon relay), ClickHouse (chdb HTTP) and Redis (Upstash REST) per request;
//  - GET /health: liveness, no I/O.
// Same run, same client: CONCURRENCY requests in flight over keep-alive connections (loopback), for a fixed
// time per endpoint, measured in alternating rounds (live, ready, live, ready…) so that drift in the machine's
// load hits both alike. Also reports the CPU seconds spent per endpoint by the client, wrangler/workerd and the
// stack's adapter process, since on a small machine they all share the same cores.
// Run: npx tsx bench/health.ts [--seconds 8] [--concurrency 16]  (or npm run bench -- health).
// Last line: {"bench":"health","ready_rps":…,"live_rps":…,"ready_vs_live":…,"p50_ms":{…},"p99_ms":{…},…}.
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type RunningApp } from './lib/app';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const CONCURRENCY = arg('concurrency', 16);
const SECONDS = arg('seconds', 8); // measured seconds per endpoint, split over ROUNDS
const ROUNDS = 2;
const WARMUP_SECONDS = 1.5;
const MAX_REQUESTS_PER_PHASE = 500_000;
const REQUEST_TIMEOUT_MS = 10_000;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Phase {
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  latencies: number[];
  seconds: number;
  cpu: { client: number; workers: number; stack: number };
}

function get(agent: Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

/** CONCURRENCY loops, each issuing one request after the other, until `seconds` elapse (or the request cap). */
async function load(app: RunningApp, agent: Agent, path: string, seconds: number): Promise<Phase> {
  const url = new URL(path, app.url);
  const phase: Phase = { ok: 0, errors: 0, statuses: {}, latencies: [], seconds: 0, cpu: { client: 0, workers: 0, stack: 0 } };
  const cpu0 = { client: process.cpuUsage(), workers: app.cpuSeconds(), stack: app.stackCpuSeconds() };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let issued = 0;
  const loop = async () => {
    while (performance.now() < deadline && issued < MAX_REQUESTS_PER_PHASE) {
      issued++;
      const t = performance.now();
      try {
        const status = await get(agent, url);
        phase.statuses[status] = (phase.statuses[status] ?? 0) + 1;
        if (status === 200) {
          phase.ok++;
          phase.latencies.push(performance.now() - t);
        } else phase.errors++;
      } catch (err) {
        const key = err instanceof Error ? err.message : 'error';
        phase.statuses[key] = (phase.statuses[key] ?? 0) + 1;
        phase.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  phase.seconds = (performance.now() - started) / 1000;
  const c = process.cpuUsage(cpu0.client);
  phase.cpu = { client: (c.user + c.system) / 1e6, workers: app.cpuSeconds() - cpu0.workers, stack: app.stackCpuSeconds() - cpu0.stack };
  return phase;
}

function merge(a: Phase, b: Phase): Phase {
  const statuses = { ...a.statuses };
  for (const [k, v] of Object.entries(b.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    statuses,
    latencies: a.latencies.concat(b.latencies),
    seconds: a.seconds + b.seconds,
    cpu: { client: a.cpu.client + b.cpu.client, workers: a.cpu.workers + b.cpu.workers, stack: a.cpu.stack + b.cpu.stack },
  };
}

function figures(p: Phase) {
  const sorted = [...p.latencies].sort((x, y) => x - y);
  return {
    rps: round(p.ok / p.seconds, 1),
    requests: p.ok,
    errors: p.errors,
    p50: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    // CPU seconds per 1000 successful requests, by process
    cpu_ms_per_req: {
      client: round((p.cpu.client * 1000) / Math.max(1, p.ok), 3),
      wrangler_workerd: round((p.cpu.workers * 1000) / Math.max(1, p.ok), 3),
      stack_adapters: round((p.cpu.stack * 1000) / Math.max(1, p.ok), 3),
    },
    statuses: p.statuses,
  };
}

export default async function main(): Promise<void> {
  console.log(`starting the local stack and wrangler dev… (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const t0 = performance.now();
  const app = await startApp();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    console.log(`app (${app.mode}) ready at ${app.url} in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${CONCURRENCY} in flight, ${SECONDS} s per endpoint in ${ROUNDS} alternating rounds`);
    await load(app, agent, '/health', WARMUP_SECONDS);
    await load(app, agent, '/health/ready', WARMUP_SECONDS);
    let live: Phase | undefined;
    let ready: Phase | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const l = await load(app, agent, '/health', SECONDS / ROUNDS);
      const d = await load(app, agent, '/health/ready', SECONDS / ROUNDS);
      console.log(`  round ${r + 1}: /health ${round(l.ok / l.seconds, 1)} req/s (${l.errors} errors), /health/ready ${round(d.ok / d.seconds, 1)} req/s (${d.errors} errors)`);
      live = live ? merge(live, l) : l;
      ready = ready ? merge(ready, d) : d;
    }
    const L = figures(live!);
    const R = figures(ready!);
    for (const [name, f] of [['GET /health      ', L], ['GET /health/ready', R]] as const) {
      console.log(
        `${name}: ${f.rps} req/s over ${f.requests} requests (${f.errors} errors); latency p50 ${f.p50} ms, p90 ${f.p90} ms, p99 ${f.p99} ms, max ${f.max} ms; ` +
          `CPU ms/request: client ${f.cpu_ms_per_req.client}, wrangler+workerd ${f.cpu_ms_per_req.wrangler_workerd}, stack adapters ${f.cpu_ms_per_req.stack_adapters}`,
      );
    }
    const ratio = round(R.rps / L.rps, 3);
    const reloads = app.reloads();
    if (reloads > 0) console.log(`WARNING: wrangler hot-reloaded the app ${reloads} time(s) during the run: figures are suspect`);
    console.log(`ready/live throughput ratio: ${ratio} (load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    console.log(
      JSON.stringify({
        bench: 'health',
        ready_rps: R.rps,
        live_rps: L.rps,
        ready_vs_live: ratio,
        p50_ms: { ready: R.p50, live: L.p50 },
        p99_ms: { ready: R.p99, live: L.p99 },
        p90_ms: { ready: R.p90, live: L.p90 },
        requests: { ready: R.requests, live: L.requests },
        errors: { ready: R.errors, live: L.errors },
        cpu_ms_per_req: { ready: R.cpu_ms_per_req, live: L.cpu_ms_per_req },
        concurrency: CONCURRENCY,
        app_mode: app.mode,
        reloads,
        seconds_per_endpoint: SECONDS,
        node: process.version,
      }),
    );
  } finally {
    agent.destroy();
    await app.stop();
  }
}

// `npx tsx bench/health.ts` runs it; `npm run bench -- health` imports it and calls main().
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

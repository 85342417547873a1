// WebSocket figures of the app (Worker → ThreadAgent DO, hibernatable sockets) against a bare baseline
// (bench/ws-echo: Worker → echo DO), both under `wrangler dev --local` in the same run:
//  (a) latency — `start_agent` → first event (`run_accepted`, sent before the run's admission in Redis) vs
//      the echo DO's `start` → its one event; also `start_agent` → `agent_started` (after the admission); ping → pong round trip (answered by the runtime's auto-response,
//      the DO stays asleep) vs an echoed frame (the echo DO's JS runs); and a JS round trip: a ping written
//      differently from PING_FRAME, which the app's DO answers itself, vs the same echoed frame — what
//      delivering a frame to each DO's handler costs.
//      App and echo samples alternate, so drift in the machine's load hits both alike;
//  (b) concurrent sockets — ramp LEVELS (sockets over threads/rooms); a level passes when every socket opened
//      (app: got connection_established) and then answered one ping while all were open; the ramp of a target
//      stops at its first failing level.
// Setup (not timed): one registered user per thread (free tier: ≤2 runs at once, 20 a day; we run at most one
// per user at a time, and wait for it to finish — or cancel it — before the next sample).
//      Like a real client (protocol/client.ts), every socket of the ramp pings every PING_INTERVAL_MS while it
//      waits: the app closes sockets silent for 3 intervals;
// Run: npx tsx bench/ws.ts [--samples 40] [--rtt 400] [--no-ramp]  (or npm run bench -- ws).
// Last line: {"bench":"ws","app":{…},"echo":{…},"ratios":{…}}.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { PING_FRAME, PING_INTERVAL_MS, PONG_FRAME } from '../protocol/messages';
import { startApp, startEcho, type Running, type RunningApp } from './lib/app';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const LEVELS = [
  { sockets: 100, threads: 10 },
  { sockets: 500, threads: 50 },
  { sockets: 1000, threads: 50 },
];
const USERS = Math.max(...LEVELS.map((l) => l.threads)); // one user per thread
const SAMPLES = Math.min(arg('samples', 40), USERS); // start_agent samples: one run per user
const RTT_SAMPLES = arg('rtt', 400);
const RAMP = !process.argv.includes('--no-ramp');
const RTT_WARMUP = 30;
const OPEN_CONCURRENCY = 16; // WebSocket upgrades in flight during the ramp (each one is a Postgres look-up in the app)
const SETUP_CONCURRENCY = 4;
const EVENT_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 30_000;
const RUN_SETTLE_MS = 5_000; // wait this long for a run to finish before cancelling it
const PASSWORD = 'bench-password-0123456789';

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantiles(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? round(s[Math.min(s.length - 1, Math.floor(q * s.length))]!) : null);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? round(s[s.length - 1]!) : null, n: s.length };
}

async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------- a WebSocket with awaitable messages ----------

interface Received {
  raw: string;
  json: { type?: string; data?: Record<string, unknown> } | null;
  at: number;
}

class Conn {
  readonly ws: WebSocket;
  private waiters: { pred: (m: Received) => boolean; resolve: (m: Received) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private backlog: Received[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly opening: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
    this.opening = new Promise<void>((resolveOpen, reject) => {
      this.ws.once('open', () => resolveOpen());
      this.ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new Error(`upgrade refused: HTTP ${res.statusCode} ${body.slice(0, 200)}`)));
        res.on('error', () => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      });
      this.ws.once('error', (err) => reject(err));
      this.ws.once('close', (code) => reject(new Error(`closed (${code}) before open`)));
    });
    this.opening.catch(() => {});
    this.ws.on('message', (data) => {
      const at = performance.now();
      const raw = data.toString();
      let json: Received['json'] = null;
      try {
        json = JSON.parse(raw) as Received['json'];
      } catch {
        // echo frames need not be JSON
      }
      this.deliver({ raw, json, at });
    });
    this.ws.on('error', () => {});
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`socket closed (${code} ${reason.toString()})`));
      }
    });
  }

  private deliver(m: Received): void {
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(m);
    } else {
      this.backlog.push(m);
      if (this.backlog.length > 200) this.backlog.shift();
    }
  }

  open(): Promise<void> {
    return this.opening;
  }

  /** The next message matching pred (a matching one already received and not yet taken counts). */
  next(pred: (m: Received) => boolean, timeoutMs = EVENT_TIMEOUT_MS): Promise<Received> {
    const i = this.backlog.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0]!);
    if (this.closed) return Promise.reject(new Error(`socket closed (${this.closed.code})`));
    return new Promise((resolveMsg, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ pred, resolve: resolveMsg, reject, timer });
    });
  }

  drop(): void {
    this.backlog = [];
  }

  send(text: string): number {
    const t = performance.now();
    this.ws.send(text);
    return t;
  }

  async close(): Promise<void> {
    if (this.closed || this.ws.readyState === WebSocket.CLOSED) return;
    const done = new Promise<void>((r) => this.ws.once('close', () => r()));
    try {
      this.ws.close(1000, 'bench done');
    } catch {
      this.ws.terminate();
    }
    const t = setTimeout(() => this.ws.terminate(), 10_000);
    await done;
    clearTimeout(t);
  }
}

const isType = (type: string) => (m: Received) => m.json?.type === type;
const isPong = (m: Received) => m.raw === PONG_FRAME;

// ---------- targets ----------

interface Thread {
  id: string;
  token: string;
  user: number;
}

interface Target {
  name: 'app' | 'echo';
  /** Opens a socket on thread/room i (and waits until it is usable). */
  connect(i: number): Promise<Conn>;
  /** Sends the start frame; resolves with the first event's latency and the start's (app: agent_started), in ms. */
  firstEvent(c: Conn, i: number): Promise<{ first: number; started: number }>;
  /** After a start sample: let the run end (app) so that the next sample starts from a quiet DO. */
  settle(c: Conn, i: number): Promise<string>;
  /** One round trip (ms). */
  rtt(c: Conn): Promise<number>;
  /** One round trip through the DO's handler (ms). */
  jsRtt(c: Conn): Promise<number>;
}

function appTarget(app: RunningApp, threads: Thread[]): Target {
  const wsBase = app.url.replace(/^http/, 'ws');
  const runIds = new Map<number, string>();
  return {
    name: 'app',
    async connect(i) {
      const t = threads[i % threads.length]!;
      const c = new Conn(`${wsBase}/ws?thread_id=${t.id}&token=${t.token}`);
      await c.open();
      await c.next(isType('connection_established'), OPEN_TIMEOUT_MS);
      return c;
    },
    async firstEvent(c, i) {
      const t = threads[i % threads.length]!;
      c.drop();
      const sent = c.send(JSON.stringify({ action: 'start_agent', data: { message: 'Where can we cut our LLM spend without hurting quality?', thread_id: t.id } }));
      // The first event after start_agent: anything but a pong (an `error` here means a refusal).
      const m = await c.next((x) => x.json?.type !== undefined && !isPong(x));
      if (m.json?.type !== 'run_accepted') throw new Error(`start_agent answered ${m.json?.type}: ${JSON.stringify(m.json?.data).slice(0, 300)}`);
      const runId = String(m.json.data?.run_id);
      // Then the admission's verdict: agent_started for this run (an `error` is a refusal: the sample fails).
      const v = await c.next((x) => x.json?.type === 'error' || (x.json?.type === 'agent_started' && x.json.data?.run_id === runId));
      if (v.json?.type !== 'agent_started') throw new Error(`run ${runId} refused: ${JSON.stringify(v.json?.data).slice(0, 300)}`);
      runIds.set(i, runId);
      return { first: m.at - sent, started: v.at - sent };
    },
    async settle(c, i) {
      const runId = runIds.get(i);
      const done = (m: Received) => m.json?.type === 'agent_completed' && m.json.data?.run_id === runId;
      try {
        const m = await c.next(done, RUN_SETTLE_MS);
        return String(m.json?.data?.status);
      } catch {
        // still running: cancel it
      }
      c.send(JSON.stringify({ action: 'cancel', data: { run_id: runId } }));
      const m = await c.next(done, EVENT_TIMEOUT_MS);
      return `${String(m.json?.data?.status)} (by the bench after ${RUN_SETTLE_MS} ms)`;
    },
    async rtt(c) {
      const sent = c.send(PING_FRAME);
      const m = await c.next(isPong);
      return m.at - sent;
    },
    async jsRtt(c) {
      const sent = c.send(JSON.stringify({ action: 'ping', data: {} }));
      const m = await c.next(isPong);
      return m.at - sent;
    },
  };
}

function echoTarget(echo: Running, runTag: string): Target {
  const wsBase = echo.url.replace(/^http/, 'ws');
  const echoed = async (c: Conn) => {
    const sent = c.send('{"action":"ping"}');
    const m = await c.next((x) => x.raw === '{"action":"ping"}');
    return m.at - sent;
  };
  return {
    name: 'echo',
    async connect(i) {
      const c = new Conn(`${wsBase}/ws?room=${runTag}-${i}`);
      await c.open();
      return c;
    },
    async firstEvent(c) {
      c.drop();
      const sent = c.send('{"action":"start"}');
      const m = await c.next(isType('started'));
      return { first: m.at - sent, started: m.at - sent };
    },
    async settle() {
      return 'n/a';
    },
    rtt: echoed,
    jsRtt: echoed,
  };
}

// ---------- setup ----------

async function registerUsersAndThreads(app: RunningApp, n: number, runTag: string): Promise<Thread[]> {
  const ipPrefix = `10.${randomBytes(1)[0]! % 250}.${randomBytes(1)[0]! % 250}`; // a distinct client IP per registration
  return pool(
    Array.from({ length: n }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i) => {
      const reg = await fetch(`${app.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': `${ipPrefix}.${i + 1}` },
        body: JSON.stringify({ email: `bench-${runTag}-${i}@bench.test`, password: PASSWORD, name: `Bench ${i}` }),
      });
      const body = (await reg.json()) as { access_token?: string };
      if (reg.status !== 201 || !body.access_token) throw new Error(`register #${i}: HTTP ${reg.status} ${JSON.stringify(body).slice(0, 300)}`);
      const th = await fetch(`${app.url}/api/threads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${body.access_token}` },
        body: JSON.stringify({ title: `bench ${i}` }),
      });
      const thread = (await th.json()) as { id?: string };
      if (th.status !== 201 || !thread.id) throw new Error(`create thread #${i}: HTTP ${th.status} ${JSON.stringify(thread).slice(0, 300)}`);
      return { id: thread.id, token: body.access_token, user: i };
    },
  );
}

// ---------- (a) latency ----------

interface Latency {
  first_event_ms: number[];
  started_ms: number[];
  rtt_ms: number[];
  js_rtt_ms: number[];
  failures: string[];
  run_endings: Record<string, number>;
}

async function latency(targets: Target[]): Promise<Record<string, Latency>> {
  const out: Record<string, Latency> = {};
  for (const t of targets) out[t.name] = { first_event_ms: [], started_ms: [], rtt_ms: [], js_rtt_ms: [], failures: [], run_endings: {} };

  // start → first event: SAMPLES distinct threads/rooms, one socket each, app and echo alternating.
  for (let i = 0; i < SAMPLES; i++) {
    for (const t of targets) {
      const r = out[t.name]!;
      let c: Conn | undefined;
      try {
        c = await t.connect(i);
        await sleep(20); // let the upgrade's own work (and its storage writes) settle first
        const { first, started } = await t.firstEvent(c, i);
        r.first_event_ms.push(first);
        r.started_ms.push(started);
        const ending = await t.settle(c, i);
        r.run_endings[ending] = (r.run_endings[ending] ?? 0) + 1;
      } catch (err) {
        r.failures.push(`start #${i}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await c?.close();
      }
    }
  }

  // ping/echo round trips on one socket per target, alternating; every 4th also a JS round trip.
  const conns = await Promise.all(targets.map((t) => t.connect(SAMPLES)));
  try {
    for (let i = 0; i < RTT_WARMUP + RTT_SAMPLES; i++) {
      for (const [k, t] of targets.entries()) {
        const r = out[t.name]!;
        try {
          const ms = await t.rtt(conns[k]!);
          if (i >= RTT_WARMUP) r.rtt_ms.push(ms);
          if (i % 4 === 0) {
            const js = await t.jsRtt(conns[k]!);
            if (i >= RTT_WARMUP) r.js_rtt_ms.push(js);
          }
        } catch (err) {
          r.failures.push(`rtt #${i}: ${err instanceof Error ? err.message : String(err)}`);
          if (r.failures.length > 20) throw new Error(`${t.name}: too many failures: ${r.failures.slice(-3).join('; ')}`);
        }
      }
    }
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  return out;
}

// ---------- (b) concurrent sockets ----------

interface LevelResult {
  sockets: number;
  threads: number;
  opened: number;
  answered: number;
  still_open: number;
  open_seconds: number;
  connect_ms: ReturnType<typeof quantiles>;
  ping_ms: ReturnType<typeof quantiles>;
  ok: boolean;
  first_error?: string;
}

async function level(t: Target, sockets: number, threads: number): Promise<LevelResult> {
  const conns: (Conn | null)[] = new Array(sockets).fill(null);
  const connectMs: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  let failed = false;
  const keepalive = setInterval(() => {
    for (const c of conns) if (c && !c.closed) c.send(PING_FRAME);
  }, PING_INTERVAL_MS);
  await pool(
    Array.from({ length: sockets }, (_, i) => i),
    OPEN_CONCURRENCY,
    async (i) => {
      if (failed) return; // stop on first failure
      const t0 = performance.now();
      try {
        conns[i] = await t.connect(i % threads);
        connectMs.push(performance.now() - t0);
      } catch (err) {
        failed = true;
        errors.push(`socket #${i}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  );
  const openSeconds = (performance.now() - started) / 1000;
  clearInterval(keepalive);
  const live = conns.filter((c): c is Conn => c !== null);
  await sleep(1000); // keep-alive answers still in flight must not count as the ping below
  for (const c of live) c.drop();
  const pingMs: number[] = [];
  let answered = 0;
  if (!failed) {
    // Every socket pings once, all at once, while all of them are open.
    await Promise.all(
      live.map(async (c, i) => {
        try {
          pingMs.push(await t.rtt(c));
          answered++;
        } catch (err) {
          errors.push(`ping on socket #${i}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  const stillOpen = live.filter((c) => !c.closed && c.ws.readyState === WebSocket.OPEN).length;
  await pool(live, 64, (c) => c.close());
  return {
    sockets,
    threads,
    opened: live.length,
    answered,
    still_open: stillOpen,
    open_seconds: round(openSeconds),
    connect_ms: quantiles(connectMs),
    ping_ms: quantiles(pingMs),
    ok: !failed && answered === sockets && stillOpen === sockets,
    ...(errors.length ? { first_error: errors[0] } : {}),
  };
}

async function ramp(targets: Target[]): Promise<Record<string, LevelResult[]>> {
  const out: Record<string, LevelResult[]> = {};
  const stopped = new Set<string>();
  for (const t of targets) out[t.name] = [];
  for (const l of LEVELS) {
    for (const t of targets) {
      if (stopped.has(t.name)) continue;
      const r = await level(t, l.sockets, l.threads);
      out[t.name]!.push(r);
      console.log(
        `  ${t.name.padEnd(4)} ${String(l.sockets).padStart(4)} sockets / ${l.threads} ${t.name === 'app' ? 'threads' : 'rooms'}: ` +
          `opened ${r.opened}, answered a ping ${r.answered}, still open ${r.still_open} (open phase ${r.open_seconds} s; ` +
          `connect p50 ${r.connect_ms.p50} ms p99 ${r.connect_ms.p99} ms; ping p50 ${r.ping_ms.p50} ms p99 ${r.ping_ms.p99} ms)${r.ok ? '' : ` FAILED: ${r.first_error ?? 'not every socket answered'}`}`,
      );
      if (!r.ok) stopped.add(t.name);
      await sleep(500);
    }
  }
  return out;
}

// ---------- main ----------

export default async function main(): Promise<void> {
  const runTag = randomBytes(4).toString('hex');
  console.log(`starting the local stack, the app and the echo Worker… (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const t0 = performance.now();
  const [appR, echoR] = await Promise.allSettled([startApp(), startEcho()]);
  const app = appR.status === 'fulfilled' ? appR.value : undefined;
  const echo = echoR.status === 'fulfilled' ? echoR.value : undefined;
  try {
    if (!app || !echo) throw appR.status === 'rejected' ? appR.reason : (echoR as PromiseRejectedResult).reason;
    console.log(`app (${app.mode}) at ${app.url}, echo at ${echo.url}: up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    let t = performance.now();
    const threads = await registerUsersAndThreads(app, USERS, runTag);
    console.log(`setup: ${threads.length} users, one thread each, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const targets = [appTarget(app, threads), echoTarget(echo, runTag)];

    t = performance.now();
    const lat = await latency(targets);
    console.log(`latency phase: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const figs: Record<string, { first: ReturnType<typeof quantiles>; started: ReturnType<typeof quantiles>; rtt: ReturnType<typeof quantiles>; jsRtt: ReturnType<typeof quantiles> }> = {};
    for (const name of ['app', 'echo']) {
      const r = lat[name]!;
      const first = quantiles(r.first_event_ms);
      const started = quantiles(r.started_ms);
      const rtt = quantiles(r.rtt_ms);
      const jsRtt = quantiles(r.js_rtt_ms);
      figs[name] = { first, started, rtt, jsRtt };
      console.log(
        `${name.padEnd(4)}: start → first event p50 ${first.p50} ms, p90 ${first.p90} ms, p99 ${first.p99} ms, max ${first.max} ms (n=${first.n}); ` +
          (name === 'app' ? `start → agent_started p50 ${started.p50} ms, p99 ${started.p99} ms; ` : '') +
          `round trip p50 ${rtt.p50} ms, p90 ${rtt.p90} ms, p99 ${rtt.p99} ms, max ${rtt.max} ms (n=${rtt.n}); ` +
          `JS round trip p50 ${jsRtt.p50} ms, p99 ${jsRtt.p99} ms (n=${jsRtt.n})` +
          (Object.keys(r.run_endings).length && name === 'app' ? `; runs ended: ${JSON.stringify(r.run_endings)}` : '') +
          (r.failures.length ? `; ${r.failures.length} failures, first: ${r.failures[0]}` : ''),
      );
    }

    console.log('concurrent sockets (ramp stops at the first failing level):');
    t = performance.now();
    const levels: Record<string, LevelResult[]> = RAMP ? await ramp(targets) : { app: [], echo: [] };
    console.log(`ramp phase: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const summary = (name: 'app' | 'echo') => {
      const best = levels[name]!.filter((l) => l.ok).pop();
      return {
        first_event_p50_ms: figs[name]!.first.p50,
        first_event_p99_ms: figs[name]!.first.p99,
        ...(name === 'app' ? { started_p50_ms: figs[name]!.started.p50, started_p99_ms: figs[name]!.started.p99 } : {}),
        rtt_p50_ms: figs[name]!.rtt.p50,
        rtt_p99_ms: figs[name]!.rtt.p99,
        js_rtt_p50_ms: figs[name]!.jsRtt.p50,
        max_sockets: best?.sockets ?? 0,
        threads: best?.threads ?? 0,
        samples: { first_event: figs[name]!.first.n, rtt: figs[name]!.rtt.n, js_rtt: figs[name]!.jsRtt.n },
        failures: lat[name]!.failures.length,
        levels: levels[name]!.map((l) => ({
          sockets: l.sockets,
          threads: l.threads,
          opened: l.opened,
          answered: l.answered,
          ok: l.ok,
          connect_p50_ms: l.connect_ms.p50,
          ping_p99_ms: l.ping_ms.p99,
          ...(l.first_error ? { error: l.first_error.slice(0, 200) } : {}),
        })),
      };
    };
    const a = summary('app');
    const e = summary('echo');
    const ratio = (x: number | null, y: number | null) => (x !== null && y !== null && y > 0 ? round(x / y, 2) : null);
    const reloads = app.reloads() + echo.reloads();
    if (reloads > 0) console.log(`WARNING: wrangler hot-reloaded ${reloads} time(s) during the run (sockets dropped): figures are suspect`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(
      JSON.stringify({
        bench: 'ws',
        app: a,
        echo: e,
        ratios: {
          first_event_p50: ratio(a.first_event_p50_ms, e.first_event_p50_ms),
          first_event_p99: ratio(a.first_event_p99_ms, e.first_event_p99_ms),
          rtt_p50: ratio(a.rtt_p50_ms, e.rtt_p50_ms),
          rtt_p99: ratio(a.rtt_p99_ms, e.rtt_p99_ms),
          js_rtt_p50: ratio(a.js_rtt_p50_ms, e.js_rtt_p50_ms),
          max_sockets: ratio(a.max_sockets, e.max_sockets),
        },
        app_mode: app.mode,
        reloads,
        node: process.version,
      }),
    );
  } finally {
    await Promise.allSettled([app?.stop(), echo?.stop()]);
  }
}

// `npx tsx bench/ws.ts` runs it; `npm run bench -- ws` imports it and calls main().
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

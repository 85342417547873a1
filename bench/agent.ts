// One full agent run (supervisor + sub-agents, offline reasoner) through the real app — `wrangler dev --local`
// against the local stack (bench/lib/app.ts) — over an org holding 100k and 1M stored calls, and where its
// wall time goes:
//  - setup per size (not timed as part of the run): a registered user (its own cf-connecting-ip, org set to
//    the enterprise tier so the run is never admission-limited), a seeded synthetic workload over DAYS days
//    (engine/synthetic streamWorkload) inserted straight into the app's ClickHouse with toCallRow/insertRows
//    in blocks of BATCH rows (ingestion speed is bench/ingest.ts's business; its time is printed only), then
//    the org's call facts built as the ingest path does after a flush (db/call-facts.ts; time printed only);
//  - the run: POST /api/threads, a ticket, GET /ws; `start_agent` sent at t0, every event stamped on receipt,
//    until `agent_completed` (wall_ms = t(agent_completed) − t0);
//  - in-app ClickHouse time: the tool_result duration_ms of the ClickHouse-backed tools — data_coverage
//    (triage) and workload_profile (data_intelligence); in-app engine time: the pure tools the planner ran
//    over that profile (optimizations_core: spend_breakdown, optimizer = all 30 engine tools, …);
//  - the same work timed directly from Node against the same ClickHouse after the run (REPS times, median):
//    dataCoverage, loadWorkloadProfile, and analyzeWorkload on the returned profile (the direct equivalent of
//    the in-app figures), and do_other_ms = wall − clickhouse − engine is the DO's own time: events, SQLite
//    checkpoints, alarms between steps, Redis admission, the Postgres outbox and report insert;
//  - per question kind, each in its own thread of the same org: time from start_agent to the first event
//    (agent_started) and to the answer (agent_completed), and the tools it ran — a greeting ("hello", no
//    tool), a latency question (latency tools only), the full cost analysis above, and that analysis asked
//    again (`cost_again`); each says whether its workload profile came from the org's profile cache (the
//    calls unchanged since an earlier question: db/profile-cache.ts) or was computed (`profile_cached`).
// If inserting 1M calls would take more than INSERT_BUDGET_S (projected from the 100k insert), the large
// size drops to 300k (printed, and its key in the JSON says so).
//
// Growth: every figure of a larger size is also printed as its ratio to the first size's (`growth` in the JSON);
// `--sizes 100k,1m,10m` adds 10M (inserted like the others, unless the budget above sends it to 300k);
// `--generator sql` generates every size inside ClickHouse instead (bench/lib/generated-calls.ts: no budget).
// Run: npx tsx bench/agent.ts [--sizes 100k,1m] [--days 30] [--reps 3] [--generator synthetic|sql]   (or npm run bench -- agent)
// Last line: {"bench":"agent","runs":{"100k":{"wall_ms":…,"clickhouse_ms":…,"engine_ms":…,"do_other_ms":…,"shares":{…},"questions":{"greeting":{"first_event_ms":…,"answer_ms":…,"tools":[]},"latency":{…},"cost":{…}},…},"1m":{…}},"growth":{"1m":{"wall_ms":…,…}}}
import { createClient, type ClickHouseClient } from '@clickhouse/client-web';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { WebSocket } from 'ws';
import { openClickHouse } from '../db/clickhouse';
import { insertRows, toCallRow, type LlmCallRow } from '../db/telemetry-writer';
import { ensureCallFacts } from '../db/call-facts';
import { loadWorkloadProfile } from '../db/workload-profile';
import { analyzeWorkload } from '../engine/analyze';
import { streamWorkload } from '../engine/synthetic/index';
import { AGENT_TOOL_NAMES } from '../engine/agent/tools';
import { PING_FRAME, PONG_FRAME } from '../protocol/messages';
import { resolveWindow } from '../db/org-analysis';
import { startApp, type RunningApp } from './lib/app';
import { insertGeneratedCalls } from './lib/generated-calls';

// ---------- options ----------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}: use e.g. 100k, 1m, 300k`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1));
}
const label = (n: number) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

const SIZES = (argValue('sizes') ?? '100k,1m').split(',').map(parseSize);
/** synthetic: engine/synthetic streamed from Node; sql: bench/lib/generated-calls.ts, inside ClickHouse (for 10M). */
const GENERATOR = argValue('generator') ?? 'synthetic';
if (GENERATOR !== 'synthetic' && GENERATOR !== 'sql') throw new Error(`--generator synthetic|sql, not ${GENERATOR}`);
const DAYS = Number(argValue('days') ?? 30);
const REPS = Math.max(1, Number(argValue('reps') ?? 3));
const SEED = 20261123;
const START = Date.UTC(2026, 9, 1); // 2026-10-01: the synthetic window is [START, START + DAYS)
const BATCH = 50_000; // rows per INSERT block
const INSERT_BUDGET_S = 600; // the largest size falls back to FALLBACK when its projected insert exceeds this
const FALLBACK = 300_000;
const RUN_TIMEOUT_MS = 15 * 60_000; // start_agent → agent_completed
const OVERALL_TIMEOUT_MS = 75 * 60_000; // the whole bench, setup included
const MESSAGE = 'Where can we save money on our LLM spend?';
/** The other question kinds timed per size (the full cost analysis is MESSAGE). */
const QUESTIONS = { greeting: 'hello', latency: 'What are our p95 latencies by model, and how do we lower them?' } as const;
const PASSWORD = `bench-${randomBytes(8).toString('hex')}-pw`;

/** Tools whose work is ClickHouse; the agent's registry tools are pure engine work over the loaded profile. */
const CH_TOOLS = ['data_coverage', 'workload_profile'] as const;
const ENGINE_TOOLS: readonly string[] = AGENT_TOOL_NAMES;

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- the app's HTTP API ----------

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

interface Tenant {
  orgId: string;
  token: string;
}

/** A registered user on the enterprise tier (set in Postgres, then signed in again so the token carries it). */
async function tenant(app: RunningApp, n: number): Promise<Tenant> {
  const email = `bench-agent-${process.pid}-${n}-${randomBytes(3).toString('hex')}@example.test`;
  const ip = `198.51.100.${1 + (n % 250)}`; // TEST-NET-2: one per registration, so the per-IP register limit never bites
  const headers = { 'content-type': 'application/json', 'cf-connecting-ip': ip };
  const reg = await json<{ org: { id: string } }>(
    await fetch(`${app.url}/api/auth/register`, { method: 'POST', headers, body: JSON.stringify({ email, password: PASSWORD, org_name: `bench agent ${n}` }), signal: AbortSignal.timeout(30_000) }),
    'register',
  );
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  try {
    await db.query("update orgs set tier = 'enterprise' where id = $1", [reg.org.id]);
  } finally {
    await db.end();
  }
  const login = await json<{ access_token: string }>(
    await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify({ email, password: PASSWORD }), signal: AbortSignal.timeout(30_000) }),
    'login',
  );
  return { orgId: reg.org.id, token: login.access_token };
}

const authed = (t: Tenant) => ({ 'content-type': 'application/json', authorization: `Bearer ${t.token}` });

/** The app's ClickHouse: from the launcher when it says, else from the env file it writes (bench.env in its dir). */
function clickhouseUrl(app: RunningApp): string {
  const direct = (app as RunningApp & { clickhouseUrl?: string }).clickhouseUrl;
  if (direct) return direct;
  const line = readFileSync(join(app.dir, 'bench.env'), 'utf8').split('\n').find((l) => l.startsWith('CLICKHOUSE_URL='));
  if (!line) throw new Error('CLICKHOUSE_URL not found in the bench app env file');
  return line.slice('CLICKHOUSE_URL='.length);
}

// ---------- ingestion (setup) ----------

/** One INSERT block, retried (same dedup token: a block that did land is not stored twice) on a connection error. */
async function insertBlock(ch: ClickHouseClient, rows: LlmCallRow[], token: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertRows(ch, 'llm_calls', rows, token);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.log(`  insert of block ${token} failed (${(err as Error).message}; ${String((err as { cause?: unknown }).cause ?? '')}), retrying`);
      await sleep(1_000);
    }
  }
}

/** Generates the seeded workload (~n calls over DAYS days) and inserts it in BATCH-row blocks; the next block
 *  is generated while the previous one is being inserted (the event loop is yielded to every YIELD_EVERY calls,
 *  so the HTTP client sees a keep-alive socket the server closed meanwhile). Returns the calls and the seconds. */
async function ingest(ch: ClickHouseClient, orgId: string, n: number): Promise<{ calls: number; seconds: number }> {
  const YIELD_EVERY = 2_000;
  const started = performance.now();
  const stream = streamWorkload({ seed: SEED, calls: n, days: DAYS, start: START });
  const ingestedAt = Date.now();
  let block: LlmCallRow[] = [];
  let blocks = 0;
  let inFlight: Promise<void> | null = null;
  let calls = 0;
  let lastLog = performance.now();
  const flush = async () => {
    if (inFlight) await inFlight;
    const rows = block;
    block = [];
    inFlight = rows.length ? insertBlock(ch, rows, `bench-agent:${orgId}:${blocks++}`) : null;
    inFlight?.catch(() => {}); // awaited at the next flush
  };
  for (const call of stream.calls) {
    block.push(toCallRow(call, { org_id: orgId, retention_days: 365, api_key_id: null, ingested_at: ingestedAt }));
    calls++;
    if (calls % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    if (block.length >= BATCH) {
      await flush();
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        console.log(`  … ${calls} calls generated, ${round((performance.now() - started) / 1000)} s`);
      }
    }
  }
  await flush();
  if (inFlight) await inFlight;
  return { calls, seconds: (performance.now() - started) / 1000 };
}

/** n calls generated inside ClickHouse (bench/lib/generated-calls.ts) over DAYS days. */
async function ingestSql(ch: ClickHouseClient, orgId: string, n: number): Promise<{ calls: number; seconds: number }> {
  const started = performance.now();
  await insertGeneratedCalls(ch, orgId, n, START, DAYS * 86_400_000);
  return { calls: n, seconds: (performance.now() - started) / 1000 };
}

async function countFinal(ch: ClickHouseClient, orgId: string): Promise<number> {
  const rs = await ch.query({ query: 'SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String}', query_params: { org: orgId }, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: number | string }>())[0]?.n ?? 0);
}

async function activeParts(ch: ClickHouseClient): Promise<number> {
  try {
    const rs = await ch.query({ query: "SELECT count() AS n FROM system.parts WHERE active AND table = 'llm_calls' AND database = currentDatabase()", format: 'JSONEachRow' });
    return Number((await rs.json<{ n: number | string }>())[0]?.n ?? 0);
  } catch {
    return -1;
  }
}

// ---------- the agent run over the WebSocket ----------

interface Stamped {
  at: number; // performance.now() on receipt
  type: string;
  data: Record<string, unknown>;
  agent: string | null;
}

async function runAgent(app: RunningApp, t: Tenant, message: string = MESSAGE): Promise<{ t0: number; events: Stamped[] }> {
  const thread = await json<{ id: string }>(
    await fetch(`${app.url}/api/threads`, { method: 'POST', headers: authed(t), body: JSON.stringify({ title: 'bench agent' }), signal: AbortSignal.timeout(30_000) }),
    'create thread',
  );
  const { ticket } = await json<{ ticket: string }>(
    await fetch(`${app.url}/api/ws/ticket`, { method: 'POST', headers: authed(t), body: JSON.stringify({ thread_id: thread.id }), signal: AbortSignal.timeout(30_000) }),
    'ws ticket',
  );
  const threadId = thread.id;
  const wsUrl = `${app.url.replace(/^http/, 'ws')}/ws?ticket=${encodeURIComponent(ticket)}&thread_id=${encodeURIComponent(threadId)}`;
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: 30_000 });
  const events: Stamped[] = [];
  let t0 = 0;
  let timer: NodeJS.Timeout | undefined;
  // Like protocol/client.ts: a ping every 20 s (the DO closes a socket silent for 75 s with 4408).
  const pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(PING_FRAME), 20_000);
  const lastEvents = (k: number) => events.slice(-k).map((e) => `${e.type}:${String(e.data.tool ?? e.data.sub_agent ?? e.data.message ?? '')}`).join(', ');
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no connection_established within 30 s')), 30_000);
      let completed = false;
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(new Error(`upgrade refused: HTTP ${res.statusCode} ${body.slice(0, 300)}`)));
      });
      ws.on('error', (err) => reject(err));
      ws.on('close', (code, reason) => {
        if (!completed) reject(new Error(`socket closed (${code} ${reason.toString()}) before agent_completed; last events: ${lastEvents(5)}`));
      });
      ws.on('message', (raw) => {
        const at = performance.now();
        if (raw.toString() === PONG_FRAME) return;
        const msg = JSON.parse(raw.toString()) as { type: string; data: Record<string, unknown>; metadata?: { agent_name?: string | null; local?: boolean } };
        if (msg.type === 'connection_established') {
          if (t0) return;
          clearTimeout(timer);
          timer = setTimeout(() => reject(new Error(`no agent_completed within ${RUN_TIMEOUT_MS / 1000} s; last events: ${lastEvents(8)}`)), RUN_TIMEOUT_MS);
          t0 = performance.now();
          ws.send(JSON.stringify({ action: 'start_agent', data: { message, thread_id: threadId } }));
          return;
        }
        if (msg.metadata?.local) {
          if (msg.type === 'error') reject(new Error(`error reply: ${JSON.stringify(msg.data)}`));
          return; // other socket-local events
        }
        events.push({ at, type: msg.type, data: msg.data, agent: msg.metadata?.agent_name ?? null });
        if (msg.type === 'error' && !events.some((e) => e.type === 'agent_started')) reject(new Error(`start_agent refused: ${JSON.stringify(msg.data)}`));
        if (msg.type === 'agent_completed') {
          completed = true;
          resolve();
        }
      });
    });
  } finally {
    clearTimeout(timer);
    clearInterval(pinger);
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const kill = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 3_000);
      ws.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'bench done');
    });
  }
  return { t0, events };
}

// ---------- the same work, directly from Node ----------

interface Direct {
  coverage_ms: number;
  profile_ms: number;
  analyze_ms: number;
  /** Savings the optimizer step would keep (positive savings, at most 20): the app's summary.savings. */
  savings: number;
  profile_calls: number;
}

async function direct(chUrl: string, orgId: string): Promise<Direct> {
  const ch = openClickHouse({ CLICKHOUSE_URL: chUrl }, 600_000); // the app's client settings, a longer timeout
  try {
    let t = performance.now();
    const window = await resolveWindow(ch, orgId, {}); // = dataCoverage + the window the data step uses
    const coverage_ms = performance.now() - t;
    if (!window) throw new Error('direct: no telemetry for the org');
    t = performance.now();
    const profile = await loadWorkloadProfile(ch, orgId, window);
    const profile_ms = performance.now() - t;
    t = performance.now();
    const analysis = analyzeWorkload(profile);
    const analyze_ms = performance.now() - t;
    const savings = Math.min(20, analysis.findings.filter((f) => f.kind === 'saving' && f.saving_nanousd > 0).length);
    return { coverage_ms, profile_ms, analyze_ms, savings, profile_calls: profile.totals.calls };
  } finally {
    await ch.close().catch(() => {});
  }
}

// ---------- one size ----------

interface SizeResult {
  calls: number;
  wall_ms: number;
  clickhouse_ms: number;
  engine_ms: number;
  do_other_ms: number;
  shares: { clickhouse: number; engine: number; do_other: number };
  status: string;
  tools_ms: Record<string, number>;
  tool_failures: { tool: string; duration_ms: number; message: string }[];
  stages_ms: Record<string, number>;
  direct_ms: { coverage: number; profile: number; analyze: number; reps: number; coverage_first: number; profile_first: number; analyze_first: number };
  clickhouse_app_vs_direct: number | null;
  engine_in_do_est_ms: number;
  insert_s: number;
  /** Building the org's call facts after the insert (the ingest path's work, not part of a run). */
  facts_build_s: number;
  llm_calls_parts: number;
  /** Time to the first event and to the answer per question kind (ms after start_agent), and the tools run. */
  questions: Record<'greeting' | 'latency' | 'cost' | 'cost_again', QuestionTiming>;
  /** Savings in the app's answer vs the same count from the direct analysis (same data → equal). */
  savings: { app: number | null; direct: number };
}

interface QuestionTiming {
  first_event_ms: number;
  answer_ms: number;
  status: string;
  tools: string[];
  /** The workload profile was read from the org's profile cache (same calls as an earlier question), not computed; null: no profile. */
  profile_cached: boolean | null;
}

function timing(run: { t0: number; events: Stamped[] }): QuestionTiming {
  const first = run.events[0];
  const done = run.events.find((e) => e.type === 'agent_completed');
  return {
    first_event_ms: first ? round(first.at - run.t0) : -1,
    answer_ms: done ? round(done.at - run.t0) : -1,
    status: String(done?.data.status ?? 'none'),
    tools: run.events.filter((e) => e.type === 'tool_call').map((e) => String(e.data.tool)),
    profile_cached: ((p) => (p ? (p.data.output as { cached?: boolean } | undefined)?.cached === true : null))(run.events.find((e) => e.type === 'tool_result' && e.data.tool === 'workload_profile')),
  };
}

async function benchSize(app: RunningApp, ch: ClickHouseClient, chUrl: string, n: number, idx: number): Promise<SizeResult> {
  const t = await tenant(app, idx);
  console.log(`[${label(n)}] org ${t.orgId}: generating and inserting ~${n} calls over ${DAYS} days…`);
  const ing = GENERATOR === 'sql' ? await ingestSql(ch, t.orgId, n) : await ingest(ch, t.orgId, n);
  const stored = await countFinal(ch, t.orgId);
  if (stored !== ing.calls) throw new Error(`[${label(n)}] ${ing.calls} calls inserted but ${stored} in llm_calls FINAL`);
  const parts = await activeParts(ch);
  console.log(`[${label(n)}] ${ing.calls} calls stored in ${round(ing.seconds)} s (${Math.round(ing.calls / ing.seconds)} calls/s, generation included); ${parts} active llm_calls parts`);
  // What the ingest path does once a flush is in (durable-objects/ingest-buffer.ts): the org's call facts.
  const tf = performance.now();
  const facts = await ensureCallFacts(ch, t.orgId);
  const factsS = (performance.now() - tf) / 1000;
  console.log(`[${label(n)}] call facts of ${facts.rebuilt_hours} hours built in ${round(factsS)} s`);

  console.log(`[${label(n)}] agent run…`);
  const costRun = await runAgent(app, t);
  const { t0, events } = costRun;
  const questions = { cost: timing(costRun) } as SizeResult['questions'];
  for (const [kind, message] of Object.entries(QUESTIONS) as [keyof typeof QUESTIONS, string][]) {
    console.log(`[${label(n)}] ${kind} question: ${message}`);
    questions[kind] = timing(await runAgent(app, t, message));
  }
  // The full analysis again on unchanged calls: its profile comes from the cache (db/profile-cache.ts).
  console.log(`[${label(n)}] the cost analysis again`);
  questions.cost_again = timing(await runAgent(app, t));
  const completed = events.find((e) => e.type === 'agent_completed')!;
  const wall = completed.at - t0;

  const tools: Record<string, number> = {};
  const failures: SizeResult['tool_failures'] = [];
  for (const e of events) {
    if (e.type !== 'tool_result') continue;
    const tool = String(e.data.tool);
    tools[tool] = (tools[tool] ?? 0) + Number(e.data.duration_ms ?? 0);
    if (e.data.ok === false) {
      failures.push({ tool, duration_ms: Number(e.data.duration_ms ?? 0), message: String((e.data.output as { message?: string } | undefined)?.message ?? '') });
      console.log(`[${label(n)}]   tool ${tool} FAILED after ${e.data.duration_ms} ms: ${JSON.stringify(e.data.output)}`);
    }
  }
  for (const e of events) if (e.type === 'agent_log' && e.data.level !== 'info') console.log(`[${label(n)}]   ${e.agent}: ${e.data.level} ${e.data.message}`);
  for (const e of events) if (e.type === 'error') console.log(`[${label(n)}]   error event: ${JSON.stringify(e.data)}`);

  // The run's event timeline (ms after start_agent) when a tool failed, or with --timeline.
  if (failures.length || process.argv.includes('--timeline')) {
    for (const e of events) {
      const what = e.data.tool ?? e.data.sub_agent ?? e.data.message ?? e.data.code ?? '';
      const extra = e.type === 'tool_result' ? ` ok=${String(e.data.ok)} ${String(e.data.duration_ms)} ms` : e.type === 'sub_agent_update' ? ` ${String(e.data.status)}` : '';
      console.log(`[${label(n)}]     +${round(e.at - t0, 0)} ms ${e.type} ${String(what)}${extra}`);
    }
  }

  // Stage times as the client saw them: sub_agent_update started → completed (alarm latency, the step, its checkpoint).
  const stages: Record<string, number> = {};
  const startedAt: Record<string, number> = {};
  for (const e of events) {
    if (e.type !== 'sub_agent_update') continue;
    const a = String(e.data.sub_agent);
    if (e.data.status === 'started') startedAt[a] = e.at;
    if ((e.data.status === 'completed' || e.data.status === 'failed') && startedAt[a] !== undefined) stages[a] = round((stages[a] ?? 0) + e.at - startedAt[a]!, 1);
  }
  const agentStarted = events.find((e) => e.type === 'agent_started');
  if (agentStarted) stages.start_to_agent_started = round(agentStarted.at - t0, 1);

  console.log(`[${label(n)}] direct from Node (${REPS}×): coverage, loadWorkloadProfile, analyzeWorkload…`);
  const reps: Direct[] = [];
  for (let i = 0; i < REPS; i++) reps.push(await direct(chUrl, t.orgId));
  const d = {
    coverage: round(median(reps.map((r) => r.coverage_ms))),
    profile: round(median(reps.map((r) => r.profile_ms))),
    analyze: round(median(reps.map((r) => r.analyze_ms))),
    reps: REPS,
    coverage_first: round(reps[0]!.coverage_ms),
    profile_first: round(reps[0]!.profile_ms),
    analyze_first: round(reps[0]!.analyze_ms),
  };

  const chToolsMs = CH_TOOLS.reduce((s, k) => s + (tools[k] ?? 0), 0);
  const engine = ENGINE_TOOLS.reduce((s, k) => s + (tools[k] ?? 0), 0);
  const clickhouse = chToolsMs;
  const doOther = wall - clickhouse - engine;
  // Direct equivalent of the app's ClickHouse work: one coverage query (data_coverage) + one profile.
  const directCh = d.coverage + d.profile;
  const summary = completed.data.summary as { savings?: number } | undefined;
  const result: SizeResult = {
    calls: ing.calls,
    wall_ms: round(wall),
    clickhouse_ms: round(clickhouse),
    engine_ms: round(engine),
    do_other_ms: round(doOther),
    shares: { clickhouse: round(clickhouse / wall, 3), engine: round(engine / wall, 3), do_other: round(doOther / wall, 3) },
    status: String(completed.data.status),
    tools_ms: Object.fromEntries(Object.entries(tools).map(([k, v]) => [k, round(v)])),
    tool_failures: failures,
    stages_ms: stages,
    direct_ms: d,
    clickhouse_app_vs_direct: directCh > 0 ? round(clickhouse / directCh, 2) : null,
    engine_in_do_est_ms: round(tools.optimizer ?? 0),
    insert_s: round(ing.seconds),
    facts_build_s: round(factsS),
    llm_calls_parts: parts,
    questions,
    savings: { app: typeof summary?.savings === 'number' ? summary.savings : null, direct: reps[0]!.savings },
  };
  console.log(
    `[${label(n)}] run ${result.status}: wall ${result.wall_ms} ms = ClickHouse ${result.clickhouse_ms} (${round(result.shares.clickhouse * 100)}%) + engine ${result.engine_ms} (${round(result.shares.engine * 100)}%) + DO other ${result.do_other_ms} (${round(result.shares.do_other * 100)}%)`,
  );
  for (const [kind, q] of Object.entries(questions)) {
    console.log(`[${label(n)}]   ${kind}: first event ${q.first_event_ms} ms, answer ${q.answer_ms} ms (${q.status}), tools: ${q.tools.join(', ') || 'none'}`);
  }
  console.log(`[${label(n)}]   tools (ms): ${Object.entries(result.tools_ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`[${label(n)}]   stages (ms, client-side started→completed): ${Object.entries(stages).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `[${label(n)}]   direct (median of ${REPS}): coverage ${d.coverage} ms, profile ${d.profile} ms, analyzeWorkload ${d.analyze} ms (first: ${d.coverage_first}/${d.profile_first}/${d.analyze_first}); app ClickHouse time / direct equivalent = ${result.clickhouse_app_vs_direct}`,
  );
  return result;
}

/** How each figure grows: per size after the first (the smallest), its ratio to the first size's figure. */
function growth(runs: Record<string, SizeResult>): Record<string, Record<string, number | null>> {
  const [first, ...larger] = Object.entries(runs);
  const out: Record<string, Record<string, number | null>> = {};
  if (!first) return out;
  const base = first[1];
  const ratio = (x: number, y: number) => (y > 0 && x >= 0 ? round(x / y, 2) : null);
  for (const [size, r] of larger) {
    out[size] = {
      calls: ratio(r.calls, base.calls),
      wall_ms: ratio(r.wall_ms, base.wall_ms),
      clickhouse_ms: ratio(r.clickhouse_ms, base.clickhouse_ms),
      engine_ms: ratio(r.engine_ms, base.engine_ms),
      do_other_ms: ratio(r.do_other_ms, base.do_other_ms),
      direct_profile_ms: ratio(r.direct_ms.profile, base.direct_ms.profile),
      cost_answer_ms: ratio(r.questions.cost.answer_ms, base.questions.cost.answer_ms),
      latency_answer_ms: ratio(r.questions.latency.answer_ms, base.questions.latency.answer_ms),
    };
  }
  return out;
}

// ---------- main ----------

async function main(): Promise<void> {
  const benchStart = performance.now();
  console.log('starting the local stack and wrangler dev (bench/lib/app.ts)…');
  const app = await startApp({ timeoutMs: 180_000 });
  let stopped = false;
  const stopApp = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  const watchdog = setTimeout(() => {
    console.error(`agent bench: over ${OVERALL_TIMEOUT_MS / 60_000} min, stopping`);
    void stopApp().finally(() => process.exit(1));
  }, OVERALL_TIMEOUT_MS);
  watchdog.unref();
  const chUrl = clickhouseUrl(app);
  const ch = createClient({ url: chUrl, request_timeout: 600_000, clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
  const runs: Record<string, SizeResult> = {};
  const notes: string[] = [];
  try {
    console.log(`app at ${app.url} (${app.mode}), ClickHouse at ${chUrl}`);
    let rate: number | null = null; // calls/s of the previous insert (generation included)
    for (const [i, wanted] of SIZES.entries()) {
      let n = wanted;
      if (GENERATOR === 'synthetic' && rate !== null && n > FALLBACK && n / rate > INSERT_BUDGET_S) {
        const note = `${label(n)} would take ~${Math.round(n / rate)} s to insert at ${Math.round(rate)} calls/s (> ${INSERT_BUDGET_S} s): running ${label(FALLBACK)} instead`;
        console.log(note);
        notes.push(note);
        n = FALLBACK;
      }
      const r = await benchSize(app, ch, chUrl, n, i);
      rate = r.calls / r.insert_s;
      runs[label(n)] = r;
      if (app.reloads() > 0) notes.push(`the Worker hot-reloaded ${app.reloads()} time(s) during the bench`);
    }
  } finally {
    clearTimeout(watchdog);
    await ch.close().catch(() => {});
    await stopApp();
  }
  console.log(`total bench time ${round((performance.now() - benchStart) / 1000)} s`);
  const g = growth(runs);
  for (const [size, ratios] of Object.entries(g)) console.log(`growth ${size} vs ${Object.keys(runs)[0]}: ${Object.entries(ratios).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  console.log(JSON.stringify({ bench: 'agent', days: DAYS, runs, growth: g, ...(notes.length ? { notes } : {}) }));
}

export default async function run(): Promise<void> {
  await main();
}

// `npx tsx bench/agent.ts` runs it directly; `npm run bench -- agent` imports it and calls the default export.
if (process.argv[1] && /bench[\\/]agent\.ts$/.test(process.argv[1])) {
  try {
    await main();
  } catch (err) {
    console.error('agent bench failed:', err);
    process.exitCode = 1;
  }
}

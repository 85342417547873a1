// Fault drills against the app under wrangler dev (bench/lib/app.ts), shared by scripts/fault.ts (prints its
// findings) and bench/reliability.ts (one JSON line). Loopback only, bounded in time. Under mixed traffic —
// ingest batches with an API key, agent runs over WebSocket, gateway calls to a local fake OpenAI upstream
// under a monthly budget — it stops and restarts each store in turn (Postgres, shared with other checkouts:
// the Neon relay the Worker reaches it through; ClickHouse and Redis: the servers themselves, when the app was
// started with ownRedis) and then kill -9s the Worker process mid-step. Then it
// checks what the app promised: every acknowledged call is in ClickHouse exactly once (FINAL, as analytics
// counts), every run finished exactly once (a run cut off by the Worker's death completes, well before a step
// deadline), a token revoked before or during an outage stays revoked, the budget is not overshot, every
// 5xx during an outage is a 503 naming the failed store, and no secret or token is in the Worker's log.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { WebSocket } from 'ws';
import { findModel } from '../../engine/catalog';
import type { FakeLlm } from '../../test/support/fake-llm';
import type { RunningApp, Store } from './app';

const PASSWORD = `drill-${randomBytes(8).toString('hex')}`;
const BATCHES_PER_ROUND = 4;
const RECORDS_PER_BATCH = 100;
const GATEWAY_PER_ROUND = 4;
/** Room for this many gateway calls in the month's budget: fewer than the drill sends, so some are refused. */
const BUDGET_CALLS = 12;
/** A step's deadline (durable-objects/supervisor/machine.ts): a resumed run must finish well before it. */
const STEP_DEADLINE_S = 120;
const RUN_WAIT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface OutageAnswer {
  store: Store;
  request: string;
  status: number;
  /** The store a 503 names (details.dependency, else found in the message). */
  names: string | null;
  /** The start of a 5xx answer's body. */
  body?: string;
}

export interface RunOutcome {
  phase: string;
  run_id: string;
  status: string;
  completions: number;
  duplicate_tool_calls: number;
  /** Seconds from the fault's end to the run's end (null: not finished). */
  after_restore_s: number | null;
}

export interface DrillFindings {
  faults_injected: number;
  records_acknowledged: number;
  records_lost: number;
  records_duplicated: number;
  gateway_calls_acknowledged: number;
  gateway_calls_lost: number;
  gateway_calls_refused_by_budget: number;
  budget: { limit_nano: number; spent_nano: number; overshot: boolean };
  runs: RunOutcome[];
  runs_completed_after_restart: number;
  revoked_tokens_checked: number;
  revoked_tokens_accepted: number;
  outage_answers: OutageAnswer[];
  /** 5xx answers during an outage that were not a 503 naming the failed store. */
  wrong_outage_answers: number;
  secrets_in_logs: number;
  problems: string[];
}

interface Session {
  access_token: string;
  refresh_token: string;
}

async function call(app: RunningApp, method: string, path: string, token: string | null, body?: unknown, type = 'application/json'): Promise<{ status: number; text: string; headers: Headers }> {
  try {
    const res = await fetch(app.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': type } : {}), 'cf-connecting-ip': '198.51.100.77' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  } catch (err) {
    return { status: 0, text: String(err), headers: new Headers() };
  }
}

async function ok<T>(r: Promise<{ status: number; text: string }>, what: string): Promise<T> {
  const { status, text } = await r;
  if (status < 200 || status >= 300) throw new Error(`${what}: HTTP ${status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** The store a 503 answer names: the error's details.dependency, else a store named in its message. */
function namedStore(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { details?: { dependency?: string }; message?: string } };
    if (body.error?.details?.dependency) return body.error.details.dependency;
    const m = /postgres|clickhouse|redis/i.exec(body.error?.message ?? '');
    return m ? m[0].toLowerCase() : null;
  } catch {
    return null;
  }
}

/** A thread's WebSocket: events kept in order; reconnects (new ticket, resume from the last seq) when it drops. */
class RunSocket {
  events: { type: string; data: Record<string, unknown>; metadata: { seq: number; run_id: string | null; local?: boolean } }[] = [];
  private ws: WebSocket | null = null;
  private closed = false;

  constructor(
    private readonly app: RunningApp,
    private readonly token: string,
    readonly thread: string,
  ) {}

  async open(): Promise<void> {
    const { ticket } = await ok<{ ticket: string }>(call(this.app, 'POST', '/api/ws/ticket', this.token, { thread_id: this.thread }), 'ws ticket');
    const ws = new WebSocket(`${this.app.url.replace('http', 'ws')}/ws?ticket=${ticket}&thread_id=${this.thread}`);
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (raw: Buffer) => {
      const e = JSON.parse(raw.toString()) as RunSocket['events'][number];
      if (e.type === 'connection_established') {
        const last = this.events.filter((x) => !x.metadata.local).at(-1)?.metadata.seq ?? 0;
        ws.send(JSON.stringify({ action: 'resume', data: { last_seq: last } }));
      } else if (!e.metadata.local || e.type === 'error') this.events.push(e);
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!this.closed) void this.reconnect();
    });
  }

  private async reconnect(): Promise<void> {
    for (let i = 0; i < 120 && !this.closed; i++) {
      await sleep(500);
      try {
        await this.open();
        return;
      } catch {
        // the Worker is not back yet
      }
    }
  }

  send(msg: unknown): void {
    this.ws?.send(JSON.stringify(msg));
  }

  async waitFor(pred: (e: RunSocket['events'][number]) => boolean, ms: number): Promise<RunSocket['events'][number] | null> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      await sleep(50);
    }
    return null;
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

/** `secrets`: more values that must not be in the Worker's log (the caller's own tokens and keys). */
export async function runDrills(app: RunningApp, fake: FakeLlm, say: (line: string) => void = () => {}, secrets: string[] = []): Promise<DrillFindings> {
  const problems: string[] = [];
  const issuedSecrets: string[] = [fake.key, ...secrets];
  const email = `drill-${process.pid}-${randomBytes(3).toString('hex')}@example.test`;
  const reg = await ok<Session & { org: { id: string } }>(call(app, 'POST', '/api/auth/register', null, { email, password: PASSWORD, org_name: 'fault drill' }), 'register');
  const orgId = reg.org.id;
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  await db.query("update orgs set tier = 'enterprise' where id = $1", [orgId]).finally(() => db.end());
  const login = () => ok<Session>(call(app, 'POST', '/api/auth/login', null, { email, password: PASSWORD }), 'login');
  const user = await login();
  issuedSecrets.push(reg.access_token, reg.refresh_token, user.access_token, user.refresh_token);
  const ingestKey = (await ok<{ key: string }>(call(app, 'POST', '/api/keys', user.access_token, { name: 'drill ingest', scopes: ['ingest', 'read'] }), 'ingest key')).key;
  const gatewayKey = (await ok<{ key: string }>(call(app, 'POST', '/api/keys', user.access_token, { name: 'drill gateway', scopes: ['gateway'] }), 'gateway key')).key;
  issuedSecrets.push(ingestKey, gatewayKey);
  await ok(call(app, 'POST', '/api/gateway/provider-keys', user.access_token, { name: 'fake', provider: 'openai', base_url: `${fake.url}/v1`, key: fake.key }), 'provider key');
  // The budget, computed here from the catalog's price (10 input + 10 output tokens a call, as the fake reports).
  const gpt4o = findModel('gpt-4o', 'openai')!;
  const pico = (p: number) => Math.round(p * 1e6);
  const eachNano = Math.round((10 * pico(gpt4o.input_per_m) + 10 * pico(gpt4o.output_per_m)) / 1000);
  const limitNano = BUDGET_CALLS * eachNano;
  const policy = await ok<{ id: string }>(
    call(app, 'POST', '/api/policies', user.access_token, { control_share: 0, canary: { min_calls: 100_000, max_error_rate_increase: 1, max_latency_ratio: 1000 }, policy: { version: 1, rules: [], budget_usd_month: limitNano / 1e9 } }),
    'policy',
  );
  await ok(call(app, 'POST', `/api/policies/${policy.id}/activate`, user.access_token), 'activate policy');

  const acked = new Set<string>();
  const gatewayAcked = new Set<string>();
  let refusedByBudget = 0;
  let batchNo = 0;
  const outageAnswers: OutageAnswer[] = [];
  const revoked: string[] = [];
  const runs: RunOutcome[] = [];

  const ingestBatch = async (): Promise<{ status: number; text: string }> => {
    const n = batchNo++;
    const now = Date.now();
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
      request_id: `drill-${n}-${i}`,
      timestamp: new Date(now - (i + 1) * 1_000).toISOString(),
      model: 'gpt-4o-mini',
      provider: 'openai',
      input_tokens: 100 + i,
      output_tokens: 10,
      latency_ms: 300,
      feature: 'drill',
    }));
    const r = await call(app, 'POST', '/api/ingest/calls', ingestKey, records);
    if (r.status === 202) {
      const body = JSON.parse(r.text) as { accepted: number };
      if (body.accepted !== RECORDS_PER_BATCH) problems.push(`batch ${n}: ${body.accepted} of ${RECORDS_PER_BATCH} accepted`);
      else for (const rec of records) acked.add(rec.request_id);
    }
    return r;
  };
  const gatewayCall = async (): Promise<{ status: number; text: string }> => {
    const r = await call(app, 'POST', '/v1/chat/completions', gatewayKey, { model: 'gpt-4o', max_tokens: 20, messages: [{ role: 'user', content: `drill ${randomBytes(4).toString('hex')} [usage:10/10]` }] });
    if (r.status === 200) gatewayAcked.add(r.headers.get('x-netra-request-id') ?? '');
    else if (r.status === 429 && r.text.includes('budget_exceeded')) refusedByBudget++;
    return r;
  };
  const round = async () => {
    for (let i = 0; i < BATCHES_PER_ROUND; i++) await ingestBatch();
    for (let i = 0; i < GATEWAY_PER_ROUND; i++) await gatewayCall();
  };
  const newThread = async () => (await ok<{ id: string }>(call(app, 'POST', '/api/threads', user.access_token, { title: 'drill' }), 'thread')).id;
  const startRun = async (): Promise<{ s: RunSocket; runId: string } | null> => {
    const s = new RunSocket(app, user.access_token, await newThread());
    await s.open();
    s.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: s.thread } });
    const started = await s.waitFor((e) => e.type === 'agent_started' || e.type === 'error', 30_000);
    if (started?.type !== 'agent_started') {
      problems.push(`a run did not start: ${JSON.stringify(started?.data ?? 'no answer')}`);
      s.close();
      return null;
    }
    return { s, runId: started.metadata.run_id! };
  };
  /** Waits for the run's end, then replays the thread's whole log and counts its completions and tool calls. */
  const settle = async (phase: string, run: { s: RunSocket; runId: string } | null, restoredAt: number) => {
    if (!run) return;
    const end = await run.s.waitFor((e) => e.type === 'agent_completed' && e.metadata.run_id === run.runId, RUN_WAIT_MS);
    const endedAt = Date.now();
    run.s.close();
    const replay = new RunSocket(app, user.access_token, run.s.thread);
    await replay.open(); // resumes from seq 0: the thread's whole log
    await replay.waitFor((e) => e.type === 'agent_completed', 10_000);
    await sleep(500);
    replay.close();
    const calls = new Map<string, number>();
    for (const e of replay.events) if (e.type === 'tool_call') calls.set(String(e.data.call_id), (calls.get(String(e.data.call_id)) ?? 0) + 1);
    runs.push({
      phase,
      run_id: run.runId,
      status: end ? String(end.data.status) : 'not finished',
      completions: replay.events.filter((e) => e.type === 'agent_completed' && e.metadata.run_id === run.runId).length,
      duplicate_tool_calls: [...calls.values()].reduce((a, n) => a + n - 1, 0),
      after_restore_s: end ? Math.max(0, (endedAt - restoredAt) / 1000) : null,
    });
  };
  const signIn = async (): Promise<Session> => {
    const s = await login();
    issuedSecrets.push(s.access_token, s.refresh_token);
    return s;
  };
  const logout = async (s: Session): Promise<{ status: number; text: string }> => {
    const r = await call(app, 'POST', '/api/auth/logout', s.access_token);
    if (r.status === 204) revoked.push(s.access_token);
    return r;
  };
  const probe = async (store: Store, label: string, send: () => Promise<{ status: number; text: string }>) => {
    const r = await send();
    outageAnswers.push({ store, request: label, status: r.status, names: r.status >= 500 ? namedStore(r.text) : null, ...(r.status >= 500 ? { body: r.text.slice(0, 300) } : {}) });
  };
  const waitReady = async () => {
    for (let i = 0; i < 120; i++) {
      if ((await call(app, 'GET', '/health/ready', null)).status === 200) return;
      await sleep(500);
    }
    problems.push('the app was not ready again within 60 s');
  };

  say('warm-up traffic');
  await round();
  let faults = 0;
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  for (const store of ['postgres', 'clickhouse', 'redis'] as const) {
    say(`${store}: traffic, a revocation, a run; then ${store} stops`);
    await round();
    await logout(await signIn());
    const spare = await signIn(); // logged out during the outage
    const before = await startRun();
    await app.outage(store, 'stop');
    faults++;
    await probe(store, 'GET /health/ready', () => call(app, 'GET', '/health/ready', null));
    await probe(store, 'GET /api/auth/me', () => call(app, 'GET', '/api/auth/me', user.access_token));
    await probe(store, 'POST /api/threads', () => call(app, 'POST', '/api/threads', user.access_token, { title: 'during' }));
    await probe(store, 'GET /api/analytics/summary', () => call(app, 'GET', `/api/analytics/summary?from=${from}&to=${to}`, ingestKey));
    await probe(store, 'POST /api/ingest/calls', ingestBatch);
    await probe(store, 'POST /v1/chat/completions', gatewayCall);
    await probe(store, 'POST /api/auth/logout', () => logout(spare));
    // A revoked token is never let in, outage or not.
    for (const token of revoked) {
      const r = await call(app, 'GET', '/api/auth/me', token);
      if (r.status === 200) outageAnswers.push({ store, request: 'revoked token accepted', status: 200, names: null });
    }
    await app.outage(store, 'start');
    const restoredAt = Date.now();
    await waitReady();
    say(`${store}: back; traffic and a run after it`);
    await round();
    const after = await startRun();
    await settle(`${store} outage (started before)`, before, restoredAt);
    await settle(`after ${store} outage`, after, restoredAt);
  }

  say('worker: a run in flight, then kill -9 of wrangler dev + workerd');
  await round();
  await logout(await signIn());
  const cut = await startRun();
  if (cut) await cut.s.waitFor((e) => e.type === 'tool_call', 30_000);
  await app.killWorker();
  faults++;
  await app.startWorker();
  const restoredAt = Date.now();
  await waitReady();
  say('worker: back; traffic after it');
  await round();
  await settle('worker restart (cut off mid-step)', cut, restoredAt);

  // Revocations after everything: each revoked token is refused.
  let revokedAccepted = outageAnswers.filter((a) => a.request === 'revoked token accepted').length;
  for (const token of revoked) if ((await call(app, 'GET', '/api/auth/me', token)).status === 200) revokedAccepted++;

  say('counting in ClickHouse');
  const counts = await storedCounts(app, orgId, acked.size + gatewayAcked.size);
  const recordsLost = [...acked].filter((id) => !counts.has(id)).length;
  const recordsDuplicated = [...acked].filter((id) => (counts.get(id) ?? 0) > 1).length;
  const gatewayLost = [...gatewayAcked].filter((id) => !counts.has(id)).length;
  const spentNano = gatewayAcked.size * eachNano;

  const wrongOutage = outageAnswers.filter((a) => a.status >= 500 && (a.status !== 503 || a.names !== a.store)).length;
  const log = readFileSync(app.logFile, 'utf8');
  const secretsInLogs = [...app.secrets, ...issuedSecrets].filter((s) => s && log.includes(s)).length;
  const completedAfterRestart = runs.filter((r) => r.status === 'completed' && r.completions === 1 && !r.phase.includes('started before')).length;
  for (const r of runs) {
    if (r.completions !== 1) problems.push(`run ${r.run_id} (${r.phase}) finished ${r.completions} times`);
    if (r.duplicate_tool_calls) problems.push(`run ${r.run_id} (${r.phase}) logged ${r.duplicate_tool_calls} tool calls twice`);
    if (!r.phase.includes('started before') && r.status !== 'completed') problems.push(`run ${r.run_id} (${r.phase}) is ${r.status}`);
    if (r.after_restore_s !== null && r.after_restore_s >= STEP_DEADLINE_S) problems.push(`run ${r.run_id} (${r.phase}) waited out a step deadline`);
  }
  return {
    faults_injected: faults,
    records_acknowledged: acked.size,
    records_lost: recordsLost,
    records_duplicated: recordsDuplicated,
    gateway_calls_acknowledged: gatewayAcked.size,
    gateway_calls_lost: gatewayLost,
    gateway_calls_refused_by_budget: refusedByBudget,
    budget: { limit_nano: limitNano, spent_nano: spentNano, overshot: spentNano > limitNano },
    runs,
    runs_completed_after_restart: completedAfterRestart,
    revoked_tokens_checked: revoked.length,
    revoked_tokens_accepted: revokedAccepted,
    outage_answers: outageAnswers,
    wrong_outage_answers: wrongOutage,
    secrets_in_logs: secretsInLogs,
    problems,
  };
}

/** Rows per request id of the org in llm_calls FINAL (as analytics counts), once `expected` ids are there or 90 s passed. */
async function storedCounts(app: RunningApp, orgId: string, expected: number): Promise<Map<string, number>> {
  const query = `SELECT request_id, count() AS n FROM llm_calls FINAL WHERE org_id = '${orgId.replace(/'/g, '')}' GROUP BY request_id FORMAT JSONEachRow`;
  let counts = new Map<string, number>();
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    const res = await fetch(`${app.stack.clickhouseUrl}/?database=default`, { method: 'POST', body: query }).catch(() => null);
    if (res?.ok) {
      const text = await res.text();
      counts = new Map(text.split('\n').filter(Boolean).map((l) => {
        const r = JSON.parse(l) as { request_id: string; n: string | number };
        return [r.request_id, Number(r.n)] as const;
      }));
      if (counts.size >= expected) return counts;
    }
    await sleep(1_000);
  }
  return counts;
}

/** What the app promised, broken: one line each. */
export function broken(f: DrillFindings): string[] {
  return [
    ...(f.records_lost ? [`${f.records_lost} acknowledged calls lost`] : []),
    ...(f.records_duplicated ? [`${f.records_duplicated} acknowledged calls counted twice`] : []),
    ...(f.gateway_calls_lost ? [`${f.gateway_calls_lost} gateway calls not recorded`] : []),
    ...(f.budget.overshot ? [`budget overshot: ${f.budget.spent_nano} > ${f.budget.limit_nano} nano-USD`] : []),
    ...(f.revoked_tokens_accepted ? [`${f.revoked_tokens_accepted} revoked tokens accepted`] : []),
    ...(f.wrong_outage_answers ? [`${f.wrong_outage_answers} outage answers were a 5xx other than a 503 naming the store`] : []),
    ...(f.secrets_in_logs ? [`${f.secrets_in_logs} secrets or tokens found in the Worker's log`] : []),
    ...f.problems,
  ];
}

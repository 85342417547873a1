// The supervisor and its sub-agents end to end: real telemetry in ClickHouse, a real WebSocket to the
// thread's Durable Object, the event sequence, the stored report — and its figures against the engine run
// in process over the same data.
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { tierLimits } from '../../engine/tiers';
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { STEP_LEASE_MS } from '../../durable-objects/supervisor/run-manager';
import { expectResumedOnce, threadStub } from './eviction';
import { describe, expect, it } from 'vitest';
import azureCsv from '../../../shared/data/azure_llm_inference_2023_code.csv?raw';
import mooncakeJsonl from '../../../shared/data/mooncake_synthetic_trace.jsonl?raw';
import { CATALOG } from '../../engine/catalog';
import type { Finding } from '../../engine/findings';
import { buildProfile } from '../../engine/profile/reference';
import { analyzeWorkload } from '../../engine/analyze';
import { generateWorkload } from '../../engine/synthetic';
import { parseStream } from '../../engine/telemetry/import';
import type { LlmCall } from '../../engine/telemetry/record';
import type { ServerEvent } from '../../protocol/messages';
import { orderSavings } from '../../durable-objects/agents/optimizer';
import { api, jsonRequest, stackControl } from './helpers';
import { clickhouse, drain } from './ingest-support';
import { setTier, signUp, type Tenant } from './tenancy';
import { ask, newThread } from './agent-support';
import { connect, type TestSocket } from './ws-client';

const AZURE = { format: 'azure_trace', model: 'gpt-4o', provider: 'openai' };
const MOONCAKE = { format: 'mooncake', model: 'claude-sonnet-4-5', provider: 'anthropic', start_time: '2026-11-01T00:00:00Z' };

async function importTrace(t: Tenant, body: string, opts: Record<string, string>): Promise<void> {
  const res = await api(`/api/ingest/import?${new URLSearchParams(opts)}`, { method: 'POST', headers: { ...t.headers, 'content-type': 'text/plain' }, body });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  await drain(t.org_id);
}

/** The same file parsed in process by the engine's own parser (the independent side of the comparison). */
async function parseInProcess(text: string, opts: Record<string, string>): Promise<LlmCall[]> {
  const calls: LlmCall[] = [];
  const stream = new Blob([text]).stream();
  const { format, ...options } = opts;
  for await (const r of parseStream(stream, { format: format as never, source: 'test', options, now_ms: Date.now(), future_tolerance_ms: 300_000 })) if (r.ok) calls.push(r.call);
  return calls;
}

const startedAgents = (events: ServerEvent[]) =>
  events.filter((e) => e.type === 'sub_agent_update' && e.data.status === 'started').map((e) => (e.type === 'sub_agent_update' ? e.data.sub_agent : ''));

interface ReportJson {
  id: string;
  markdown: string;
  data: { savings: (Finding & { cumulative_pct: number })[]; sufficiency: { score: number }; monthly_saving_usd: number; data_requests: unknown[]; what_if: { saving_usd_month: number; before_usd: number; from: { features: string[] } } | null; tools: string[] };
}

async function report(t: Tenant, id: string): Promise<ReportJson> {
  const res = await api(`/api/reports/${id}`, { headers: t.headers });
  expect(res.status).toBe(200);
  return (await res.json()) as ReportJson;
}

describe('agent run on the real trace sample', () => {
  it('streams the sub-agents and tools live and reports exactly the engine’s figures', async () => {
    const t = await signUp();
    await importTrace(t, azureCsv, AZURE);
    await importTrace(t, mooncakeJsonl, MOONCAKE);
    const thread = await newThread(t);
    const { s, events, completed } = await ask(t, thread, 'Where can we save money?');

    expect(events[0]?.type).toBe('agent_started');
    expect(startedAgents(events)).toEqual(['triage', 'data_intelligence', 'optimizations_core', 'data_helper', 'reporting']);
    for (const type of ['tool_call', 'tool_result', 'agent_log'] as const) expect(events.some((e) => e.type === type)).toBe(true);
    const calls = events.filter((e) => e.type === 'tool_call').length;
    expect(events.filter((e) => e.type === 'tool_result').length).toBe(calls);
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(completed.data.status).toBe('completed');
    expect(completed.data.report_id).toMatch(/^rep_/);
    s.close();

    const r = await report(t, completed.data.report_id!);
    expect(r.data.sufficiency.score).toBeGreaterThanOrEqual(40);
    expect(r.data.sufficiency.score).toBeLessThan(80);

    // The engine in process over the same two files, same window.
    const all = [...(await parseInProcess(azureCsv, AZURE)), ...(await parseInProcess(mooncakeJsonl, MOONCAKE))];
    const from = Math.min(...all.map((c) => c.timestamp));
    const to = Math.max(...all.map((c) => c.timestamp)) + 1;
    const profile = buildProfile(all, { from, to });
    const expected = orderSavings(analyzeWorkload(profile).findings, profile);
    expect(expected.length).toBeGreaterThan(0);
    const key = (f: Finding) => `${f.tool}|${JSON.stringify(Object.entries(f.where).sort())}|${f.saving_nanousd}`;
    expect(r.data.savings.map(key)).toEqual(expected.map(key));
    expect(r.data.monthly_saving_usd).toBe(analyzeWorkload(profile).combined_saving.saving_usd_month);

    const md = await api(`/api/reports/${r.id}?format=markdown`, { headers: t.headers });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toContain('## Savings');

    const status = await api(`/api/agent/status/${completed.metadata.run_id}`, { headers: t.headers });
    expect(await status.json()).toMatchObject({ run_id: completed.metadata.run_id, status: 'completed', report_id: r.id });
    const history = (await (await api('/api/agent/history', { headers: t.headers })).json()) as { items: { run_id: string }[] };
    expect(history.items.map((i) => i.run_id)).toContain(completed.metadata.run_id);
    const messages = (await (await api(`/api/threads/${thread}/messages`, { headers: t.headers })).json()) as { items: { role: string; content: string }[] };
    expect(messages.items.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages.items[0]!.content).toBe('Where can we save money?');
  });
});

describe('adaptive workflow by data sufficiency', () => {
  it('≥ 80 %: full pipeline with a plan and a gateway policy', async () => {
    const t = await signUp();
    const start = await api('/api/generation/start', jsonRequest('POST', { seed: 7, calls: 4000, days: 7, start: '2026-11-01T00:00:00Z' }, t.headers));
    expect(start.status).toBe(202);
    const job = ((await start.json()) as { job_id: string }).job_id;
    await expect.poll(async () => ((await (await api(`/api/generation/status/${job}`, { headers: t.headers })).json()) as { status: string }).status, { timeout: 60_000, interval: 300 }).toBe('completed');
    await drain(t.org_id);
    const thread = await newThread(t);
    const { s, events, completed } = await ask(t, thread, 'Cut our LLM costs by 30% please');
    expect(startedAgents(events)).toEqual(['triage', 'data_intelligence', 'optimizations_core', 'actions_to_meet_goals', 'reporting']);
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    const r = await report(t, completed.data.report_id!);
    expect(r.data.sufficiency.score).toBeGreaterThanOrEqual(80);
    expect(r.markdown).toContain('## Plan');
    expect(r.markdown).toContain('### Gateway policy');

    // Follow-up in the same thread: a what-if on one feature, answered by the simulator over the same data.
    const followUp = await ask(t, thread, 'what if only the summarize feature moves to gpt-4o-mini?');
    if (followUp.completed.type !== 'agent_completed') throw new Error('unreachable');
    const w = (await report(t, followUp.completed.data.report_id!)).data.what_if!;
    expect(w.from.features).toEqual(['summarize']);
    expect(followUp.completed.data.answer).toContain('summarize');
    // The same workload regenerated in process (the generator is seeded): the calls of that feature, summed here.
    const { calls } = generateWorkload({ seed: 7, calls: 4000, days: 7, start: Date.parse('2026-11-01T00:00:00Z') });
    const before = calls.filter((c) => c.feature === 'summarize').reduce((n, c) => n + (c.cost_nanousd ?? 0), 0);
    expect(w.before_usd).toBe(Math.round(before / 1e7) / 100);
    expect(w.saving_usd_month).toBeGreaterThan(0);
    s.close();
    followUp.s.close();
  });

  it('40–79 %: partial pipeline (data helper after the optimizer) with caveats — covered on the real traces above; here the score inputs are visible', async () => {
    const t = await signUp();
    await importTrace(t, mooncakeJsonl, { ...MOONCAKE, start_time: '2026-10-01T00:00:00Z' });
    await importTrace(t, azureCsv, AZURE);
    const thread = await newThread(t);
    const { s, completed } = await ask(t, thread, 'where does our money go?');
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    const r = await report(t, completed.data.report_id!);
    expect(r.markdown).toContain('partial analysis');
    expect(r.markdown).toMatch(/\| prefix_or_cache \| 10 \|/);
    expect(r.markdown).toContain('## What to send next');
    s.close();
  });

  it('< 40 %: data-helper answer naming what to send, plus quick wins, no optimizer', async () => {
    const t = await signUp();
    await importTrace(t, azureCsv, AZURE);
    const thread = await newThread(t);
    const { s, events, completed } = await ask(t, thread, 'why did our bill double?');
    expect(startedAgents(events)).toEqual(['triage', 'data_helper', 'reporting']);
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    const r = await report(t, completed.data.report_id!);
    expect(r.data.sufficiency.score).toBeLessThan(40);
    expect(r.data.data_requests.length).toBeGreaterThan(0);
    expect(r.markdown).toContain('## Quick wins that need no data');
    expect(r.markdown).toContain('/api/ingest/calls');
    s.close();
  });
});

describe('runs: limits, cancel, eviction, metering', () => {
  it('a 6th concurrent run is refused with concurrency_limit and nothing starts; cancel frees a slot', async () => {
    const t = await setTier(await signUp(), 'mid'); // the tiers that allow the maximum of 5 concurrent runs
    const threads = await Promise.all(Array.from({ length: 6 }, () => newThread(t)));
    // With ClickHouse away, runs sit in their retry back-off: five are in flight at once.
    expect((await stackControl('clickhouse/stop')).status).toBe(204);
    const sockets: TestSocket[] = [];
    try {
      for (const thread of threads.slice(0, 5)) {
        const s = await connect(t, thread);
        await s.waitFor((e) => e.type === 'connection_established');
        s.send({ action: 'start_agent', data: { message: 'where can we save?', thread_id: thread } });
        await s.waitFor((e) => e.type === 'agent_started');
        sockets.push(s);
      }
      const sixth = await connect(t, threads[5]!);
      await sixth.waitFor((e) => e.type === 'connection_established');
      sixth.send({ action: 'start_agent', data: { message: 'one more', thread_id: threads[5]! } });
      const refusal = await sixth.waitFor((e) => e.type === 'error');
      // Accepted at once (before the limits are checked), then refused: the refusal names that run.
      const accepted = sixth.events.find((e) => e.type === 'run_accepted');
      if (accepted?.type !== 'run_accepted') throw new Error('no run_accepted before the refusal');
      expect(sixth.events.indexOf(accepted)).toBeLessThan(sixth.events.indexOf(refusal));
      expect(refusal.data).toMatchObject({ code: 'concurrency_limit', details: { run_id: accepted.data.run_id } });
      expect(sixth.events.some((e) => e.type === 'agent_started')).toBe(false);

      const first = sockets[0]!;
      const runId = first.events.find((e) => e.type === 'agent_started')!.metadata.run_id!;
      first.send({ action: 'cancel', data: { run_id: runId } });
      const done = await first.waitFor((e) => e.type === 'agent_completed');
      expect(done.data).toMatchObject({ status: 'cancelled' });

      const from = sixth.events.length;
      sixth.send({ action: 'start_agent', data: { message: 'now?', thread_id: threads[5]! } });
      await sixth.waitFor((e) => e.type === 'agent_started', 10_000, from);
      sockets.push(sixth);
    } finally {
      expect((await stackControl('clickhouse/start')).status).toBe(204);
      for (const s of sockets) s.close();
    }
  });

  it('the tier’s runs per day are enforced: over the limit start_agent gets daily_limit', async () => {
    const t = await signUp(); // free tier
    const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    await redis.set(`runs:day:${t.user_id}:${new Date().toISOString().slice(0, 10)}`, tierLimits('free').runs_per_day, { ex: 3600 });
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'start_agent', data: { message: 'one more please', thread_id: thread } });
    const refusal = await s.waitFor((e) => e.type === 'error');
    const accepted = s.events.find((e) => e.type === 'run_accepted');
    if (accepted?.type !== 'run_accepted') throw new Error('no run_accepted before the refusal');
    expect(refusal.data).toMatchObject({ code: 'daily_limit', details: { limit: tierLimits('free').runs_per_day, run_id: accepted.data.run_id } });
    expect(s.events.some((e) => e.type === 'agent_started')).toBe(false);
    // Nothing of the refused run is left: its status is unknown.
    const status = await api(`/api/agent/status/${accepted.data.run_id}`, { headers: t.headers });
    expect(status.status).toBe(404);
    s.close();
  });

  it('cancel of another user’s run id is refused with run_not_found', async () => {
    const [a, b] = await Promise.all([signUp(), signUp()]);
    const threadA = await newThread(a);
    const threadB = await newThread(b);
    const run = await ask(a, threadA, 'hello');
    const s = await connect(b, threadB);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'cancel', data: { run_id: run.completed.metadata.run_id! } });
    expect((await s.waitFor((e) => e.type === 'error')).data).toMatchObject({ code: 'run_not_found' });
    s.close();
    run.s.close();
  });

  it('survives eviction mid-run: resumes from its checkpoint and completes exactly once', async () => {
    const t = await signUp();
    await importTrace(t, mooncakeJsonl, MOONCAKE);
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread } });
    await s.waitFor((e) => e.type === 'agent_started');
    await abortAllDurableObjects();
    await expectResumedOnce(thread);
    s.close();
  }, 240_000);

  it('a restart mid-step: the step cut off is re-run at once, not at its deadline, and its tool call is logged once', async () => {
    const t = await signUp();
    await importTrace(t, mooncakeJsonl, MOONCAKE);
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    // ClickHouse holds every query: triage's data_coverage is in flight until the instance running it is gone.
    expect((await stackControl('clickhouse/hold')).status).toBe(204);
    let before: { owner: string; started_at: number };
    try {
      s.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread } });
      await s.waitFor((e) => e.type === 'tool_call' && e.data.tool === 'data_coverage');
      before = await runInDurableObject(threadStub(thread), (_o, state) => state.storage.sql.exec<{ owner: string; started_at: number }>('SELECT owner, started_at FROM step_leases').one());
      await abortAllDurableObjects();
    } finally {
      expect((await stackControl('clickhouse/release')).status).toBe(204);
    }
    // The new instance (started by this call; a stub from before the abort is dead) finds the dead one's lease on start.
    const after = await runInDurableObject(threadStub(thread), async (_o, state) => {
      const sql = state.storage.sql;
      return {
        lease: sql.exec<{ owner: string; started_at: number }>('SELECT owner, started_at FROM step_leases').one(),
        due: sql.exec<{ due_at: number }>("SELECT due_at FROM timers WHERE name LIKE 'run:%'").one().due_at,
        alarm: await state.storage.getAlarm(),
        now: Date.now(),
      };
    });
    if (after.lease.owner === before.owner) {
      // Not re-run yet: due now (the old guard waited out the step's 120 s deadline from its start).
      expect(after.due).toBeLessThanOrEqual(after.now);
      expect(after.alarm).not.toBeNull();
      expect(after.alarm!).toBeLessThanOrEqual(after.now);
    } else {
      // Already re-run by the new instance, which guards it a lease away.
      expect(after.lease.started_at).toBeGreaterThan(before.started_at);
      expect(after.due - after.lease.started_at).toBeLessThanOrEqual(STEP_LEASE_MS);
    }
    const events = await expectResumedOnce(thread);
    expect(events.filter((e) => e.type === 'tool_call' && e.tool === 'data_coverage')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'tool_result' && e.tool === 'data_coverage')).toHaveLength(1);
    s.close();
  }, 240_000);

  it('ClickHouse down during a run: its usage events wait in the outbox and arrive later, each exactly once', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    expect((await stackControl('clickhouse/stop')).status).toBe(204);
    let pending = 0;
    let tools = 0;
    try {
      const { s, events, completed } = await ask(t, thread, 'where can we save money?');
      expect(completed.data).toMatchObject({ status: 'failed' });
      expect(events.some((e) => e.type === 'error' && e.data.code === 'dependency_unavailable')).toBe(true);
      tools = events.filter((e) => e.type === 'tool_result').length;
      pending = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE kind = 'usage_event'").one().n);
      // run_started + one per tool call + run_finished
      expect(pending).toBe(tools + 2);
      s.close();
    } finally {
      expect((await stackControl('clickhouse/start')).status).toBe(204);
    }
    const left = await stub.flushNow();
    expect(left).toBe(0);
    await stub.flushNow();
    const rows = await clickhouse<{ n: string }>('SELECT count() AS n FROM workload_events FINAL WHERE org_id = {org:String}', { org: t.org_id });
    expect(Number(rows[0]!.n)).toBe(pending);
  });

  it('start_agent sent at once from four tabs: one run starts, the others are refused with run_already_active', async () => {
    // From several sockets: the runtime hands one socket's frames to the DO one handler at a time, not several sockets'.
    const t = await signUp();
    const thread = await newThread(t);
    const tabs = await Promise.all([1, 2, 3, 4].map(() => connect(t, thread)));
    await Promise.all(tabs.map((s) => s.waitFor((e) => e.type === 'connection_established')));
    // The frames queue up behind the DO's closed input gate, so they are handed over one right after another.
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    const gate = runInDurableObject(stub, (_o, state) => state.blockConcurrencyWhile(() => new Promise((r) => setTimeout(r, 300))));
    await new Promise((r) => setTimeout(r, 100));
    for (const s of tabs) s.send({ action: 'start_agent', data: { message: 'hello', thread_id: thread } });
    await gate;
    await Promise.all(tabs.map((s) => s.waitFor((e) => e.type === 'agent_completed')));
    const replies = tabs.flatMap((s) => s.events.filter((e) => e.type === 'run_accepted' || e.type === 'error').map((e) => (e.type === 'error' ? e.data.code : e.type)));
    expect(replies.sort()).toEqual(['run_accepted', 'run_already_active', 'run_already_active', 'run_already_active']);
    const runs = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ status: string }>('SELECT status FROM runs').toArray().map((r) => r.status));
    expect(runs).toEqual(['completed']);
    expect(tabs[0]!.events.filter((e) => e.type === 'agent_started')).toHaveLength(1);
    for (const s of tabs) s.close();
  });

  it("an 'admitting' row left by the older version (reservations were written then) is dropped when the schema is brought up to date", async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.close();
    await runInDurableObject(threadStub(thread), (_o, state) => {
      const sql = state.storage.sql;
      sql.exec("INSERT INTO runs (run_id, user_id, status, state, checkpoint, created_at, updated_at) VALUES ('run_left', ?, 'admitting', 'received', '{}', ?, ?)", t.user_id, Date.now(), Date.now());
      sql.exec('UPDATE schema_version SET version = version - 1');
    });
    await abortAllDurableObjects();
    const left = await runInDurableObject(threadStub(thread), (_o, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM runs').one().n);
    expect(left).toBe(0);
  });

  it('bad input: empty and huge messages get error events and start nothing', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    for (const message of ['', 'x'.repeat(20_000)]) {
      const from = s.events.length;
      s.send({ action: 'start_agent', data: { message, thread_id: thread } });
      expect((await s.waitFor((e) => e.type === 'error', 10_000, from)).data).toMatchObject({ code: 'invalid_message' });
    }
    expect(s.events.some((e) => e.type === 'agent_started')).toBe(false);
    s.close();
  });
});

describe('the answer follows the question', () => {
  it('"hello" runs no tool; two questions on the same data get different answers; "keep gpt-4o" moves no gpt-4o traffic', async () => {
    const t = await signUp();
    const start = await api('/api/generation/start', jsonRequest('POST', { seed: 11, calls: 3000, days: 7, start: '2026-11-01T00:00:00Z' }, t.headers));
    const job = ((await start.json()) as { job_id: string }).job_id;
    await expect.poll(async () => ((await (await api(`/api/generation/status/${job}`, { headers: t.headers })).json()) as { status: string }).status, { timeout: 60_000, interval: 300 }).toBe('completed');
    await drain(t.org_id);
    const thread = await newThread(t);
    const hello = await ask(t, thread, 'hello');
    expect(hello.events.filter((e) => e.type === 'tool_call')).toEqual([]);
    expect(startedAgents(hello.events)).toEqual(['triage', 'reporting']);
    if (hello.completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(hello.completed.data.status).toBe('completed');
    expect(hello.completed.data.answer).toMatch(/^Hi, I analyse/);

    const money = await ask(t, thread, 'Where does our money go?');
    const latency = await ask(t, thread, 'What are our p95 latencies by model?');
    if (money.completed.type !== 'agent_completed' || latency.completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(money.completed.data.answer).toMatch(/^You spent \$/);
    expect(latency.completed.data.answer).toMatch(/^The slowest at p95 is /);
    const tools = (events: ServerEvent[]) => events.flatMap((e) => (e.type === 'tool_call' ? [e.data.tool] : []));
    expect(tools(money.events)).toContain('spend_breakdown');
    expect(tools(latency.events)).toContain('latency_table');
    expect(tools(latency.events)).not.toContain('optimizer');
    // Every tool_result wraps a real execution: one per tool_call, same call id, no synthetic family pairs.
    for (const run of [money, latency]) {
      const calls = run.events.filter((e) => e.type === 'tool_call').map((e) => (e.type === 'tool_call' ? e.data.call_id : ''));
      const results = run.events.filter((e) => e.type === 'tool_result').map((e) => (e.type === 'tool_result' ? e.data.call_id : ''));
      expect(results).toEqual(calls);
      expect(tools(run.events).some((n) => n.endsWith('_tools') && n !== 'cache_tools')).toBe(false);
    }

    const keep = await ask(t, thread, 'Cut our costs by 30% but keep gpt-4o');
    if (keep.completed.type !== 'agent_completed') throw new Error('unreachable');
    const r = (await report(t, keep.completed.data.report_id!)) as ReportJson & { data: { plan: { steps: { tool: string; where: { model?: string } }[]; policy: { rules: { match: { model?: string }; route_to?: unknown }[] } | null } } };
    const moves = new Set(['model_downgrade', 'provider_switch', 'routing_policy', 'fallback_chains']);
    expect(r.data.plan.steps.filter((s) => moves.has(s.tool) && s.where.model === 'gpt-4o')).toEqual([]);
    expect((r.data.plan.policy?.rules ?? []).filter((x) => x.route_to && x.match.model === 'gpt-4o')).toEqual([]);
    // A trend question: the data step loads the period before too (two workload_profile calls), then the change.
    const trend = await ask(t, thread, 'Is our p99 latency getting worse?');
    if (trend.completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(tools(trend.events).filter((n) => n === 'workload_profile')).toHaveLength(2);
    expect(tools(trend.events)).toContain('latency_change');
    expect(trend.completed.data.answer).toMatch(/^p99 latency rose on \d+ of \d+ models and fell on \d+ \(/);
    for (const x of [hello, money, latency, keep, trend]) x.s.close();
  });
});

describe('questions that need no telemetry', () => {
  it('a catalog question is answered from the catalog (its one tool), with no telemetry at all', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const { s, events, completed } = await ask(t, thread, 'Cheapest model with at least 128k context?');
    expect(events.flatMap((e) => (e.type === 'tool_call' ? [e.data.tool] : []))).toEqual(['catalog_search']);
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(completed.data.status).toBe('completed');
    // The cheapest non-embedding model with ≥ 128k context, by a plain pass over the catalog.
    let m = CATALOG.find((x) => x.tier !== 'embedding' && x.context_window >= 128_000)!;
    for (const x of CATALOG) {
      if (x.tier === 'embedding' || x.context_window < 128_000) continue;
      const [p, q] = [x.input_per_m + x.output_per_m, m.input_per_m + m.output_per_m];
      if (p < q || (p === q && x.id < m.id)) m = x;
    }
    expect((completed.data.answer ?? "").startsWith(`The cheapest model with at least 128,000 tokens of context in the catalog is ${m.provider}/${m.id} `)).toBe(true);
    const how = await ask(t, thread, 'How do I send data?');
    expect(how.events.filter((e) => e.type === 'tool_call')).toEqual([]);
    if (how.completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(how.completed.data.answer).toContain('POST /api/ingest/calls');
    s.close();
    how.s.close();
  });
});

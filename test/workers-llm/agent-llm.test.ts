// The agent's LLM planning loop inside the thread's Durable Object, with the Worker configured for an
// OpenAI-compatible provider — a local server speaking the chat-completions wire format whose tool calls
// each test scripts. The thread's events show the model's tool calls in the order it made them, each
// tool_result with the duration measured around the real execution; an invented number drops the model's
// text; a provider error mid-loop hands over to the offline planner; an eviction mid-loop resumes and the
// run completes exactly once; the model's calls are metered as the org's usage events.
import { env } from 'cloudflare:workers';
import { abortAllDurableObjects } from 'cloudflare:test';
import { expectResumedOnce } from '../workers/eviction';
import { describe, expect, it } from 'vitest';
import mooncakeJsonl from '../../../shared/data/mooncake_synthetic_trace.jsonl?raw';
import type { ServerEvent } from '../../protocol/messages';
import type { ScriptedTurn } from '../support/llm-script';
import { api, jsonRequest } from '../workers/helpers';
import { clickhouse, drain } from '../workers/ingest-support';
import { signUp, type Tenant } from '../workers/tenancy';
import { connect, type TestSocket } from '../workers/ws-client';

const controlUrl = () => (env as unknown as { LLM_CONTROL_URL: string }).LLM_CONTROL_URL;

async function script(turns: ScriptedTurn[]): Promise<void> {
  const res = await fetch(`${controlUrl()}/script`, { method: 'POST', body: JSON.stringify({ turns }) });
  expect(res.status).toBe(204);
}

async function llmRequests(): Promise<{ requests: { path: string }[]; script_left: number }> {
  return (await (await fetch(`${controlUrl()}/requests`)).json()) as { requests: { path: string }[]; script_left: number };
}

async function tenantWithTrace(): Promise<{ t: Tenant; thread: string }> {
  const t = await signUp();
  const res = await api(`/api/ingest/import?${new URLSearchParams({ format: 'mooncake', model: 'claude-sonnet-4-5', provider: 'anthropic', start_time: '2026-11-01T00:00:00Z' })}`, {
    method: 'POST',
    headers: { ...t.headers, 'content-type': 'text/plain' },
    body: mooncakeJsonl,
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  await drain(t.org_id);
  const thread = ((await (await api('/api/threads', jsonRequest('POST', { title: 'llm' }, t.headers))).json()) as { id: string }).id;
  return { t, thread };
}

async function ask(t: Tenant, thread: string, message: string): Promise<{ s: TestSocket; events: ServerEvent[]; completed: ServerEvent }> {
  const s = await connect(t, thread);
  await s.waitFor((e) => e.type === 'connection_established');
  const from = s.events.length;
  s.send({ action: 'start_agent', data: { message, thread_id: thread } });
  const completed = await s.waitFor((e) => e.type === 'agent_completed' || e.type === 'error', 120_000, from);
  return { s, events: s.events.slice(from).filter((e) => !e.metadata.local), completed };
}

const toolEvents = (events: ServerEvent[]) =>
  events.flatMap((e) => (e.type === 'tool_call' ? [`call:${e.data.tool}`] : e.type === 'tool_result' ? [`result:${e.data.tool}`] : [])).filter((x) => !x.endsWith(':workload_profile') && !x.endsWith(':data_coverage'));

const logs = (events: ServerEvent[]) => events.flatMap((e) => (e.type === 'agent_log' ? [e.data] : []));

describe('LLM planning loop in the Durable Object', () => {
  it('runs the tool calls the model makes, in order, with measured durations; keeps a text made of tool figures; meters each model call', async () => {
    const { t, thread } = await tenantWithTrace();
    await script([
      { tool_calls: [{ name: 'spend_breakdown', arguments: { features: [] } }] },
      { tool_calls: [{ name: 'optimizer', arguments: {} }, { name: 'latency_table', arguments: { features: [], models: [] } }] },
      { text: 'Most of the spend is on claude-sonnet-4-5; the plan below starts with the safest saving.' },
    ]);
    const { s, events, completed } = await ask(t, thread, 'Where does our money go, and how do we cut it?');
    s.close();
    expect(completed.type).toBe('agent_completed');
    expect(logs(events).some((l) => /planning with openai/.test(l.message))).toBe(true);
    const agentTools = toolEvents(events).filter((x) => /:(optimizer|latency_table|spend_breakdown)$/.test(x));
    expect(agentTools).toEqual(['call:spend_breakdown', 'result:spend_breakdown', 'call:optimizer', 'result:optimizer', 'call:latency_table', 'result:latency_table']);
    for (const e of events) if (e.type === 'tool_result') expect(typeof e.data.duration_ms).toBe('number');
    if (completed.type !== 'agent_completed') throw new Error('unreachable');
    expect(completed.data.answer, JSON.stringify(logs(events))).toContain('Most of the spend is on claude-sonnet-4-5; the plan below starts with the safest saving.');
    // every scripted turn was asked for, in three model calls
    const seen = await llmRequests();
    expect(seen.script_left).toBe(0);
    expect(seen.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(3);
    // the model's three calls are the org's usage events (through the DO outbox)
    await expect
      .poll(async () => Number((await clickhouse<{ n: string | number }>("SELECT count() AS n FROM workload_events FINAL WHERE org_id = {org:String} AND event_type = 'llm_call'", { org: t.org_id }))[0]?.n), { timeout: 60_000, interval: 500 })
      .toBe(3);
  }, 240_000);

  it('drops a final text with a number no tool produced', async () => {
    const { t, thread } = await tenantWithTrace();
    await script([{ tool_calls: [{ name: 'spend_breakdown', arguments: {} }] }, { text: 'You could save $98,765.43 per month by switching.' }]);
    const { s, events, completed } = await ask(t, thread, 'Where does our money go?');
    s.close();
    if (completed.type !== 'agent_completed') throw new Error(`run ended with ${completed.type}`);
    expect(completed.data.answer).not.toContain('98,765.43');
    expect(logs(events).some((l) => l.level === 'warn' && /dropped/.test(l.message))).toBe(true);
  }, 240_000);

  it('a provider error mid-loop hands over to the offline planner with a clear agent_log, and the run completes', async () => {
    const { t, thread } = await tenantWithTrace();
    await script([{ tool_calls: [{ name: 'latency_table', arguments: {} }] }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const { s, events, completed } = await ask(t, thread, 'What are our p95 latencies by model, and how do we lower them?');
    s.close();
    expect(completed.type).toBe('agent_completed');
    expect(logs(events).find((l) => /offline planner takes over/.test(l.message))?.level).toBe('warn');
    // the tool the model already ran is not run again by the offline plan
    expect(toolEvents(events).filter((x) => x === 'call:latency_table')).toHaveLength(1);
    expect(toolEvents(events)).toContain('call:latency_levers');
  }, 240_000);

  it('evicted mid-loop: the run resumes from its checkpoint and completes exactly once', async () => {
    const { t, thread } = await tenantWithTrace();
    await script([
      { tool_calls: [{ name: 'latency_table', arguments: {} }] },
      { tool_calls: [{ name: 'latency_levers', arguments: {} }] },
      { text: 'The table below ranks your models by p95 latency.' },
      { text: 'The table below ranks your models by p95 latency.' },
    ]);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'start_agent', data: { message: 'What are our p95 latencies by model?', thread_id: thread } });
    await s.waitFor((e) => e.type === 'tool_result' && e.data.tool === 'latency_table', 120_000);
    await abortAllDurableObjects();
    await expectResumedOnce(thread);
    s.close();
  }, 240_000);
});

// The LLM planning loop against a local server speaking the OpenAI chat-completions wire format with
// scripted tool calls (streamed and not): the tools run for real in the order the model asked, their
// durations measured around the real execution; an invented number drops the model's text; a provider
// error hands over to the offline planner; a loop interrupted mid-way resumes without re-running anything.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLlmLoop, type LoopState } from '../../../durable-objects/agents/llm-planner';
import { Anthropic } from '../../../durable-objects/llm/anthropic';
import { Gemini } from '../../../durable-objects/llm/gemini';
import { OpenAiCompatible } from '../../../durable-objects/llm/openai';
import type { PlannedCall } from '../../../engine/agent/plan';
import { parseRequest } from '../../../engine/agent/request';
import { runAgentTool } from '../../../engine/agent/tools';
import { buildProfile } from '../../../engine/profile/reference';
import { generateWorkload } from '../../../engine/synthetic';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm';

const calls = generateWorkload({ seed: 5, calls: 3000, days: 7, start: Date.UTC(2026, 10, 1) }).calls;
const last = calls.at(-1)!.timestamp;
const profile = buildProfile(calls, { from: calls[0]!.timestamp, to: last + 1 });
const features = [...new Set(profile.segments.map((s) => s.feature).filter(Boolean))];

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.script.length = 0;
});

interface Event {
  type: 'tool_call' | 'tool_result';
  tool: string;
  duration_ms?: number;
}

/** What the DO does around each tool: a tool_call event, the real execution, a tool_result with its measured duration. */
type ProviderKind = 'openai' | 'anthropic' | 'gemini';
const makeProvider = (kind: ProviderKind) =>
  kind === 'openai' ? new OpenAiCompatible(fake.key, `${fake.url}/v1`) : kind === 'anthropic' ? new Anthropic(fake.key, fake.url) : new Gemini(fake.key, fake.url);

function harness(opts: { crashOn?: number; provider?: ProviderKind } = {}) {
  const events: Event[] = [];
  const logs: { level: string; message: string }[] = [];
  const llmCalls: { input_tokens: number; output_tokens: number }[] = [];
  let stored: string | undefined;
  let executions = 0;
  const runTool = async (call: PlannedCall) => {
    executions++;
    if (opts.crashOn === executions) throw new Error('evicted');
    events.push({ type: 'tool_call', tool: call.tool });
    const started = performance.now();
    const output = runAgentTool(call.tool, call.input, { profile, previous: profile });
    events.push({ type: 'tool_result', tool: call.tool, duration_ms: performance.now() - started });
    return output;
  };
  return {
    events,
    logs,
    llmCalls,
    executions: () => executions,
    deps: (message: string, stream: boolean) => ({
      provider: makeProvider(opts.provider ?? 'openai'),
      model: 'gpt-4o-mini',
      message,
      request: parseRequest(message, last),
      features,
      runTool,
      onLlmCall: (c: { input_tokens: number; output_tokens: number }) => llmCalls.push(c),
      log: (level: 'info' | 'warn', m: string) => logs.push({ level, message: m }),
      state: { load: () => (stored ? (JSON.parse(stored) as LoopState) : undefined), save: (s: LoopState) => void (stored = JSON.stringify(s)) },
      stream,
    }),
  };
}

describe.each([
  ['openai', true],
  ['openai', false],
  ['anthropic', true],
  ['anthropic', false],
  ['gemini', true],
  ['gemini', false],
] as [ProviderKind, boolean][])('LLM planning loop (%s, streamed: %s)', (kind, stream) => {
  it('runs the tool calls the model asks for, in order, and keeps a final text made of tool figures', async () => {
    const h = harness({ provider: kind });
    const table = runAgentTool('latency_table', { features: [], models: [] }, { profile, previous: null }) as { provider: string; model: string; latency_ms: { p95: number } }[];
    const slowest = table[0]!;
    fake.script.push(
      { tool_calls: [{ name: 'latency_table', arguments: { features: [], models: [] } }] },
      { tool_calls: [{ name: 'latency_levers', arguments: {} }, { name: 'spend_breakdown', arguments: { features: [] } }] },
      { text: `The slowest model is ${slowest.model} at ${slowest.latency_ms.p95} ms p95.` },
    );
    const out = await runLlmLoop(h.deps('What are our p95 latencies by model?', stream));
    expect(out.by).toBe('llm');
    expect(h.events.map((e) => `${e.type}:${e.tool}`)).toEqual([
      'tool_call:latency_table',
      'tool_result:latency_table',
      'tool_call:latency_levers',
      'tool_result:latency_levers',
      'tool_call:spend_breakdown',
      'tool_result:spend_breakdown',
    ]);
    for (const e of h.events.filter((x) => x.type === 'tool_result')) expect(e.duration_ms).toBeGreaterThan(0);
    expect(out.planned.map((c) => c.tool)).toEqual(['latency_table', 'latency_levers', 'spend_breakdown']);
    expect(out.text).toBe(`The slowest model is ${slowest.model} at ${slowest.latency_ms.p95} ms p95.`);
    // Three model turns, each metered; the tools went back to the model as tool messages with their call ids.
    expect(h.llmCalls).toHaveLength(3);
    const last = fake.requests.at(-1)!;
    const third = last.body as {
      messages?: { role: string; tool_call_id?: string; content: unknown }[];
      contents?: { role: string; parts: { functionResponse?: { name: string } }[] }[];
      tools: { name?: string; function?: { name: string }; functionDeclarations?: { name: string }[] }[];
      stream?: boolean;
    };
    if (kind === 'gemini') expect(last.path.includes(':streamGenerateContent')).toBe(stream);
    else expect(third.stream).toBe(stream);
    // The three tool results went back to the model, in each wire format's own shape.
    const results =
      kind === 'openai'
        ? third.messages!.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)
        : kind === 'anthropic'
          ? third.messages!.flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string; tool_use_id?: string }[]).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : []))
          : third.contents!.flatMap((c) => c.parts.flatMap((p) => (p.functionResponse ? [p.functionResponse.name] : [])));
    expect(results).toHaveLength(3);
    const names = third.tools.flatMap((t) => (t.functionDeclarations ? t.functionDeclarations.map((d) => d.name) : [t.function?.name ?? t.name]));
    expect(names).toContain('what_if');
  });

  it('drops a final text with a number no tool produced', async () => {
    const h = harness({ provider: kind });
    fake.script.push({ tool_calls: [{ name: 'spend_breakdown', arguments: {} }] }, { text: 'You could save $98,765.43 per month by switching.' });
    const out = await runLlmLoop(h.deps('Where does our money go?', stream));
    expect(out.text).toBeNull();
    expect(h.logs.some((l) => l.level === 'warn' && /dropped/.test(l.message))).toBe(true);
    expect(out.outputs.spend_breakdown).toBeDefined();
  });
});

describe('LLM planning loop: failures', () => {
  it('a provider error mid-loop falls back to the offline planner with a clear agent_log', async () => {
    const h = harness();
    // The first turn is served; the next request and its retry fail.
    fake.script.push({ tool_calls: [{ name: 'latency_table', arguments: {} }] }, { status: 500 }, { status: 500 });
    const out = await runLlmLoop(h.deps('What are our p95 latencies by model, and how do we lower them?', true));
    expect(out.by).toBe('offline');
    expect(out.text).toBeNull();
    expect(h.logs.find((l) => /offline planner takes over/.test(l.message))?.level).toBe('warn');
    // The offline plan's remaining tool ran; the one the model already ran was not repeated.
    expect(out.planned.map((c) => c.tool)).toEqual(['latency_table', 'latency_levers']);
  });

  it('a refused tool call (unknown tool, bad input) is answered to the model, not executed', async () => {
    const h = harness();
    fake.script.push({ tool_calls: [{ name: 'rm_rf', arguments: {} }, { name: 'what_if', arguments: { share: 7 } }] }, { text: 'Done.' });
    const out = await runLlmLoop(h.deps('Where does our money go?', false));
    expect(h.logs.filter((l) => /refused/.test(l.message))).toHaveLength(2);
    expect(out.planned.map((c) => c.tool)).toEqual(['spend_breakdown']);
    expect(out.text).toBe('Done.');
  });

  it('the step budget stops the loop', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) fake.script.push({ tool_calls: [{ name: 'spend_breakdown', arguments: {} }] });
    const deps = { ...h.deps('Where does our money go?', true), budgets: { max_steps: 2, max_tokens: 1_000_000 } };
    const out = await runLlmLoop(deps);
    expect(h.llmCalls).toHaveLength(2);
    expect(h.logs.some((l) => /budget/.test(l.message))).toBe(true);
    expect(out.text).toBeNull();
  });

  it('interrupted mid-loop (the isolate dies in a tool), it resumes from its checkpoint: no tool and no model turn twice', async () => {
    const h = harness({ crashOn: 2 });
    fake.script.push(
      { tool_calls: [{ name: 'latency_table', arguments: {} }] },
      { tool_calls: [{ name: 'latency_levers', arguments: {} }] },
      { text: 'Latency table and levers are in the report.' },
    );
    const deps = h.deps('What are our p95 latencies by model?', true);
    await expect(runLlmLoop(deps)).rejects.toThrow('evicted');
    const turnsBefore = fake.requests.length;
    expect(turnsBefore).toBe(2);
    const out = await runLlmLoop(deps);
    expect(out.by).toBe('llm');
    expect(out.text).toBe('Latency table and levers are in the report.');
    expect(fake.requests.length - turnsBefore).toBe(1);
    expect(h.events.filter((e) => e.type === 'tool_result').map((e) => e.tool)).toEqual(['latency_table', 'latency_levers']);
    expect(h.llmCalls).toHaveLength(3);
  });
});

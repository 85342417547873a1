import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Anthropic } from '../../../durable-objects/llm/anthropic';
import { Gemini } from '../../../durable-objects/llm/gemini';
import { OpenAiCompatible } from '../../../durable-objects/llm/openai';
import { selectProvider } from '../../../durable-objects/llm/select';
import { LlmError, type LlmProvider } from '../../../durable-objects/llm/types';
import { WorkersAi } from '../../../durable-objects/llm/workers-ai';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const providers: [string, () => LlmProvider, string][] = [
  ['openai-compatible', () => new OpenAiCompatible(fake.key, `${fake.url}/v1`), 'gpt-4o-mini'],
  ['anthropic', () => new Anthropic(fake.key, fake.url), 'claude-haiku-4-5'],
  ['gemini', () => new Gemini(fake.key, fake.url), 'gemini-2.5-flash'],
];

describe.each(providers)('%s provider', (_name, make, model) => {
  const req = { model, max_tokens: 200, messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Where is the money?' }] };

  it('streams the answer, counts tokens and times it', async () => {
    const deltas: string[] = [];
    const out = await make().complete(req, { onDelta: (d) => deltas.push(d) });
    expect(out.text).toBe(fake.reply);
    expect(deltas.length).toBe(5);
    expect(deltas.join('')).toBe(fake.reply);
    expect(out.input_tokens).toBe(42);
    expect(out.output_tokens).toBe(5);
    expect(out.ttft_ms).not.toBeNull();
    expect(out.latency_ms).toBeGreaterThanOrEqual(out.ttft_ms!);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    fake.failNext(1, 429);
    fake.failNext(1, 503);
    const out = await make().complete(req, { retries: 2 });
    expect(out.text).toBe(fake.reply);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after its retries with a retryable error', async () => {
    fake.failNext(2, 500);
    await expect(make().complete(req, { retries: 1 })).rejects.toMatchObject({ status: 500, retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a request error (bad key → 401)', async () => {
    const bad = _name === 'openai-compatible' ? new OpenAiCompatible('wrong', `${fake.url}/v1`) : _name === 'anthropic' ? new Anthropic('wrong', fake.url) : new Gemini('wrong', fake.url);
    const err = await bad.complete(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('Workers AI provider', () => {
  it('reads the binding stream (SSE of response chunks, usage last)', async () => {
    const chunks = ['data: {"response":"Cache "}\n\n', 'data: {"response":"it."}\n\n', 'data: {"response":"","usage":{"prompt_tokens":9,"completion_tokens":2}}\n\n', 'data: [DONE]\n\n'];
    const binding = {
      run: async () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
            c.close();
          },
        }),
    };
    const out = await new WorkersAi(binding).complete({ model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(out).toMatchObject({ text: 'Cache it.', input_tokens: 9, output_tokens: 2, provider: 'workers-ai' });
  });
});

describe('provider selection', () => {
  it('uses the first configured key, and none means the offline reasoner', () => {
    expect(selectProvider({})).toBeNull();
    expect(selectProvider({ GEMINI_API_KEY: 'k' })?.name).toBe('gemini');
    expect(selectProvider({ ANTHROPIC_API_KEY: 'k', GEMINI_API_KEY: 'k' })?.name).toBe('anthropic');
    expect(selectProvider({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' })?.name).toBe('openai');
  });
});

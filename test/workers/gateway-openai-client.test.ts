// The official `openai` npm client against the gateway, unchanged but for its base URL and key: plain answers,
// streams, tool calls and errors (the SDK's own error classes from our OpenAI-shaped error bodies).
import { exports } from 'cloudflare:workers';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatewayOrg, marker } from './gateway-support';

let client: OpenAI;
beforeAll(async () => {
  const org = await gatewayOrg();
  client = new OpenAI({ apiKey: org.key, baseURL: 'http://api.test/v1', maxRetries: 0, fetch: (input, init) => exports.default.fetch(new Request(input as RequestInfo, init as RequestInit)) });
});

describe('openai npm client', () => {
  it('chat completion', async () => {
    const r = await client.chat.completions.create({ model: 'claude-3-5-haiku', messages: [{ role: 'user', content: `${marker()} [usage:12/3]` }] });
    expect(r.choices[0]!.message.content).toBe('Your biggest saving is caching.');
    expect(r.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3 });
  });

  it('streaming', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: marker() }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Your biggest saving is caching.');
    expect(usage?.prompt_tokens).toBe(42);
  });

  it('tool calls, streamed and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const r = await client.chat.completions.create({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: `${marker()} [call:weather]` }], tools });
    const call = r.choices[0]!.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('weather');
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${marker()} [call:weather]` }], tools });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls?.[0];
    expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'Paris' });
  });

  it('errors surface as the SDK error classes', async () => {
    const err = await client.chat.completions.create({ model: 'no-such-model-xyz', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    const bad = new OpenAI({ apiKey: 'nak_wrong', baseURL: 'http://api.test/v1', maxRetries: 0, fetch: (input, init) => exports.default.fetch(new Request(input as RequestInfo, init as RequestInit)) });
    await expect(bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

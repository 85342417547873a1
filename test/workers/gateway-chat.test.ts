// /v1/chat/completions and /v1/embeddings against the local fake upstream in each provider's wire format:
// answers and usage translated to OpenAI's shape, streaming chunk by chunk, tool calls, the call recorded as
// telemetry (feature and user from headers), and OpenAI-style errors for bad input and bad upstreams.
import { describe, expect, it, beforeAll } from 'vitest';
import { findModel } from '../../engine/catalog/index';
import { api, jsonRequest } from './helpers';
import { chat, chatOk, eventually, expectOpenAiError, fakeUrl, gatewayOrg, marker, sseData, upstreamRequests, type Completion, type GatewayOrg } from './gateway-support';
import { clickhouse, createKey, drain } from './ingest-support';
import { bearer } from './tenancy';

const REPLY = 'Your biggest saving is caching.';
const words = REPLY.match(/\S+\s*/g)!;

let org: GatewayOrg;
beforeAll(async () => {
  org = await gatewayOrg();
});

const user = (text: string) => [{ role: 'user', content: text }];

describe('chat completions, not streamed', () => {
  it.each([
    ['openai', 'gpt-4o-mini', '/v1/chat/completions'],
    ['anthropic', 'claude-3-5-haiku', '/v1/messages'],
  ])('%s: answer and usage in OpenAI shape', async (_provider, model, path) => {
    const m = marker();
    const { res, body } = await chatOk(org.key, { model, messages: [{ role: 'system', content: 'be brief' }, ...user(`${m} [usage:100/7]`)] });
    expect(body.choices[0]!.message).toMatchObject({ role: 'assistant', content: REPLY });
    expect(body.choices[0]!.finish_reason).toBe('stop');
    expect(body.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107 });
    expect(res.headers.get('x-netra-request-id')).toMatch(/^gwr_/);
    const seen = await upstreamRequests(m);
    expect(seen.map((r) => r.path)).toEqual([path]);
    if (path === '/v1/messages') expect(seen[0]!.body).toMatchObject({ system: 'be brief', model, messages: [{ role: 'user' }] });
  });

  it('gemini: generateContent translated', async () => {
    const m = marker();
    const { body } = await chatOk(org.key, { model: 'gemini-2.0-flash', messages: user(m) });
    expect(body.choices[0]!.message.content).toBe(REPLY);
    expect(body.usage.prompt_tokens).toBe(120);
    const seen = await upstreamRequests(m);
    expect(seen[0]!.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(seen[0]!.body).toMatchObject({ contents: [{ role: 'user', parts: [{ text: m }] }] });
  });

  it.each(['gpt-4o-mini', 'claude-3-5-haiku', 'gemini-2.0-flash'])('%s: tool calls pass through', async (model) => {
    const m = marker();
    const tools = [{ type: 'function', function: { name: 'weather', description: 'weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const { body } = await chatOk(org.key, { model, messages: user(`${m} [call:weather]`), tools });
    const call = body.choices[0]!.message.tool_calls?.[0];
    expect(body.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call?.function.name).toBe('weather');
    expect(JSON.parse(call!.function.arguments)).toEqual({ city: 'Paris' });
    // The tool result goes back in each provider's own shape.
    const m2 = marker();
    const follow = [...user(`${m2} [call:none]`), { role: 'assistant', content: null, tool_calls: [{ id: call!.id, type: 'function', function: { name: 'weather', arguments: call!.function.arguments } }] }, { role: 'tool', tool_call_id: call!.id, content: 'sunny' }];
    const second = await chatOk(org.key, { model, messages: follow, tools });
    expect(second.body.choices[0]!.message.tool_calls?.[0]?.function.name).toBe('none');
    const sent = JSON.stringify((await upstreamRequests(m2))[0]!.body);
    expect(sent).toContain('sunny');
  });
});

describe('usage details', () => {
  it.each([
    ['gpt-4o', false],
    ['claude-3-5-haiku', false],
    ['gemini-2.0-flash', true],
  ])('%s: cached and reasoning tokens in the answer and in the recorded call', async (model, stream) => {
    // 1000 prompt tokens of which 400 cached; 50 completion tokens of which 20 reasoning (Anthropic reports none apart).
    const reasoning = model.startsWith('claude') ? 0 : 20;
    const res = await chat(org.key, { model, messages: user(`${marker()} [usage:1000/50/400/${reasoning}]`), stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
    expect(res.status).toBe(200);
    const usage = stream ? (JSON.parse((await sseData(res)).at(-2)!) as Completion).usage : ((await res.json()) as Completion).usage;
    expect(usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: reasoning } });
    const id = res.headers.get('x-netra-request-id')!;
    const [row] = await eventually(
      async () => {
        await drain(org.tenant.org_id);
        return clickhouse<{ input_tokens: number; cached_input_tokens: number; output_tokens: number; reasoning_tokens: number }>('SELECT input_tokens, cached_input_tokens, output_tokens, reasoning_tokens FROM llm_calls FINAL WHERE org_id = {org:String} AND request_id = {id:String}', { org: org.tenant.org_id, id });
      },
      (r) => r.length === 1,
    );
    expect(row).toEqual({ input_tokens: 1000, cached_input_tokens: 400, output_tokens: 50 - reasoning, reasoning_tokens: reasoning });
  });
});

describe('chat completions, streamed', () => {
  it.each(['gpt-4o-mini', 'claude-3-5-haiku', 'gemini-2.0-flash'])('%s: OpenAI chunks, [DONE], usage when asked', async (model) => {
    const res = await chat(org.key, { model, messages: user(`${marker()} [usage:55/6]`), stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const data = await sseData(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: { prompt_tokens: number; completion_tokens: number } });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length).toBe(words.length);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 55, completion_tokens: 6 });
  });

  it('no usage chunk unless asked', async () => {
    const data = await sseData(await chat(org.key, { model: 'gpt-4o-mini', messages: user(marker()), stream: true }));
    expect(data.some((d) => d.includes('"usage"'))).toBe(false);
  });

  it('streamed tool calls arrive as OpenAI tool_call deltas', async () => {
    const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }];
    const data = await sseData(await chat(org.key, { model: 'claude-3-5-haiku', messages: user(`${marker()} [call:weather]`), tools, stream: true }));
    const deltas = data.slice(0, -1).flatMap((d) => (JSON.parse(d) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { name?: string; arguments: string } }> } }> }).choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]!.function.name).toBe('weather');
    expect(JSON.parse(deltas.map((d) => d.function.arguments).join(''))).toEqual({ city: 'Paris' });
  });

  it('chunks pass through as they come: the first reaches the client while the upstream still holds the rest', async () => {
    const hold = marker('hold');
    const res = await chat(org.key, { model: 'gpt-4o-mini', messages: user(`[hold:${hold}]`), stream: true });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain(words[0]!.trim());
    const state = (await (await fetch(`${fakeUrl()}/__held/${hold}`)).json()) as { held: boolean; done: boolean };
    expect(state).toEqual({ held: true, done: false });
    await fetch(`${fakeUrl()}/__release/${hold}`, { method: 'POST' });
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('[DONE]');
  });
});

describe('telemetry', () => {
  it('every call is recorded through ingestion, with feature and user from headers or the user field', async () => {
    const { res } = await chatOk(org.key, { model: 'gpt-4o', messages: user(`${marker()} [usage:1000/200]`), user: 'field-user' }, { 'x-netra-feature': 'search' });
    const id = res.headers.get('x-netra-request-id')!;
    const { res: res2 } = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()), user: 'field-user' }, { 'x-netra-user': 'header-user' });
    const id2 = res2.headers.get('x-netra-request-id')!;
    const rows = await eventually(
      async () => {
        await drain(org.tenant.org_id);
        return clickhouse<{ request_id: string; source: string; feature: string; user: string; provider: string; model: string; input_tokens: number; output_tokens: number; cost_nanousd: number; status: string }>(
          'SELECT request_id, source, feature, user, provider, model, input_tokens, output_tokens, cost_nanousd, status FROM llm_calls FINAL WHERE org_id = {org:String} AND request_id IN ({ids:Array(String)}) ORDER BY request_id',
          { org: org.tenant.org_id, ids: [id, id2] },
        );
      },
      (r) => r.length === 2,
    );
    const m = findModel('gpt-4o', 'openai')!;
    // $/1M tokens × tokens, in nano-USD.
    const expectedCost = Math.round((1000 * m.input_per_m + 200 * m.output_per_m) * 1000);
    expect(rows.find((r) => r.request_id === id)).toMatchObject({ source: 'gateway', feature: 'search', user: 'field-user', provider: 'openai', model: 'gpt-4o', input_tokens: 1000, output_tokens: 200, cost_nanousd: expectedCost, status: 'ok' });
    expect(rows.find((r) => r.request_id === id2)).toMatchObject({ user: 'header-user', feature: '' });
  });
});

describe('embeddings', () => {
  it('OpenAI-compatible embeddings pass through', async () => {
    const res = await api('/v1/embeddings', jsonRequest('POST', { model: 'text-embedding-3-small', input: ['a', 'b [usage:9/0]'] }, bearer(org.key)));
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } };
    expect(body.data).toHaveLength(2);
    expect(body.usage.prompt_tokens).toBe(9);
    await expectOpenAiError(await api('/v1/embeddings', jsonRequest('POST', { model: 'claude-3-5-haiku', input: 'x' }, bearer(org.key))), 400, 'embeddings_unsupported');
  });

  // The local Gemini double answers, per text, the vector (i + 1) / 8 + text length for i < dimensions.
  const geminiVector = (text: string, dims: number) => Array.from({ length: dims }, (_, i) => (i + 1) / 8 + text.length);
  const embed = (body: unknown) => api('/v1/embeddings', jsonRequest('POST', body, bearer(org.key)));
  interface Embeddings {
    object: string;
    data: Array<{ object: string; index: number; embedding: number[] | string }>;
    usage: { prompt_tokens: number; total_tokens: number };
  }

  it('gemini: one text → embedContent, back in OpenAI shape with the reported usage, recorded', async () => {
    const text = `${marker()} [usage:7/0]`;
    const res = await embed({ model: 'google/gemini-embedding-001', input: text, dimensions: 3 });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Embeddings;
    expect(body).toMatchObject({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: geminiVector(text, 3) }], usage: { prompt_tokens: 7, total_tokens: 7 } });
    const seen = await upstreamRequests(text);
    expect(seen).toEqual([{ path: '/v1beta/models/gemini-embedding-001:embedContent', body: { model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 3 } }]);
    const id = res.headers.get('x-netra-request-id')!;
    const rows = await eventually(
      async () => {
        await drain(org.tenant.org_id);
        return clickhouse<{ provider: string; model: string; input_tokens: number; output_tokens: number; status: string }>('SELECT provider, model, input_tokens, output_tokens, status FROM llm_calls FINAL WHERE org_id = {org:String} AND request_id = {id:String}', { org: org.tenant.org_id, id });
      },
      (r) => r.length === 1,
    );
    expect(rows[0]).toMatchObject({ provider: 'google', model: 'gemini-embedding-001', input_tokens: 7, output_tokens: 0, status: 'ok' });
  });

  it('gemini: a list → batchEmbedContents, vectors in order; no reported usage → one token per 4 UTF-8 bytes', async () => {
    const m = marker();
    const inputs = [`${m} short`, `${m} a longer text, with ünïcode`, `${m}`];
    const res = await embed({ model: 'google/gemini-embedding-001', input: inputs });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Embeddings;
    expect(body.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(body.data.map((d) => d.embedding)).toEqual(inputs.map((t) => geminiVector(t, 4)));
    let estimate = 0;
    for (const t of inputs) estimate += Math.ceil(new TextEncoder().encode(t).byteLength / 4);
    expect(body.usage).toEqual({ prompt_tokens: estimate, total_tokens: estimate });
    const [seen] = await upstreamRequests(m);
    expect(seen!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(seen!.body).toEqual({ requests: inputs.map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })) });
  });

  it('gemini: encoding_format base64 (the openai client default) is little-endian float32', async () => {
    const text = marker();
    const res = await embed({ model: 'google/gemini-embedding-001', input: [text], encoding_format: 'base64', dimensions: 5 });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Embeddings;
    const bytes = Uint8Array.from(atob(body.data[0]!.embedding as string), (ch) => ch.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const floats = Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
    expect(floats).toEqual(geminiVector(text, 5));
  });

  it('gemini: token ids and a bad dimensions are 400s; a non-Gemini answer is a 502', async () => {
    expect((await expectOpenAiError(await embed({ model: 'google/gemini-embedding-001', input: [1, 2, 3] }), 400, 'invalid_input')).error.param).toBe('input');
    await expectOpenAiError(await embed({ model: 'google/gemini-embedding-001', input: 'x', dimensions: -1 }), 400, 'invalid_request');
    await expectOpenAiError(await embed({ model: 'google/gemini-embedding-001-garbage', input: 'x' }), 502, 'upstream_invalid_response');
  });
});

describe('errors in OpenAI shape', () => {
  it('bad input', async () => {
    const bad = await api('/v1/chat/completions', { method: 'POST', headers: { ...bearer(org.key), 'content-type': 'application/json' }, body: '{"model":' });
    expect((await expectOpenAiError(bad, 400, 'invalid_json')).error.type).toBe('invalid_request_error');
    await expectOpenAiError(await chat(org.key, { model: 'gpt-4o' }), 400, 'invalid_request');
    await expectOpenAiError(await chat(org.key, { model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }), 400, 'invalid_request');
    await expectOpenAiError(await chat(org.key, { model: 'gpt-4o', messages: user('x'), temperature: 9 }), 400, 'invalid_request');
  });

  it('an unknown model with no route is 404 model_not_found; a provider without key is 400', async () => {
    const body = await expectOpenAiError(await chat(org.key, { model: 'no-such-model-xyz', messages: user('x') }), 404, 'model_not_found');
    expect(body.error.param).toBe('model');
    await expectOpenAiError(await chat(org.key, { model: 'mistral-large-latest', messages: user('x') }), 400, 'provider_key_missing');
  });

  it('auth: none is 401, a key without the gateway scope 403, a deleted key 401', async () => {
    const none = await api('/v1/chat/completions', jsonRequest('POST', { model: 'gpt-4o', messages: user('x') }));
    expect((await expectOpenAiError(none, 401, 'unauthorized')).error.type).toBe('authentication_error');
    const readKey = await createKey(org.tenant, ['read', 'ingest']);
    expect((await expectOpenAiError(await chat(readKey, { model: 'gpt-4o', messages: user('x') }), 403, 'forbidden')).error.type).toBe('permission_error');
    const doomed = await createKey(org.tenant, ['gateway']);
    await chatOk(doomed, { model: 'gpt-4o-mini', messages: user(marker()) });
    const list = (await (await api('/api/keys', { headers: org.tenant.headers })).json()) as { items: Array<{ id: string; prefix: string }> };
    const id = list.items.find((k) => doomed.startsWith(k.prefix))!.id;
    expect((await api(`/api/keys/${id}`, { method: 'DELETE', headers: org.tenant.headers })).status).toBe(204);
    await expectOpenAiError(await chat(doomed, { model: 'gpt-4o-mini', messages: user('x') }), 401, 'unauthorized');
  });

  it('an upstream answering garbage is 502; a failing upstream 502; its stream never starts', async () => {
    await expectOpenAiError(await chat(org.key, { model: 'openai/gpt-4o-mini-garbage', messages: user('x') }), 502, 'upstream_invalid_response');
    await expectOpenAiError(await chat(org.key, { model: 'openai/gpt-4o-mini-broken', messages: user('x') }), 502, 'upstream_error');
    await expectOpenAiError(await chat(org.key, { model: 'openai/gpt-4o-mini-broken', messages: user('x'), stream: true }), 502, 'upstream_error');
  });
});

// A local LLM provider server for tests: speaks the real streaming wire formats of OpenAI chat completions,
// Anthropic messages and Gemini streamGenerateContent (SSE), checks the auth header each provider uses,
// and can be told to fail the next requests (429 / 500) to exercise retries. With tools in an OpenAI request it
// answers the next scripted turn: tool calls (streamed in fragments, or as one JSON body) or a final text.
// For the gateway tests (over HTTP, from workerd): OpenAI embeddings, Gemini embedContent / batchEmbedContents
// (each text's vector is (i + 1) / 8 + its length for i < outputDimensionality, default 4; usageMetadata only
// when the request has a `[usage:…]` marker, as the Gemini API reports none); plain answers as one JSON body unless
// `stream: true`; models named `…-broken` answer 500, `…-limited` 429, `…-hang` never answer, `…-slow` answer after SLOW_MS,
// `…-garbage` answer 200 with non-JSON; `[usage:IN/OUT]` in a request sets the usage it reports, `[call:NAME]` (with tools) a call of tool NAME; `[hold:ID]` streams the first chunk and
// holds the rest until POST /__release/ID; GET /__requests lists the requests seen, GET /__held/ID a hold's state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ScriptedTurn } from './llm-script';

export type { ScriptedTurn };

export interface FakeLlm {
  /** Turns answered, in order, to requests that carry tools; when empty such requests get `reply` as text. */
  script: ScriptedTurn[];
  url: string;
  key: string;
  requests: { path: string; body: unknown }[];
  /** The next `n` requests answer `status` (with Retry-After: 0 on 429). */
  failNext(n: number, status: number): void;
  /** The reply text of every provider (split into streamed deltas). */
  reply: string;
  close(): Promise<void>;
}

const sse = (res: ServerResponse, events: { event?: string; data: unknown }[]) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  res.end();
};

const words = (text: string) => text.match(/\S+\s*/g) ?? [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });
}

/** An OpenAI chat-completions answer to a request with tools: the scripted tool calls or text, streamed or not. */
function toolTurn(res: ServerResponse, body: Record<string, unknown>, turn: ScriptedTurn, seq: number): void {
  if ('status' in turn) {
    res.writeHead(turn.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `scripted ${turn.status}` } }));
    return;
  }
  const calls = 'tool_calls' in turn ? turn.tool_calls.map((c, i) => ({ id: `call_${seq}_${i}`, name: c.name, arguments: JSON.stringify(c.arguments) })) : [];
  const text = 'text' in turn ? turn.text : null;
  const usage = { prompt_tokens: 120, completion_tokens: calls.length ? 20 * calls.length : words(text ?? '').length };
  if (body.stream === false) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl_${seq}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, finish_reason: calls.length ? 'tool_calls' : 'stop', message: { role: 'assistant', content: text, ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}) } }],
        usage,
      }),
    );
    return;
  }
  const events: { data: unknown }[] = [];
  calls.forEach((c, index) => {
    events.push({ data: { model: body.model, choices: [{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] } }] } });
    // Arguments in two fragments, as real streams split them.
    const half = Math.ceil(c.arguments.length / 2);
    for (const part of [c.arguments.slice(0, half), c.arguments.slice(half)]) events.push({ data: { model: body.model, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: part } }] } }] } });
  });
  for (const p of words(text ?? '')) events.push({ data: { model: body.model, choices: [{ index: 0, delta: { content: p } }] } });
  events.push({ data: { model: body.model, choices: [{ index: 0, delta: {}, finish_reason: calls.length ? 'tool_calls' : 'stop' }] } });
  events.push({ data: { model: body.model, choices: [], usage } });
  events.push({ data: '[DONE]' });
  sse(res, events);
}

/** An Anthropic Messages answer to a request with tools: tool_use blocks (input streamed as JSON fragments) or text. */
function anthropicToolTurn(res: ServerResponse, body: Record<string, unknown>, turn: ScriptedTurn, seq: number): void {
  if ('status' in turn) {
    res.writeHead(turn.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `scripted ${turn.status}` } }));
    return;
  }
  const calls = 'tool_calls' in turn ? turn.tool_calls.map((c, i) => ({ id: `toolu_${seq}_${i}`, name: c.name, input: c.arguments })) : [];
  const text = 'text' in turn ? turn.text : null;
  const usage = { input_tokens: 120, output_tokens: calls.length ? 20 * calls.length : words(text ?? '').length };
  const stop_reason = calls.length ? 'tool_use' : 'end_turn';
  if (body.stream === false) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const content = [...(text ? [{ type: 'text', text }] : []), ...calls.map((c) => ({ type: 'tool_use', ...c }))];
    res.end(JSON.stringify({ id: `msg_${seq}`, type: 'message', role: 'assistant', model: body.model, content, stop_reason, usage }));
    return;
  }
  const events: { event: string; data: unknown }[] = [{ event: 'message_start', data: { type: 'message_start', message: { model: body.model, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } } }];
  let index = 0;
  if (text) {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
    for (const p of words(text)) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } } });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  for (const c of calls) {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } } });
    const json = JSON.stringify(c.input);
    const half = Math.ceil(json.length / 2);
    for (const part of [json.slice(0, half), json.slice(half)]) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } } });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    index++;
  }
  events.push({ event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason }, usage: { output_tokens: usage.output_tokens } } });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  sse(res, events);
}

/** A Gemini answer to a request with tools: functionCall parts or text, streamed (SSE) or from generateContent. */
function geminiToolTurn(res: ServerResponse, path: string, turn: ScriptedTurn, stream: boolean): void {
  if ('status' in turn) {
    res.writeHead(turn.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: turn.status, message: `scripted ${turn.status}` } }));
    return;
  }
  const modelVersion = path.split('/models/')[1]?.split(':')[0];
  const parts = 'tool_calls' in turn ? turn.tool_calls.map((c) => ({ functionCall: { name: c.name, args: c.arguments } })) : words(turn.text).map((w) => ({ text: w }));
  const usageMetadata = { promptTokenCount: 120, candidatesTokenCount: parts.length };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const merged = 'text' in turn ? [{ text: turn.text }] : parts;
    res.end(JSON.stringify({ candidates: [{ content: { role: 'model', parts: merged }, finishReason: 'STOP' }], usageMetadata, modelVersion }));
    return;
  }
  sse(
    res,
    parts.map((p, i) => ({ data: { candidates: [{ content: { role: 'model', parts: [p] } }], ...(i === parts.length - 1 ? { usageMetadata } : {}), modelVersion } })),
  );
}

let requestSeq = 0;

/** Which header carries the provider key on a path, per the provider's wire format. */
function keyHeader(path: string, req: IncomingMessage): string | undefined {
  if (path.endsWith('/v1/messages')) return req.headers['x-api-key'] as string | undefined;
  if (/:(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/.test(path)) return req.headers['x-goog-api-key'] as string | undefined;
  return req.headers.authorization?.replace(/^Bearer /, '');
}

const holds = new Map<string, { release: () => void; released: boolean; done: boolean }>();

function hold(id: string): Promise<void> {
  return new Promise((resolve) => {
    const h = { released: false, done: false, release: () => ((h.released = true), resolve()) };
    holds.set(id, h);
    // Never hold forever: a broken test must fail, not hang.
    setTimeout(h.release, 10_000).unref();
  });
}

/** Test controls: request log and stream holds. True when the request was one of them. */
function control(req: IncomingMessage, res: ServerResponse, path: string, log: FakeLlm['requests']): boolean {
  if (req.method === 'GET' && path === '/__requests') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log));
    return true;
  }
  const held = /^\/__(held|release)\/([\w-]+)$/.exec(path);
  if (!held) return false;
  const h = holds.get(held[2]!);
  if (held[1] === 'release') h?.release();
  res.writeHead(h ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ held: h ? !h.released : false, done: h?.done ?? false }));
  return true;
}

/** The usage a request asks for with `[usage:IN/OUT]` or `[usage:IN/OUT/CACHED/REASONING]`, else the defaults. */
function askedUsage(raw: string, input: number, output: number): { input: number; output: number; cached: number; reasoning: number } {
  const m = /\[usage:(\d+)\/(\d+)(?:\/(\d+)\/(\d+))?\]/.exec(raw);
  return m ? { input: Number(m[1]), output: Number(m[2]), cached: Number(m[3] ?? 0), reasoning: Number(m[4] ?? 0) } : { input, output, cached: 0, reasoning: 0 };
}

/** `[call:NAME]` in a request with tools: the model calls NAME with {"city":"Paris"}. */
function markerTurn(raw: string): ScriptedTurn | undefined {
  const m = /\[call:([\w-]+)\]/.exec(raw);
  return m ? { tool_calls: [{ name: m[1]!, arguments: { city: 'Paris' } }] } : undefined;
}

/** Gemini embeddings: one `embedding` for embedContent, `embeddings` in order for batchEmbedContents. */
function geminiEmbeddings(res: ServerResponse, path: string, body: Record<string, unknown>, raw: string): void {
  type One = { model?: unknown; content?: { parts?: Array<{ text?: unknown }> }; outputDimensionality?: unknown };
  const batch = path.endsWith(':batchEmbedContents');
  const requests = (batch ? body.requests : [body]) as One[] | undefined;
  const vector = (r: One) => {
    const text = String(r.content?.parts?.[0]?.text ?? '');
    return { values: Array.from({ length: typeof r.outputDimensionality === 'number' ? r.outputDimensionality : 4 }, (_, i) => (i + 1) / 8 + text.length) };
  };
  if (!Array.isArray(requests) || requests.some((r) => typeof r.model !== 'string' || !r.model.startsWith('models/') || !Array.isArray(r.content?.parts))) {
    return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 400, message: 'invalid embed request', status: 'INVALID_ARGUMENT' } }));
  }
  const usage = /\[usage:(\d+)\//.exec(raw);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ...(batch ? { embeddings: requests.map(vector) } : { embedding: vector(requests[0]!) }), ...(usage ? { usageMetadata: { promptTokenCount: Number(usage[1]), totalTokenCount: Number(usage[1]) } } : {}) }));
}

/** How late a `…-slow` model answers (as it would otherwise). */
export const SLOW_MS = 400;

/** Answers of the special model names; true when one answered. */
async function specialModel(res: ServerResponse, model: string): Promise<boolean> {
  if (model.endsWith('-slow')) {
    await new Promise((r) => setTimeout(r, SLOW_MS));
    return false;
  }
  if (model.endsWith('-broken')) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'broken model' } }));
    return true;
  }
  if (model.endsWith('-limited')) {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { message: 'rate limited' } }));
    return true;
  }
  if (model.endsWith('-hang')) {
    await new Promise((r) => setTimeout(r, 30_000).unref());
    res.writeHead(504).end();
    return true;
  }
  if (model.endsWith('-garbage')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('<html>this is not an API answer</html>');
    return true;
  }
  return false;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const state = { failures: [] as number[] };
  const fake: Omit<FakeLlm, 'url' | 'close'> = {
    key: 'test-llm-key',
    script: [],
    requests: [],
    reply: 'Your biggest saving is caching.',
    failNext: (n, status) => state.failures.push(...Array<number>(n).fill(status)),
  };
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (control(req, res, path, fake.requests)) return;
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    fake.requests.push({ path, body });
    const fail = state.failures.shift();
    if (fail) {
      res.writeHead(fail, { 'content-type': 'application/json', ...(fail === 429 ? { 'retry-after': '0' } : {}) });
      res.end(JSON.stringify({ error: { message: `injected ${fail}` } }));
      return;
    }
    if (keyHeader(path, req) !== fake.key) return void res.writeHead(401).end('{"error":{"message":"bad key"}}');
    const model = String(body.model ?? path.split('/models/')[1]?.split(':')[0] ?? '');
    if (await specialModel(res, model)) return;
    const parts = words(fake.reply);
    const usage = askedUsage(raw, 42, parts.length);
    if (path.endsWith(':embedContent') || path.endsWith(':batchEmbedContents')) return geminiEmbeddings(res, path, body, raw);
    if (path.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ object: 'list', model, data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3, index] })), usage: { prompt_tokens: usage.input, total_tokens: usage.input } }));
    }
    if (path.endsWith('/chat/completions')) {
      if (Array.isArray(body.tools)) return toolTurn(res, body, fake.script.shift() ?? markerTurn(raw) ?? { text: fake.reply }, requestSeq++);
      const openAiUsage = { prompt_tokens: usage.input, completion_tokens: usage.output, prompt_tokens_details: { cached_tokens: usage.cached }, completion_tokens_details: { reasoning_tokens: usage.reasoning } };
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ id: `chatcmpl_${requestSeq++}`, object: 'chat.completion', model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: fake.reply } }], usage: openAiUsage }));
      }
      const events = [
        ...parts.map((p) => ({ data: { model: body.model, choices: [{ index: 0, delta: { content: p } }] } })),
        { data: { model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } },
        { data: { model: body.model, choices: [], usage: openAiUsage } },
        { data: '[DONE]' },
      ];
      const held = /\[hold:([\w-]+)\]/.exec(raw);
      if (!held) return sse(res, events);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(events[0]!.data)}\n\n`);
      await hold(held[1]!);
      for (const e of events.slice(1)) res.write(`data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
      holds.get(held[1]!)!.done = true;
      return void res.end();
    }
    if (path.endsWith('/v1/messages')) {
      if (Array.isArray(body.tools)) return anthropicToolTurn(res, body, fake.script.shift() ?? markerTurn(raw) ?? { text: fake.reply }, requestSeq++);
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ id: `msg_${requestSeq++}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: fake.reply }], stop_reason: 'end_turn', usage: { input_tokens: usage.input - usage.cached, cache_read_input_tokens: usage.cached, output_tokens: usage.output } }));
      }
      return sse(res, [
        { event: 'message_start', data: { type: 'message_start', message: { model: body.model, usage: { input_tokens: usage.input, output_tokens: 1 } } } },
        { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
        ...parts.map((p) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } } })),
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: usage.output } } },
        { event: 'message_stop', data: { type: 'message_stop' } },
      ]);
    }
    if (path.includes(':generateContent') || (path.includes(':streamGenerateContent') && Array.isArray(body.tools))) {
      return geminiToolTurn(res, path, fake.script.shift() ?? markerTurn(raw) ?? { text: fake.reply }, path.includes(':streamGenerateContent'));
    }
    if (path.includes(':streamGenerateContent')) {
      return sse(
        res,
        parts.map((p, i) => ({
          data: {
            candidates: [{ content: { role: 'model', parts: [{ text: p }] } }],
            ...(i === parts.length - 1 ? { usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output - usage.reasoning, cachedContentTokenCount: usage.cached, thoughtsTokenCount: usage.reasoning } } : {}),
            modelVersion: path.split('/models/')[1]?.split(':')[0],
          },
        })),
      );
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return Object.assign(fake, { url, close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) });
}

// A local LLM provider server for tests: speaks the real streaming wire formats of OpenAI chat completions,
// Anthropic messages and Gemini streamGenerateContent (SSE), checks the auth header each provider uses,
// and can be told to fail the next requests (429 / 500) to exercise retries. With tools in an OpenAI request it
// answers the next scripted turn: tool calls (streamed in fragments, or as one JSON body) or a final text.
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
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    fake.requests.push({ path, body });
    const fail = state.failures.shift();
    if (fail) {
      res.writeHead(fail, { 'content-type': 'application/json', ...(fail === 429 ? { 'retry-after': '0' } : {}) });
      res.end(JSON.stringify({ error: { message: `injected ${fail}` } }));
      return;
    }
    const parts = words(fake.reply);
    if (path.endsWith('/chat/completions')) {
      if (req.headers.authorization !== `Bearer ${fake.key}`) return void res.writeHead(401).end('{"error":{"message":"bad key"}}');
      if (Array.isArray(body.tools)) return toolTurn(res, body, fake.script.shift() ?? { text: fake.reply }, requestSeq++);
      return sse(res, [
        ...parts.map((p) => ({ data: { model: body.model, choices: [{ index: 0, delta: { content: p } }] } })),
        { data: { model: body.model, choices: [], usage: { prompt_tokens: 42, completion_tokens: parts.length } } },
        { data: '[DONE]' },
      ]);
    }
    if (path.endsWith('/v1/messages')) {
      if (req.headers['x-api-key'] !== fake.key) return void res.writeHead(401).end('{"error":{"message":"bad key"}}');
      if (Array.isArray(body.tools)) return anthropicToolTurn(res, body, fake.script.shift() ?? { text: fake.reply }, requestSeq++);
      return sse(res, [
        { event: 'message_start', data: { type: 'message_start', message: { model: body.model, usage: { input_tokens: 42, output_tokens: 1 } } } },
        { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
        ...parts.map((p) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } } })),
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: parts.length } } },
        { event: 'message_stop', data: { type: 'message_stop' } },
      ]);
    }
    if (path.includes(':generateContent') || (path.includes(':streamGenerateContent') && Array.isArray(body.tools))) {
      if (req.headers['x-goog-api-key'] !== fake.key) return void res.writeHead(401).end('{"error":{"message":"bad key"}}');
      return geminiToolTurn(res, path, fake.script.shift() ?? { text: fake.reply }, path.includes(':streamGenerateContent'));
    }
    if (path.includes(':streamGenerateContent')) {
      if (req.headers['x-goog-api-key'] !== fake.key) return void res.writeHead(401).end('{"error":{"message":"bad key"}}');
      return sse(
        res,
        parts.map((p, i) => ({
          data: {
            candidates: [{ content: { role: 'model', parts: [{ text: p }] } }],
            ...(i === parts.length - 1 ? { usageMetadata: { promptTokenCount: 42, candidatesTokenCount: parts.length } } : {}),
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
  return Object.assign(fake, { url, close: () => new Promise<void>((r) => server.close(() => r())) });
}

// Streamed answers in OpenAI's chunk format, written as they arrive (no buffering), and folded into one
// ParsedAnswer for the cache and the ledger. A cached answer is replayed through the same writer.
import type { ParsedAnswer } from './upstreams/types';
import { openAiUsage, type ChunkDelta, type FinishReason, type ToolCall, type Usage } from './wire';

const encoder = new TextEncoder();

export class ChunkWriter {
  private started = false;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly readable: ReadableStream<Uint8Array>;
  private content = '';
  private readonly tools: ToolCall[] = [];
  private finish: FinishReason = null;
  firstDeltaAt: number | null = null;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = readable;
    this.writer = writable.getWriter();
  }

  private send(data: unknown): Promise<void> {
    return this.writer.write(encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
  }

  private chunk(delta: Record<string, unknown>, finish: FinishReason) {
    return { id: this.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  async delta(d: ChunkDelta): Promise<void> {
    this.firstDeltaAt ??= Date.now();
    const delta: Record<string, unknown> = this.started ? {} : { role: 'assistant' };
    this.started = true;
    if (d.content !== undefined) {
      delta.content = d.content;
      this.content += d.content;
    }
    if (d.tool_calls) {
      delta.tool_calls = d.tool_calls;
      for (const t of d.tool_calls) {
        const cur = (this.tools[t.index] ??= { id: t.id ?? '', type: 'function', function: { name: t.function.name ?? '', arguments: '' } });
        if (t.id) cur.id = t.id;
        if (t.function.name) cur.function.name = t.function.name;
        cur.function.arguments += t.function.arguments ?? '';
      }
    }
    if (d.finish_reason) this.finish = d.finish_reason;
    await this.send(this.chunk(delta, d.finish_reason ?? null));
  }

  /** The finish reason (when the upstream sent none), the final usage chunk (when the client asked for it) and [DONE]. */
  async end(usage: Usage, includeUsage: boolean): Promise<void> {
    if (this.finish === null) await this.delta({ finish_reason: this.tools.length ? 'tool_calls' : 'stop' });
    if (includeUsage) await this.send({ id: this.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: this.model, choices: [], usage: openAiUsage(usage) });
    await this.send('[DONE]');
    await this.writer.close();
  }

  /** An error after the stream began: an OpenAI error event, then the stream closes. */
  async fail(message: string, code: string): Promise<void> {
    await this.send({ error: { message, type: 'api_error', param: null, code } }).catch(() => {});
    await this.writer.close().catch(() => {});
  }

  answer(usage: Usage): ParsedAnswer {
    return { content: this.content || (this.tools.length ? null : ''), tool_calls: this.tools.filter(Boolean), finish: this.finish ?? 'stop', usage };
  }
}

/** Replays a cached answer as a stream: the text, then the tool calls, then the finish reason. */
export async function replay(w: ChunkWriter, a: ParsedAnswer): Promise<void> {
  if (a.content) await w.delta({ content: a.content });
  if (a.tool_calls.length) await w.delta({ tool_calls: a.tool_calls.map((t, index) => ({ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: t.function.arguments } })) });
  await w.delta({ finish_reason: a.finish ?? 'stop' });
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' };

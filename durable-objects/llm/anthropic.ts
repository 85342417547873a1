// Anthropic Messages API, streamed (message_start → content_block_delta… → message_delta → message_stop),
// and tool use (tool_use blocks, streamed as input_json_delta fragments, or in one JSON body).
import { parseToolArguments, postWithRetries, streamedAnswer } from './http';
import { readSse } from '../../protocol/sse';
import type { CallOptions, ChatRequest, ChatResult, LoopMessage, ToolCallingProvider, ToolCallRequest, ToolChatRequest, ToolChatResult } from './types';

export class Anthropic implements ToolCallingProvider {
  readonly name = 'anthropic';
  readonly defaultModel = 'claude-haiku-4-5';
  constructor(
    private readonly apiKey: string,
    private readonly baseUrl = 'https://api.anthropic.com',
  ) {}

  /** POST /v1/messages with the system messages joined into `system`. */
  private post(messages: { role: string; content: unknown }[], body: Record<string, unknown>, opts: CallOptions): Promise<Response> {
    const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    return postWithRetries(
      `${this.baseUrl.replace(/\/$/, '')}/v1/messages`,
      {
        headers: { 'x-api-key': this.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, ...(system ? { system } : {}) }),
      },
      opts,
    );
  }

  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const res = await this.post(req.messages, { model: req.model, max_tokens: req.max_tokens, temperature: req.temperature ?? 0, messages: req.messages.filter((m) => m.role !== 'system'), stream: true }, opts);
    const answer = streamedAnswer(opts);
    let model = req.model;
    for await (const ev of readSse(res.body!)) {
      const data = JSON.parse(ev.data) as {
        type: string;
        message?: { model?: string; usage?: { input_tokens?: number; output_tokens?: number } };
        delta?: { type?: string; text?: string };
        usage?: { output_tokens?: number };
        error?: { message?: string };
      };
      if (data.type === 'message_start') {
        model = data.message?.model ?? model;
        answer.usage(data.message?.usage?.input_tokens ?? 0);
      } else if (data.type === 'content_block_delta' && data.delta?.type === 'text_delta') {
        answer.delta(data.delta.text);
      } else if (data.type === 'message_delta') {
        answer.usage(undefined, data.usage?.output_tokens);
      } else if (data.type === 'message_stop') break;
    }
    return answer.result(this.name, model);
  }

  async toolChat(req: ToolChatRequest, opts: CallOptions = {}): Promise<ToolChatResult> {
    const stream = req.stream ?? true;
    const res = await this.post(
      req.messages,
      {
        model: req.model,
        max_tokens: req.max_tokens,
        temperature: 0,
        messages: wireMessages(req.messages),
        tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
        stream,
      },
      opts,
    );
    const answer = streamedAnswer(opts);
    if (!stream) {
      const body = (await res.json()) as { model?: string; content?: ContentBlock[]; usage?: { input_tokens?: number; output_tokens?: number } };
      const calls: ToolCallRequest[] = [];
      for (const b of body.content ?? []) {
        if (b.type === 'text') answer.delta(b.text);
        if (b.type === 'tool_use') calls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
      }
      answer.usage(body.usage?.input_tokens, body.usage?.output_tokens);
      return { ...answer.result(this.name, body.model ?? req.model), tool_calls: calls };
    }
    let model = req.model;
    const blocks: (ToolCallRequest | null)[] = [];
    for await (const ev of readSse(res.body!)) {
      const data = JSON.parse(ev.data) as {
        type: string;
        index?: number;
        message?: { model?: string; usage?: { input_tokens?: number } };
        content_block?: ContentBlock;
        delta?: { type?: string; text?: string; partial_json?: string };
        usage?: { output_tokens?: number };
      };
      if (data.type === 'message_start') {
        model = data.message?.model ?? model;
        answer.usage(data.message?.usage?.input_tokens ?? 0);
      } else if (data.type === 'content_block_start') {
        const b = data.content_block;
        blocks[data.index ?? blocks.length] = b?.type === 'tool_use' ? { id: b.id, name: b.name, arguments: '' } : null;
      } else if (data.type === 'content_block_delta') {
        if (data.delta?.type === 'text_delta') answer.delta(data.delta.text);
        const call = blocks[data.index ?? 0];
        if (data.delta?.type === 'input_json_delta' && call) call.arguments += data.delta.partial_json ?? '';
      } else if (data.type === 'message_delta') {
        answer.usage(undefined, data.usage?.output_tokens);
      } else if (data.type === 'message_stop') break;
    }
    const calls = blocks.filter((b): b is ToolCallRequest => !!b).map((c) => ({ ...c, arguments: c.arguments || '{}' }));
    return { ...answer.result(this.name, model), tool_calls: calls };
  }
}

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input?: unknown };

/** Loop messages in the Messages API shape: tool calls as tool_use blocks, consecutive tool results in one user turn. */
function wireMessages(messages: LoopMessage[]): { role: 'user' | 'assistant'; content: unknown }[] {
  const out: { role: 'user' | 'assistant'; content: unknown }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'assistant' && 'tool_calls' in m) {
      const content: unknown[] = m.content ? [{ type: 'text', text: m.content }] : [];
      for (const c of m.tool_calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: parseToolArguments(c.arguments) });
      out.push({ role: 'assistant', content });
    } else if (m.role === 'tool') {
      const block = { type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content };
      const last = out.at(-1);
      if (last?.role === 'user' && Array.isArray(last.content) && (last.content as { type?: string }[]).every((b) => b.type === 'tool_result')) (last.content as unknown[]).push(block);
      else out.push({ role: 'user', content: [block] });
    } else out.push({ role: m.role, content: m.content });
  }
  return out;
}

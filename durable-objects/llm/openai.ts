// OpenAI-compatible chat completions (OpenAI, Azure OpenAI-compatible gateways, Groq, Together, vLLM…), streamed,
// and function calling (tools), streamed or not.
import { postWithRetries, streamedAnswer } from './http';
import { readSse } from '../../protocol/sse';
import type { CallOptions, ChatRequest, ChatResult, LoopMessage, ToolCallingProvider, ToolCallRequest, ToolChatRequest, ToolChatResult } from './types';

export class OpenAiCompatible implements ToolCallingProvider {
  readonly name = 'openai';
  readonly defaultModel = 'gpt-4o-mini';
  constructor(
    private readonly apiKey: string,
    private readonly baseUrl = 'https://api.openai.com/v1',
  ) {}

  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const res = await postWithRetries(
      `${this.baseUrl.replace(/\/$/, '')}/chat/completions`,
      {
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: req.model,
          messages: req.messages,
          max_tokens: req.max_tokens,
          temperature: req.temperature ?? 0,
          stream: true,
          stream_options: { include_usage: true },
        }),
      },
      opts,
    );
    const answer = streamedAnswer(opts);
    let model = req.model;
    for await (const ev of readSse(res.body!)) {
      if (ev.data === '[DONE]') break;
      const chunk = JSON.parse(ev.data) as {
        model?: string;
        choices?: { delta?: { content?: string | null } }[];
        usage?: { prompt_tokens: number; completion_tokens: number } | null;
      };
      model = chunk.model ?? model;
      answer.delta(chunk.choices?.[0]?.delta?.content);
      if (chunk.usage) answer.usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
    }
    return answer.result(this.name, model);
  }

  async toolChat(req: ToolChatRequest, opts: CallOptions = {}): Promise<ToolChatResult> {
    const stream = req.stream ?? true;
    const res = await postWithRetries(
      `${this.baseUrl.replace(/\/$/, '')}/chat/completions`,
      {
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: req.model,
          messages: req.messages.map(wireMessage),
          tools: req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })),
          tool_choice: 'auto',
          max_tokens: req.max_tokens,
          temperature: 0,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        }),
      },
      opts,
    );
    const answer = streamedAnswer(opts);
    let model = req.model;
    if (!stream) {
      const body = (await res.json()) as {
        model?: string;
        choices?: { message?: { content?: string | null; tool_calls?: WireToolCall[] } }[];
        usage?: { prompt_tokens: number; completion_tokens: number };
      };
      const message = body.choices?.[0]?.message;
      answer.delta(message?.content);
      if (body.usage) answer.usage(body.usage.prompt_tokens, body.usage.completion_tokens);
      const calls = (message?.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.function?.name ?? '', arguments: c.function?.arguments ?? '' }));
      return { ...answer.result(this.name, body.model ?? model), tool_calls: calls };
    }
    // Streamed tool calls arrive in pieces keyed by index: the id and name first, the arguments in fragments.
    const calls: ToolCallRequest[] = [];
    for await (const ev of readSse(res.body!)) {
      if (ev.data === '[DONE]') break;
      const chunk = JSON.parse(ev.data) as {
        model?: string;
        choices?: { delta?: { content?: string | null; tool_calls?: (WireToolCall & { index?: number })[] } }[];
        usage?: { prompt_tokens: number; completion_tokens: number } | null;
      };
      model = chunk.model ?? model;
      const delta = chunk.choices?.[0]?.delta;
      answer.delta(delta?.content);
      for (const part of delta?.tool_calls ?? []) {
        const i = part.index ?? 0;
        calls[i] ??= { id: part.id ?? `call_${i}`, name: '', arguments: '' };
        if (part.id) calls[i].id = part.id;
        if (part.function?.name) calls[i].name += part.function.name;
        if (part.function?.arguments) calls[i].arguments += part.function.arguments;
      }
      if (chunk.usage) answer.usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
    }
    return { ...answer.result(this.name, model), tool_calls: calls.filter(Boolean) };
  }
}

interface WireToolCall {
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

function wireMessage(m: LoopMessage): Record<string, unknown> {
  if (m.role === 'assistant' && 'tool_calls' in m) {
    return { role: 'assistant', content: m.content, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) };
  }
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
  return { role: m.role, content: m.content };
}

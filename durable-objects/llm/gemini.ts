// Google Gemini generateContent, streamed as SSE (streamGenerateContent?alt=sse), and function calling
// (functionCall parts, streamed or from generateContent).
import { parseToolArguments, postWithRetries, streamedAnswer } from './http';
import { readSse } from '../../protocol/sse';
import type { CallOptions, ChatRequest, ChatResult, LoopMessage, ToolCallingProvider, ToolCallRequest, ToolChatRequest, ToolChatResult } from './types';

export class Gemini implements ToolCallingProvider {
  readonly name = 'gemini';
  readonly defaultModel = 'gemini-2.5-flash';
  constructor(
    private readonly apiKey: string,
    private readonly baseUrl = 'https://generativelanguage.googleapis.com',
  ) {}

  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const res = await postWithRetries(
      `${this.baseUrl.replace(/\/$/, '')}/v1beta/models/${encodeURIComponent(req.model)}:streamGenerateContent?alt=sse`,
      {
        headers: { 'x-goog-api-key': this.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
          contents: req.messages
            .filter((m) => m.role !== 'system')
            .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
          generationConfig: { maxOutputTokens: req.max_tokens, temperature: req.temperature ?? 0 },
        }),
      },
      opts,
    );
    const answer = streamedAnswer(opts);
    let model = req.model;
    for await (const ev of readSse(res.body!)) {
      const chunk = JSON.parse(ev.data) as {
        candidates?: { content?: { parts?: { text?: string }[] } }[];
        usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
        modelVersion?: string;
      };
      model = chunk.modelVersion ?? model;
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) answer.delta(part.text);
      if (chunk.usageMetadata) answer.usage(chunk.usageMetadata.promptTokenCount, chunk.usageMetadata.candidatesTokenCount);
    }
    return answer.result(this.name, model);
  }

  async toolChat(req: ToolChatRequest, opts: CallOptions = {}): Promise<ToolChatResult> {
    const stream = req.stream ?? true;
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const base = `${this.baseUrl.replace(/\/$/, '')}/v1beta/models/${encodeURIComponent(req.model)}`;
    const res = await postWithRetries(
      stream ? `${base}:streamGenerateContent?alt=sse` : `${base}:generateContent`,
      {
        headers: { 'x-goog-api-key': this.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
          contents: wireContents(req.messages),
          tools: [{ functionDeclarations: req.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.parameters })) }],
          generationConfig: { maxOutputTokens: req.max_tokens, temperature: 0 },
        }),
      },
      opts,
    );
    const answer = streamedAnswer(opts);
    let model = req.model;
    const calls: ToolCallRequest[] = [];
    // Gemini's calls carry no id: one unique per call, so results of later turns never match earlier calls.
    const turn = crypto.randomUUID().slice(0, 8);
    const take = (chunk: GeminiChunk) => {
      model = chunk.modelVersion ?? model;
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        answer.delta(part.text);
        if (part.functionCall) calls.push({ id: `gemini_${turn}_${calls.length}`, name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
      }
      if (chunk.usageMetadata) answer.usage(chunk.usageMetadata.promptTokenCount, chunk.usageMetadata.candidatesTokenCount);
    };
    if (!stream) take((await res.json()) as GeminiChunk);
    else for await (const ev of readSse(res.body!)) take(JSON.parse(ev.data) as GeminiChunk);
    return { ...answer.result(this.name, model), tool_calls: calls };
  }
}

interface GeminiChunk {
  candidates?: { content?: { parts?: { text?: string; functionCall?: { name: string; args?: unknown } }[] } }[];
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
  modelVersion?: string;
}

/** Loop messages as Gemini contents: calls as functionCall parts, results as functionResponse parts of one user turn. */
function wireContents(messages: LoopMessage[]): { role: 'user' | 'model'; parts: unknown[] }[] {
  const out: { role: 'user' | 'model'; parts: unknown[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'assistant' && 'tool_calls' in m) {
      out.push({ role: 'model', parts: [...(m.content ? [{ text: m.content }] : []), ...m.tool_calls.map((c) => ({ functionCall: { name: c.name, args: parseToolArguments(c.arguments) } }))] });
    } else if (m.role === 'tool') {
      const part = { functionResponse: { name: m.name, response: { content: m.content } } };
      const last = out.at(-1);
      if (last?.role === 'user' && last.parts.every((p) => (p as { functionResponse?: unknown }).functionResponse)) last.parts.push(part);
      else out.push({ role: 'user', parts: [part] });
    } else out.push({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] });
  }
  return out;
}

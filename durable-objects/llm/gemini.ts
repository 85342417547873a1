// Google Gemini generateContent, streamed as SSE (streamGenerateContent?alt=sse).
import { postWithRetries, streamedAnswer } from './http';
import { readSse } from './sse';
import type { CallOptions, ChatRequest, ChatResult, LlmProvider } from './types';

export class Gemini implements LlmProvider {
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
}

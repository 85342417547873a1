// OpenAI-compatible chat completions (OpenAI, Azure OpenAI-compatible gateways, Groq, Together, vLLM…), streamed.
import { postWithRetries, streamedAnswer } from './http';
import { readSse } from './sse';
import type { CallOptions, ChatRequest, ChatResult, LlmProvider } from './types';

export class OpenAiCompatible implements LlmProvider {
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
}

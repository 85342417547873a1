// Anthropic Messages API, streamed (message_start → content_block_delta… → message_delta → message_stop).
import { postWithRetries, streamedAnswer } from './http';
import { readSse } from './sse';
import type { CallOptions, ChatRequest, ChatResult, LlmProvider } from './types';

export class Anthropic implements LlmProvider {
  readonly name = 'anthropic';
  readonly defaultModel = 'claude-haiku-4-5';
  constructor(
    private readonly apiKey: string,
    private readonly baseUrl = 'https://api.anthropic.com',
  ) {}

  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const res = await postWithRetries(
      `${this.baseUrl.replace(/\/$/, '')}/v1/messages`,
      {
        headers: { 'x-api-key': this.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: req.model,
          max_tokens: req.max_tokens,
          temperature: req.temperature ?? 0,
          ...(system ? { system } : {}),
          messages: req.messages.filter((m) => m.role !== 'system'),
          stream: true,
        }),
      },
      opts,
    );
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
}

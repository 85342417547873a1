// Workers AI through the `AI` binding, streamed (SSE of {"response": "…"} chunks, usage in the last one).
import { streamedAnswer } from './http';
import { readSse } from '../../protocol/sse';
import { LlmError, type CallOptions, type ChatRequest, type ChatResult, type LlmProvider } from './types';

/** The part of the Workers AI binding this provider uses. */
export interface AiBinding {
  run(model: string, input: Record<string, unknown>): Promise<unknown>;
}

export class WorkersAi implements LlmProvider {
  readonly name = 'workers-ai';
  readonly defaultModel = '@cf/meta/llama-3.3-70b-instruct-fp8-fast';
  constructor(private readonly ai: AiBinding) {}

  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const answer = streamedAnswer(opts);
    let stream: unknown;
    try {
      stream = await this.ai.run(req.model, { messages: req.messages, max_tokens: req.max_tokens, temperature: req.temperature ?? 0, stream: true });
    } catch (err) {
      throw new LlmError(`Workers AI failed: ${err instanceof Error ? err.message.slice(0, 200) : 'error'}`, null, true);
    }
    if (!(stream instanceof ReadableStream)) throw new LlmError('Workers AI returned no stream', null, false);
    for await (const ev of readSse(stream as ReadableStream<Uint8Array>)) {
      if (ev.data === '[DONE]') break;
      const chunk = JSON.parse(ev.data) as { response?: string; usage?: { prompt_tokens?: number; completion_tokens?: number } };
      answer.delta(chunk.response);
      if (chunk.usage) answer.usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
    }
    return answer.result(this.name, req.model);
  }
}

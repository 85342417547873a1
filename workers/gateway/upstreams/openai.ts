// OpenAI-compatible upstreams (OpenAI, Groq, Together, vLLM…): the request passes through nearly unchanged;
// streamed answers always ask for usage (stream_options.include_usage), which the writer strips when the
// client did not ask for it.
import { fromOpenAiUsage, emptyUsage, type ChunkDelta, type FinishReason, type ToolCall, type Usage } from '../wire';
import { isRecord, parseJson, UpstreamGarbage, type Adapter } from './types';

const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

export const openAiAdapter: Adapter = {
  build(req, target, { stream }) {
    const body = { ...req, model: target.model, stream, ...(stream ? { stream_options: { include_usage: true } } : { stream_options: undefined }) };
    return { url: `${target.base_url}/chat/completions`, headers: headers(target.key), body: JSON.stringify(body) };
  },
  parse(json) {
    const choice = isRecord(json) && Array.isArray(json.choices) ? json.choices[0] : undefined;
    if (!isRecord(choice) || !isRecord(choice.message)) throw new UpstreamGarbage('no choices[0].message');
    const m = choice.message;
    return {
      content: typeof m.content === 'string' ? m.content : null,
      tool_calls: Array.isArray(m.tool_calls) ? (m.tool_calls as ToolCall[]) : [],
      finish: (choice.finish_reason as FinishReason) ?? null,
      usage: fromOpenAiUsage((json as Record<string, unknown>).usage),
    };
  },
  translator() {
    let usage: Usage = emptyUsage();
    return {
      event(e) {
        if (e.data === '[DONE]') return [];
        const chunk = parseJson(e.data);
        if (!isRecord(chunk)) throw new UpstreamGarbage('chunk is not an object');
        if (isRecord(chunk.usage)) usage = fromOpenAiUsage(chunk.usage);
        const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
        if (!isRecord(choice)) return [];
        const delta = isRecord(choice.delta) ? choice.delta : {};
        const out: ChunkDelta = {};
        if (typeof delta.content === 'string') out.content = delta.content;
        if (Array.isArray(delta.tool_calls)) out.tool_calls = delta.tool_calls as ChunkDelta['tool_calls'];
        if (choice.finish_reason) out.finish_reason = choice.finish_reason as FinishReason;
        return Object.keys(out).length ? [out] : [];
      },
      usage: () => usage,
    };
  },
  embeddings: {
    build: (req, target) => ({ url: `${target.base_url}/embeddings`, headers: headers(target.key), body: JSON.stringify({ ...req, model: target.model }) }),
    parse(json) {
      if (!isRecord(json) || !Array.isArray(json.data)) throw new UpstreamGarbage('no data[]');
      return { body: json, usage: fromOpenAiUsage(json.usage) };
    },
  },
};

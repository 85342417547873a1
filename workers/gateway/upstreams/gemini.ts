// Gemini generateContent ⇄ OpenAI chat completions: roles user/model, system instruction apart, tools as
// functionDeclarations, tool results as functionResponse parts; usage with cached and thinking tokens.
import { emptyUsage, textOf, tokenCount, type ChatMessage, type ChatRequest, type ChunkDelta, type FinishReason, type ToolCall, type Usage } from '../wire';
import { geminiEmbeddings } from './gemini-embeddings';
import { isRecord, parseArgs, parseJson, UpstreamGarbage, type Adapter } from './types';

const FINISH: Record<string, FinishReason> = { STOP: 'stop', MAX_TOKENS: 'length', SAFETY: 'content_filter', RECITATION: 'content_filter', PROHIBITED_CONTENT: 'content_filter' };

type Part = Record<string, unknown>;

function contents(messages: ChatMessage[]): Array<{ role: 'user' | 'model'; parts: Part[] }> {
  const toolNames = new Map<string, string>();
  const out: Array<{ role: 'user' | 'model'; parts: Part[] }> = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const parts: Part[] = [];
    if (m.role === 'tool') {
      parts.push({ functionResponse: { name: toolNames.get(m.tool_call_id ?? '') ?? m.name ?? 'tool', response: { content: textOf(m.content) } } });
    } else {
      const text = textOf(m.content);
      if (text) parts.push({ text });
      for (const c of m.tool_calls ?? []) {
        toolNames.set(c.id, c.function.name);
        parts.push({ functionCall: { name: c.function.name, args: parseArgs(c.function.arguments) } });
      }
    }
    if (parts.length === 0) continue;
    const role = m.role === 'assistant' ? 'model' : 'user';
    const last = out[out.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

function toolConfig(choice: ChatRequest['tool_choice']): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function usageOf(raw: unknown): Usage {
  if (!isRecord(raw)) return emptyUsage();
  const input = tokenCount(raw.promptTokenCount);
  return {
    input_tokens: input,
    output_tokens: tokenCount(raw.candidatesTokenCount),
    cached_input_tokens: Math.min(input, tokenCount(raw.cachedContentTokenCount)),
    cache_write_tokens: 0,
    reasoning_tokens: tokenCount(raw.thoughtsTokenCount),
  };
}

function partsOf(json: unknown): { parts: Part[]; finish: string | undefined } {
  if (!isRecord(json) || !Array.isArray(json.candidates)) throw new UpstreamGarbage('no candidates');
  const cand = json.candidates[0];
  if (!isRecord(cand)) return { parts: [], finish: undefined };
  const content = isRecord(cand.content) ? cand.content : {};
  return { parts: Array.isArray(content.parts) ? (content.parts as Part[]) : [], finish: typeof cand.finishReason === 'string' ? cand.finishReason : undefined };
}

export const geminiAdapter: Adapter = {
  build(req, target, { stream }) {
    const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n\n');
    const stop = req.stop ? (Array.isArray(req.stop) ? req.stop : [req.stop]) : undefined;
    const maxTokens = req.max_completion_tokens ?? req.max_tokens;
    const generationConfig = {
      ...(maxTokens != null ? { maxOutputTokens: maxTokens } : {}),
      ...(req.temperature != null ? { temperature: req.temperature } : {}),
      ...(req.top_p != null ? { topP: req.top_p } : {}),
      ...(stop ? { stopSequences: stop } : {}),
    };
    const body = {
      contents: contents(req.messages),
      ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
      ...(req.tools?.length ? { tools: [{ functionDeclarations: req.tools.map((t) => ({ name: t.function.name, description: t.function.description ?? '', ...(t.function.parameters ? { parameters: t.function.parameters } : {}) })) }] } : {}),
      ...(toolConfig(req.tool_choice) ? { toolConfig: toolConfig(req.tool_choice) } : {}),
      ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
    };
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return {
      url: `${target.base_url}/v1beta/models/${encodeURIComponent(target.model)}:${method}`,
      headers: { 'x-goog-api-key': target.key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  },
  parse(json) {
    const { parts, finish } = partsOf(json);
    let text = '';
    const calls: ToolCall[] = [];
    for (const p of parts) {
      if (typeof p.text === 'string' && !p.thought) text += p.text;
      if (isRecord(p.functionCall)) calls.push({ id: `call_${calls.length}`, type: 'function', function: { name: String(p.functionCall.name), arguments: JSON.stringify(p.functionCall.args ?? {}) } });
    }
    const reason = calls.length ? 'tool_calls' : (FINISH[finish ?? 'STOP'] ?? 'stop');
    return { content: text || (calls.length ? null : ''), tool_calls: calls, finish: reason, usage: usageOf((json as Record<string, unknown>).usageMetadata) };
  },
  translator() {
    let usage = emptyUsage();
    let tools = 0;
    return {
      event(e) {
        const json = parseJson(e.data);
        const { parts, finish } = partsOf(json);
        if (isRecord(json) && json.usageMetadata) usage = usageOf(json.usageMetadata);
        const out: ChunkDelta[] = [];
        for (const p of parts) {
          if (typeof p.text === 'string' && p.text && !p.thought) out.push({ content: p.text });
          if (isRecord(p.functionCall)) {
            const index = tools++;
            out.push({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: String(p.functionCall.name), arguments: JSON.stringify(p.functionCall.args ?? {}) } }] });
          }
        }
        if (finish) out.push({ finish_reason: tools ? 'tool_calls' : (FINISH[finish] ?? 'stop') });
        return out;
      },
      usage: () => usage,
    };
  },
  embeddings: geminiEmbeddings,
};

// Anthropic Messages API ⇄ OpenAI chat completions: system prompt apart, tool calls as tool_use / tool_result
// blocks, usage with cache reads and writes (prompt_tokens = input + cache read + cache write). With
// prompt_cache, cache breakpoints go on the static prefix: the tool definitions and the system prompt.
import { emptyUsage, textOf, tokenCount, type ChatMessage, type ChatRequest, type ChunkDelta, type FinishReason, type ToolCall, type Usage } from '../wire';
import { isRecord, parseArgs, parseJson, UpstreamGarbage, type Adapter } from './types';

const DEFAULT_MAX_TOKENS = 4096;
const ANTHROPIC_VERSION = '2023-06-01';
const EPHEMERAL = { type: 'ephemeral' } as const;

const FINISH: Record<string, FinishReason> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };

type Block = Record<string, unknown>;

function blocksOf(m: ChatMessage): Block[] {
  if (m.role === 'tool') return [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: textOf(m.content) }];
  const blocks: Block[] = [];
  const text = textOf(m.content);
  if (text) blocks.push({ type: 'text', text });
  for (const c of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.function.name, input: parseArgs(c.function.arguments) });
  return blocks;
}

/** OpenAI messages → Anthropic's alternating user/assistant turns (consecutive same-role turns merged). */
function turns(messages: ChatMessage[]): Array<{ role: 'user' | 'assistant'; content: Block[] }> {
  const out: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(m);
    if (blocks.length === 0) continue;
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

function toolChoice(choice: ChatRequest['tool_choice']): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.function.name };
}

function usageOf(raw: unknown, prior: Usage = emptyUsage()): Usage {
  if (!isRecord(raw)) return prior;
  const read = raw.cache_read_input_tokens !== undefined ? tokenCount(raw.cache_read_input_tokens) : prior.cached_input_tokens;
  const write = raw.cache_creation_input_tokens !== undefined ? tokenCount(raw.cache_creation_input_tokens) : prior.cache_write_tokens;
  const input = raw.input_tokens !== undefined ? tokenCount(raw.input_tokens) + read + write : prior.input_tokens;
  return { input_tokens: input, output_tokens: raw.output_tokens !== undefined ? tokenCount(raw.output_tokens) : prior.output_tokens, cached_input_tokens: read, cache_write_tokens: write, reasoning_tokens: 0 };
}

export const anthropicAdapter: Adapter = {
  build(req, target, { stream, prompt_cache }) {
    const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n\n');
    const tools = (req.tools ?? []).map((t, i, all) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
      ...(prompt_cache && i === all.length - 1 ? { cache_control: EPHEMERAL } : {}),
    }));
    const stop = req.stop ? (Array.isArray(req.stop) ? req.stop : [req.stop]) : undefined;
    const body = {
      model: target.model,
      max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
      messages: turns(req.messages),
      ...(system ? { system: prompt_cache ? [{ type: 'text', text: system, cache_control: EPHEMERAL }] : system } : {}),
      ...(tools.length ? { tools } : {}),
      ...(toolChoice(req.tool_choice) ? { tool_choice: toolChoice(req.tool_choice) } : {}),
      ...(req.temperature != null ? { temperature: Math.min(1, req.temperature) } : {}),
      ...(req.top_p != null ? { top_p: req.top_p } : {}),
      ...(stop ? { stop_sequences: stop } : {}),
      stream,
    };
    return {
      url: `${target.base_url}/v1/messages`,
      headers: { 'x-api-key': target.key, 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  },
  parse(json) {
    if (!isRecord(json) || !Array.isArray(json.content)) throw new UpstreamGarbage('no content blocks');
    let text = '';
    const calls: ToolCall[] = [];
    for (const b of json.content as Block[]) {
      if (b.type === 'text' && typeof b.text === 'string') text += b.text;
      if (b.type === 'tool_use') calls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
    }
    return { content: text || (calls.length ? null : ''), tool_calls: calls, finish: FINISH[String(json.stop_reason)] ?? 'stop', usage: usageOf(json.usage) };
  },
  translator() {
    let usage = emptyUsage();
    // Anthropic block index → OpenAI tool_calls index.
    const toolIndex = new Map<number, number>();
    return {
      event(e) {
        const ev = parseJson(e.data);
        if (!isRecord(ev)) throw new UpstreamGarbage('event is not an object');
        switch (ev.type) {
          case 'message_start':
            usage = usageOf(isRecord(ev.message) ? ev.message.usage : undefined, usage);
            return [];
          case 'content_block_start': {
            const b = isRecord(ev.content_block) ? ev.content_block : {};
            if (b.type !== 'tool_use') return [];
            const index = toolIndex.size;
            toolIndex.set(Number(ev.index), index);
            return [{ tool_calls: [{ index, id: String(b.id), type: 'function', function: { name: String(b.name), arguments: '' } }] }];
          }
          case 'content_block_delta': {
            const d = isRecord(ev.delta) ? ev.delta : {};
            if (d.type === 'text_delta' && typeof d.text === 'string') return [{ content: d.text }];
            if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
              return [{ tool_calls: [{ index: toolIndex.get(Number(ev.index)) ?? 0, function: { arguments: d.partial_json } }] }];
            }
            return [];
          }
          case 'message_delta': {
            usage = usageOf(ev.usage, usage);
            const reason = isRecord(ev.delta) ? ev.delta.stop_reason : undefined;
            return reason ? [{ finish_reason: FINISH[String(reason)] ?? 'stop' } satisfies ChunkDelta] : [];
          }
          case 'error':
            throw new UpstreamGarbage('upstream stream reported an error');
          default:
            return [];
        }
      },
      usage: () => usage,
    };
  },
};

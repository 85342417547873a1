// The OpenAI chat-completions shape the gateway speaks to clients, and the token usage it extracts from
// every upstream (normalized as the LlmCall record counts it: output_tokens exclude reasoning tokens).
import * as z from 'zod';

const contentPart = z.looseObject({ type: z.string().min(1).max(50) });

export const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart).max(500), z.null()]).optional(),
  name: z.string().max(200).optional(),
  tool_calls: z
    .array(z.looseObject({ id: z.string().max(200), type: z.literal('function').optional(), function: z.looseObject({ name: z.string().max(200), arguments: z.string() }) }))
    .max(200)
    .optional(),
  tool_call_id: z.string().max(200).optional(),
});

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1).max(200), description: z.string().max(10_000).optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

export const chatRequest = z.looseObject({
  model: z.string().trim().min(1).max(200),
  messages: z.array(chatMessage).min(1).max(5_000),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  tools: z.array(tool).max(512).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).optional(),
  user: z.string().max(200).optional(),
  n: z.literal(1).nullable().optional(),
});

export type ChatRequest = z.infer<typeof chatRequest>;
export type ChatMessage = z.infer<typeof chatMessage>;

export const embeddingsRequest = z.looseObject({
  model: z.string().trim().min(1).max(200),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), z.array(z.number().int()).min(1), z.array(z.array(z.number().int())).min(1).max(2048)]),
  user: z.string().max(200).optional(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;

/** Tokens of one call, as the telemetry record counts them. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export const emptyUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });

/** OpenAI's usage object for a Usage (prompt_tokens include cache reads and writes; completion includes reasoning). */
export function openAiUsage(u: Usage) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens + u.reasoning_tokens,
    total_tokens: u.input_tokens + u.output_tokens + u.reasoning_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** An OpenAI usage object → Usage. */
export function fromOpenAiUsage(raw: unknown): Usage {
  const u = (raw ?? {}) as Record<string, unknown>;
  const completion = int(u.completion_tokens);
  const reasoning = Math.min(completion, int((u.completion_tokens_details as Record<string, unknown> | undefined)?.reasoning_tokens));
  const input = int(u.prompt_tokens);
  return {
    input_tokens: input,
    output_tokens: completion - reasoning,
    cached_input_tokens: Math.min(input, int((u.prompt_tokens_details as Record<string, unknown> | undefined)?.cached_tokens)),
    cache_write_tokens: 0,
    reasoning_tokens: reasoning,
  };
}

export { int as tokenCount };

/** A whole (non-streamed) answer in OpenAI's shape. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }; finish_reason: FinishReason }>;
  usage: ReturnType<typeof openAiUsage>;
}

/** One streamed delta in OpenAI's chunk shape (without id/created/model, which the writer adds). */
export interface ChunkDelta {
  content?: string;
  tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } }>;
  finish_reason?: FinishReason;
}

export function completion(id: string, model: string, content: string | null, toolCalls: ToolCall[], finish: FinishReason, usage: Usage): ChatCompletion {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: finish }],
    usage: openAiUsage(usage),
  };
}

/** Text of a message's content (string, or the text parts of an array). */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

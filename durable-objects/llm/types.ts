// One interface over the LLM providers the agents may use for classification and phrasing.
// Numbers in answers never come from here: they come from the engine's tools.
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  model: string;
  max_tokens: number;
  temperature?: number;
}

export interface ChatResult {
  text: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  ttft_ms: number | null;
}

export interface CallOptions {
  /** Called with each streamed text delta. */
  onDelta?: (text: string) => void;
  /** Whole-call deadline, ms (default 30 s). */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or a network failure (default 2), with exponential backoff. */
  retries?: number;
}

export interface LlmProvider {
  readonly name: string;
  readonly defaultModel: string;
  complete(req: ChatRequest, opts?: CallOptions): Promise<ChatResult>;
}

/** A provider error: `retryable` for 429 / 5xx / network, not for 4xx caused by the request. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** A tool the model may call: name, description and the JSON schema of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One tool call the model asked for; `arguments` is the JSON text the model wrote. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

/** The messages of a tool-calling conversation. */
export type LoopMessage =
  | ChatMessage
  | { role: 'assistant'; content: string | null; tool_calls: ToolCallRequest[] }
  | { role: 'tool'; tool_call_id: string; name: string; content: string };

export interface ToolChatRequest {
  model: string;
  max_tokens: number;
  messages: LoopMessage[];
  tools: ToolSpec[];
  /** Stream the answer (default true). */
  stream?: boolean;
}

export interface ToolChatResult extends ChatResult {
  /** Empty when the model answered with text. */
  tool_calls: ToolCallRequest[];
}

/** A provider that supports tool calling (function calling). */
export interface ToolCallingProvider extends LlmProvider {
  toolChat(req: ToolChatRequest, opts?: CallOptions): Promise<ToolChatResult>;
}

export const canCallTools = (p: LlmProvider): p is ToolCallingProvider => typeof (p as Partial<ToolCallingProvider>).toolChat === 'function';

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

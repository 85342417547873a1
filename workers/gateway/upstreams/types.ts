// What every upstream adapter provides: the request in its wire format, and its answers (whole or streamed)
// translated back to the OpenAI shape with normalized usage.
import type { SseEvent } from '../../../protocol/sse';
import type { ChatRequest, ChunkDelta, EmbeddingsRequest, FinishReason, ToolCall, Usage } from '../wire';

export interface UpstreamTarget {
  model: string;
  key: string;
  base_url: string;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ParsedAnswer {
  content: string | null;
  tool_calls: ToolCall[];
  finish: FinishReason;
  usage: Usage;
}

export interface StreamTranslator {
  /** The OpenAI deltas one upstream event carries (none for bookkeeping events). */
  event(e: SseEvent): ChunkDelta[];
  usage(): Usage;
}

export interface Adapter {
  build(req: ChatRequest, target: UpstreamTarget, opts: { stream: boolean; prompt_cache: boolean }): UpstreamRequest;
  /** Throws UpstreamGarbage when the body is not this API's answer. */
  parse(json: unknown): ParsedAnswer;
  translator(): StreamTranslator;
  embeddings?: EmbeddingsAdapter;
}

export interface EmbeddingsAdapter {
  /** Throws a 400 GatewayError for input this API cannot embed. */
  build(req: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest;
  /** The answer in OpenAI's shape and its usage; throws UpstreamGarbage when it is not this API's answer. */
  parse(json: unknown, req: EmbeddingsRequest): { body: Record<string, unknown>; usage: Usage };
}

/** An upstream answered 2xx with something that is not its API's answer. */
export class UpstreamGarbage extends Error {}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamGarbage('upstream event is not JSON');
  }
}

/** A tool call's JSON arguments as a value ({} when they are not valid JSON). */
export function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

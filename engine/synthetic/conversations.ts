// Multi-turn conversations (the Mooncake pattern): each turn resends the whole history plus the last answer
// and a new message, so its leading prefix blocks repeat the previous prompt. The provider's prompt cache is
// modelled as working: a turn within the model's cache TTL reads the repeated blocks from cache.
import type { CatalogModel } from '../catalog/types.js';
import { PREFIX_BLOCK_TOKENS, type LlmCall } from '../telemetry/record.js';
import { makeCall } from './calls.js';
import { pickUser, type GroupContext } from './groups.js';
import { MinHeap } from './heap.js';
import { drawShape, type TokenShape } from './params.js';
import { freshPrompt, fullBlocks, promptWithPrefix } from './prompts.js';
import type { Rng } from './prng.js';
import { arrivalTimes } from './sample.js';

/** Growth of one turn is at least a block, so a turn never shares its last-but-one block with the previous one. */
const MIN_TURN_GROWTH = 513;

export interface ConversationSpec {
  feature: string;
  model: CatalogModel;
  firstInput: TokenShape;
  message: TokenShape;
  output: TokenShape;
  maxTokens: number;
  /** Number of turns of a new conversation. */
  turns: (rng: Rng) => number;
  /** A conversation ends instead of sending more input tokens than this (null: never). */
  maxInput: number | null;
  /** Median user think time between turns, ms. */
  thinkMedianMs: number;
  userPool: number;
}

interface Conversation {
  user: string;
  turnsLeft: number;
  prev: LlmCall | null;
}

/** Expected calls per conversation, to size the number of conversations for a call budget. */
export function conversationsFor(calls: number, meanTurns: number): number {
  return Math.max(1, Math.round(calls / meanTurns));
}

export function* conversationCalls(ctx: GroupContext, spec: ConversationSpec, conversations: number): Generator<LlmCall> {
  const { rng } = ctx;
  const starts = arrivalTimes(rng, conversations, ctx.from, ctx.to, { kind: 'poisson', diurnal: true });
  const pending = new MinHeap<{ t: number; conv: Conversation }>((a, b) => a.t < b.t);
  const ttlMs = (spec.model.cache_ttl_s ?? 0) * 1000;
  const minCached = spec.model.cache_min_tokens ?? Infinity;
  let next = 0;
  while (next < starts.length || pending.size > 0) {
    const fromStart = next < starts.length && (starts[next] ?? 0) <= (pending.peek()?.t ?? Infinity);
    const event = fromStart
      ? { t: Math.floor(starts[next++] ?? 0), conv: { user: pickUser(rng, spec.userPool), turnsLeft: spec.turns(rng), prev: null } }
      : pending.pop();
    if (!event) break;
    const { t, conv } = event;
    const prev = conv.prev;
    let input = drawShape(rng, spec.firstInput);
    let prompt = freshPrompt(rng, input);
    let cached = 0;
    if (prev) {
      input = prev.input_tokens + Math.max(prev.output_tokens + drawShape(rng, spec.message), MIN_TURN_GROWTH);
      if (spec.maxInput !== null) input = Math.min(input, spec.maxInput);
      const shared = prev.prefix_hashes.slice(0, fullBlocks(prev.input_tokens));
      prompt = promptWithPrefix(rng, shared, input);
      const sharedTokens = shared.length * PREFIX_BLOCK_TOKENS;
      if (t - prev.timestamp <= ttlMs && sharedTokens >= minCached) cached = sharedTokens;
    }
    const call = makeCall(rng, {
      timestamp: t,
      feature: spec.feature,
      model: spec.model,
      input_tokens: input,
      output_tokens: drawShape(rng, spec.output),
      cached_input_tokens: cached,
      user: conv.user,
      stream: true,
      max_tokens: spec.maxTokens,
      ...prompt,
    });
    yield call;
    conv.prev = call;
    conv.turnsLeft--;
    const nextAt = Math.floor(t + 1000 + rng.exponential(spec.thinkMedianMs / Math.LN2));
    const nextInputFloor = call.input_tokens + Math.max(call.output_tokens, MIN_TURN_GROWTH);
    const fits = spec.maxInput === null || nextInputFloor <= spec.maxInput;
    if (conv.turnsLeft > 0 && nextAt < ctx.to && fits) pending.push({ t: nextAt, conv });
  }
}

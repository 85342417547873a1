// The clean background of a workload: everyday features built the way a careful team would (caching that
// works, bounded outputs, users waiting on streamed answers). A perfect analyzer finds no saving here.
import { catalogModel } from './calls.js';
import { conversationCalls, conversationsFor } from './conversations.js';
import { groupContext, scopeOf, type BackgroundGroup, type GroupWindow } from './groups.js';
import { FITTED, cappedAtP90 } from './params.js';
import { singleShotCalls, type SingleShotSpec } from './single-shot.js';

/** Share of the background calls per feature. */
const SHARES = { chat: 0.48, summarize: 0.2, extract: 0.2, 'embed-index': 0.12 } as const;

/** Longest chat conversation, in turns (Mooncake's multi-turn sessions are short). */
const MAX_CHAT_TURNS = 6;

/** Largest prompt of the user-facing features: above it a history-window lever would apply. */
const BOUNDED_INPUT = 8192;

/** Chat: Mooncake-shaped conversations; a turn continues with the trace's prefix-reuse share. */
function chat(seed: number, window: GroupWindow, calls: number): BackgroundGroup {
  const model = catalogModel('gpt-4.1-mini');
  const output = cappedAtP90({ kind: 'narrow', trace: 'mooncake', side: 'output', median: 320, spread: 0.3, min: 5, max: 4096 });
  const continueProb = FITTED.traces.mooncake.prefix?.reuse_share ?? 0.45;
  const spec = {
    feature: 'chat',
    model,
    // Every chat prompt carries a system prompt of more than one block, so a follow-up always shares a prefix.
    firstInput: { kind: 'trace', trace: 'mooncake', side: 'input', scale: 0.12, min: 600, max: 5000 },
    message: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.2, min: 10, max: 2000 },
    output,
    maxTokens: output.max,
    turns: (rng) => {
      let n = 1;
      while (n < MAX_CHAT_TURNS && rng.chance(continueProb)) n++;
      return n;
    },
    maxInput: BOUNDED_INPUT,
    thinkMedianMs: FITTED.traces.mooncake.prefix?.reuse_gap_ms_median ?? 60_000,
    userPool: 3000,
  } satisfies Parameters<typeof conversationCalls>[1];
  const conversations = conversationsFor(calls, 1 / (1 - continueProb));
  return {
    scope: scopeOf('chat', model),
    calls: { [Symbol.iterator]: () => conversationCalls(groupContext(seed, 'chat', window, calls), spec, conversations) },
  };
}

function singleShot(seed: number, window: GroupWindow, calls: number, spec: SingleShotSpec): BackgroundGroup {
  return {
    scope: scopeOf(spec.feature, spec.model),
    calls: { [Symbol.iterator]: () => singleShotCalls(groupContext(seed, spec.feature, window, calls), spec) },
  };
}

function summarize(seed: number, window: GroupWindow, calls: number): BackgroundGroup {
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 280, spread: 0.5, min: 20, max: 2048 });
  return singleShot(seed, window, calls, {
    feature: 'summarize',
    model: catalogModel('gemini-2.5-flash'),
    input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 2, min: 300, max: BOUNDED_INPUT },
    output,
    maxTokens: output.max,
    stream: true,
    userPool: 2000,
    arrivals: 'diurnal',
  });
}

/** Structured extraction on the cheapest capable model: short JSON answers, user uploads in bursts. */
function extract(seed: number, window: GroupWindow, calls: number): BackgroundGroup {
  const output = cappedAtP90({ kind: 'trace', trace: 'azure_code', side: 'output', scale: 6, min: 10, max: 2048 });
  return singleShot(seed, window, calls, {
    feature: 'extract',
    model: catalogModel('llama-3.1-8b-instant'),
    input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.6, min: 50, max: 6000 },
    output,
    maxTokens: output.max,
    stream: false,
    userPool: 1500,
    arrivals: 'bursty',
  });
}

/** Embedding of user uploads as they arrive (not a backfill: a user waits for the document to be searchable). */
function embedIndex(seed: number, window: GroupWindow, calls: number): BackgroundGroup {
  return singleShot(seed, window, calls, {
    feature: 'embed-index',
    model: catalogModel('text-embedding-3-small'),
    input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.5, min: 20, max: 8000 },
    output: { kind: 'trace', trace: 'azure_code', side: 'output', scale: 0, min: 0, max: 0 },
    maxTokens: null,
    stream: false,
    userPool: 1500,
    arrivals: 'bursty',
  });
}

export function backgroundGroups(seed: number, window: GroupWindow, calls: number): BackgroundGroup[] {
  const n = (share: number) => Math.max(1, Math.round(calls * share));
  return [
    chat(seed, window, n(SHARES.chat)),
    summarize(seed, window, n(SHARES.summarize)),
    extract(seed, window, n(SHARES.extract)),
    embedIndex(seed, window, n(SHARES['embed-index'])),
  ];
}

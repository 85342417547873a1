// The edge-case workload of the ClickHouse profile's tests: seeded calls built to hit every rule of
// engine/profile/derive.ts at and around its thresholds — exact and near duplicates, double fires, retries
// after 429 / errors with fallbacks, sessions that grow past the history window, prefix reuse across both
// cache TTLs (hashes repeated inside a call, chains that break midway, the same hashes on another model),
// cache writes read and unread, unknown models, missing costs, latencies at round time-outs, ties on the
// timestamp, invalid rows, and superseded row versions.
import { costNano, findModel } from '../../engine/catalog/index';
import { Rng } from '../../engine/synthetic/prng';
import type { LlmCall } from '../../engine/telemetry/record';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START = Date.UTC(2026, 2, 2); // a Monday, 00:00 UTC

const KNOWN_MODELS: [string, string][] = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.5-flash'],
  ['azure', 'gpt-4o-2024-08-06'],
];
const UNKNOWN_MODELS: [string, string][] = [
  ['acme', 'acme-llm-7b'],
  ['openai', 'gpt-internal-zz'],
];
const FEATURES = ['chat', 'search', 'summarize', 'agent', 'Agent', undefined];
const SOURCES = ['api', 'api', 'otlp', 'import:imp_1'];
const ERRORS = ['429', '429', '500', 'timeout', '504', '408', 'client_cancel', 'error'];
/** Gaps at and around every threshold of derive.ts (ms). */
const GAPS = [0, 1, 500, 999, 1000, 1999, 2000, 2001, 30_000, 59_999, 60_000, 60_001, 299_999, 300_000, 300_001,
  1_799_999, 1_800_000, 1_800_001, 3_599_999, 3_600_000, 3_600_001, 86_399_999, 86_400_000, 86_400_001];
const LIMIT_LATENCIES = [9_999, 10_000, 10_999, 10_999.75, 11_000, 30_000, 30_500.5, 60_999, 120_000, 300_000, 600_999.25, 601_000];

/** The calls of a profile's scope: from ≤ timestamp < to, of the source when one is given. */
export const inScope = (calls: readonly LlmCall[], from: number, to: number, source?: string): LlmCall[] =>
  calls.filter((c) => c.timestamp >= from && c.timestamp < to && (source === undefined || c.source === source));

export interface Workload {
  calls: LlmCall[];
  /** Earlier versions of some calls (same request id, other content): FINAL must drop them. */
  superseded: LlmCall[];
}

/** A seeded workload of about `n` calls over `days` from START. */
export function generateCalls(seed: number, n: number, days: number): Workload {
  const rng = new Rng(seed);
  const calls: LlmCall[] = [];
  const end = START + days * DAY;
  const users = Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, '0')}`);
  const pool = Array.from({ length: 40 }, (_, i) => `h${i}`); // shared prefix-block hashes (collide often)
  const templates = Array.from({ length: 6 }, (_, i) => Array.from({ length: 2 + i * 2 }, (_, j) => `t${i}.${j}`));
  let uniq = 0;
  const fresh = (p: string) => `${p}${seed}.${uniq++}`;
  const model = (): [string, string] => (rng.chance(0.12) ? rng.pick(UNKNOWN_MODELS) : rng.pick(KNOWN_MODELS));
  const gap = () => rng.pick(GAPS);
  const feat = () => FEATURES[rng.int(0, FEATURES.length - 1)];
  const randomTime = () => START + Math.floor(rng.float() * (end - START));

  function emit(ts: number, over: Partial<LlmCall> & { pm?: [string, string] }): LlmCall {
    const [provider, modelId] = over.pm ?? model();
    const input = over.input_tokens ?? rng.int(0, 20_000);
    const output = over.output_tokens ?? (rng.chance(0.05) ? 0 : rng.int(1, 2_000));
    const cached = over.cached_input_tokens ?? (rng.chance(0.3) ? rng.int(0, input) : 0);
    const cacheWrite = over.cache_write_tokens ?? (rng.chance(0.15) ? rng.int(1, 4_000) : 0);
    const reasoning = over.reasoning_tokens ?? (rng.chance(0.1) ? rng.int(0, 3_000) : 0);
    const status = over.status ?? (rng.chance(0.85) ? 'ok' : rng.pick(ERRORS));
    const stream = over.stream !== undefined ? over.stream : rng.pick([true, true, false, null]);
    const latency =
      over.latency_ms !== undefined
        ? over.latency_ms
        : rng.chance(0.05)
          ? null
          : rng.chance(0.08)
            ? rng.pick(LIMIT_LATENCIES)
            : rng.int(50, 20_000) + rng.pick([0, 0, 0.25, 0.5, 0.1, 0.3, 0.7]);
    const ttft = stream === true && latency !== null && rng.chance(0.9) ? Math.min(latency, rng.int(20, 3_000)) : rng.chance(0.1) ? rng.int(20, 900) : null;
    const catalog = findModel(modelId, provider);
    const cost =
      over.cost_nanousd !== undefined
        ? over.cost_nanousd
        : rng.chance(0.07)
          ? null
          : catalog
            ? costNano(catalog, { input_tokens: input, output_tokens: output, cached_input_tokens: cached, cache_write_tokens: cacheWrite, reasoning_tokens: reasoning })
            : rng.int(0, 5_000_000);
    const maxTokens = over.max_tokens !== undefined ? over.max_tokens : rng.chance(0.4) ? rng.pick([256, 512, 1_024, 2_000]) : null;
    const user = 'user' in over ? over.user : rng.chance(0.7) ? rng.pick(users) : undefined;
    const feature = 'feature' in over ? over.feature : feat();
    const call: LlmCall = {
      request_id: over.request_id ?? `req_${rng.hex()}`,
      timestamp: Math.min(ts, end + DAY),
      project: 'p',
      ...(user !== undefined ? { user } : {}),
      ...(feature !== undefined ? { feature } : {}),
      provider,
      model: modelId,
      input_tokens: input,
      output_tokens: output,
      cached_input_tokens: cached,
      cache_write_tokens: cacheWrite,
      reasoning_tokens: reasoning,
      latency_ms: latency,
      ttft_ms: ttft,
      status,
      cost_nanousd: cost,
      cost_from_source: false,
      prompt_hash: over.prompt_hash !== undefined ? over.prompt_hash : rng.chance(0.1) ? null : fresh('p'),
      prefix_hashes: over.prefix_hashes ?? [],
      max_tokens: maxTokens,
      stream,
      region: null,
      attempt: over.attempt ?? (rng.chance(0.04) ? rng.int(2, 3) : 1),
      trace_id: null,
      span_id: null,
      metadata: {},
      source: over.source ?? rng.pick(SOURCES),
    };
    calls.push(call);
    return call;
  }

  const episodes: (() => void)[] = [
    // Exact duplicates (double fires, within and beyond 24 h), sometimes with failures in between.
    () => {
      const pm = model();
      const prompt = fresh('dup');
      const user = rng.chance(0.5) ? rng.pick(users) : undefined;
      const feature = feat();
      const hashes = rng.chance(0.5) ? [fresh('d'), fresh('d'), fresh('d')] : [];
      let t = randomTime();
      for (let k = rng.int(2, 5); k > 0; k--) {
        emit(t, { pm, prompt_hash: prompt, user, feature, prefix_hashes: hashes, status: rng.chance(0.8) ? 'ok' : rng.pick(ERRORS), input_tokens: 1_600 });
        t += gap();
      }
    },
    // Retry chains: a failure, then the same prompt and user again after a gap, maybe on another model.
    () => {
      let pm = model();
      const prompt = fresh('r');
      const user = rng.chance(0.6) ? rng.pick(users) : undefined;
      let t = randomTime();
      let attempt = 1;
      emit(t, { pm, prompt_hash: prompt, user, status: rng.pick(ERRORS), attempt, latency_ms: rng.pick([40, 30_000, 60_000.5]) });
      for (let k = rng.int(1, 3); k > 0; k--) {
        t += rng.pick([0, 1, 500, 999, 1_000, 5_000, 59_999, 60_000, 60_001, 90_000]);
        if (rng.chance(0.3)) pm = model();
        if (rng.chance(0.5)) attempt++;
        emit(t, { pm, prompt_hash: prompt, user, status: k === 1 ? 'ok' : rng.pick(ERRORS), attempt });
      }
    },
    // Conversations: a growing prefix, cache reads of the previous turn, writes, gaps around 30 min and the TTLs.
    () => {
      const pm = model();
      const user = rng.chance(0.9) ? rng.pick(users) : undefined;
      const feature = feat();
      const blocks: string[] = [];
      let t = randomTime();
      let prevInput = 0;
      for (let turn = rng.int(2, 8); turn > 0; turn--) {
        for (let k = rng.int(1, 4); k > 0; k--) blocks.push(fresh('c'));
        const input = rng.chance(0.15) ? rng.int(0, 2_000) : blocks.length * 512 - rng.int(0, 511);
        emit(t, {
          pm,
          user,
          feature,
          prefix_hashes: [...blocks],
          input_tokens: input,
          cached_input_tokens: rng.chance(0.5) ? Math.min(prevInput, input) : 0,
          cache_write_tokens: rng.chance(0.5) ? rng.int(1, 3_000) : 0,
        });
        prevInput = input;
        t += rng.pick([1_000, 30_000, 299_000, 300_000, 300_001, 1_799_999, 1_800_000, 1_800_001, 3_600_000, 3_600_001]);
      }
    },
    // Templated prompts: the same blocks but the last → near duplicates (sometimes also exact ones).
    () => {
      const pm = rng.chance(0.7) ? rng.pick(KNOWN_MODELS) : model();
      const tpl = rng.pick(templates);
      let t = randomTime();
      const prompt = fresh('tp');
      for (let k = rng.int(2, 5); k > 0; k--) {
        emit(t, {
          pm,
          prefix_hashes: [...tpl, fresh('q')],
          prompt_hash: rng.chance(0.3) ? prompt : fresh('p'),
          input_tokens: (tpl.length + 1) * 512 - rng.int(0, 300),
          status: rng.chance(0.85) ? 'ok' : rng.pick(ERRORS),
        });
        t += gap();
      }
    },
    // Cache writes, then maybe a read of the same key (first prefix hash, or the feature) around 300 s.
    () => {
      const pm = model();
      const feature = feat();
      const hashes = rng.chance(0.6) ? [rng.pick(pool), fresh('w')] : [];
      const t = randomTime();
      emit(t, { pm, feature, prefix_hashes: hashes, cache_write_tokens: rng.int(1, 5_000), cached_input_tokens: 0 });
      if (rng.chance(0.7)) {
        const input = rng.int(600, 6_000);
        emit(t + rng.pick([0, 1, 299_999, 300_000, 300_001, 600_000]), {
          pm: rng.chance(0.85) ? pm : model(),
          feature: rng.chance(0.85) ? feature : feat(),
          prefix_hashes: hashes.length && rng.chance(0.8) ? [hashes[0]!, fresh('w')] : [],
          input_tokens: input,
          cached_input_tokens: rng.int(1, input),
        });
      }
    },
    // Ties: several calls at the same millisecond (the order falls back to the request id).
    () => {
      const pm = model();
      const prompt = rng.chance(0.5) ? fresh('tie') : null;
      const hashes = [rng.pick(pool), rng.pick(pool)];
      const t = randomTime();
      for (let k = rng.int(2, 4); k > 0; k--) emit(t, { pm, prompt_hash: prompt, prefix_hashes: hashes, user: 'u00', feature: 'chat' });
    },
    // Noise: random prefix chains over a small pool (repeats inside a call, chains that break midway).
    () => {
      const len = rng.int(0, 12);
      const hashes = Array.from({ length: len }, () => rng.pick(pool));
      emit(randomTime(), { prefix_hashes: hashes, input_tokens: rng.chance(0.5) ? len * 512 : rng.int(0, 10_000) });
    },
    // Odd fields: zero tokens, reasoning above output, output at / above max_tokens.
    () => {
      const out = rng.int(0, 600);
      emit(randomTime(), {
        input_tokens: rng.chance(0.5) ? 0 : rng.int(1, 100),
        output_tokens: rng.chance(0.5) ? 0 : out,
        max_tokens: rng.chance(0.5) ? out : null,
        reasoning_tokens: rng.int(0, 700),
        status: 'ok',
      });
    },
  ];
  while (calls.length < n) rng.pick(episodes)();

  // Invalid rows a stored row can still hold: absurd tokens, cached > input, negative cost.
  for (let k = 0; k < 6; k++) {
    const c = emit(randomTime(), {});
    if (k % 3 === 0) c.reasoning_tokens = 20_000_000;
    else if (k % 3 === 1) c.cached_input_tokens = c.input_tokens + 1;
    else c.cost_nanousd = -5;
  }
  // Superseded versions: same request id, other content, ingested earlier.
  const superseded = calls
    .filter(() => rng.chance(0.02))
    .map((c) => ({ ...c, status: 'ok', input_tokens: c.input_tokens + 7, model: 'gpt-4o', provider: 'openai', prefix_hashes: ['h1', 'h2'] }));
  return { calls, superseded };
}


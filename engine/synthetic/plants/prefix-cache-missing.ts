// Planted: RAG answers that resend the same long knowledge-pack prefix within minutes, but the prompt is
// not cache-friendly on the provider side (no cache reads recorded) → prefix_caching.
import type { LlmCall } from '../../telemetry/record.js';
import { PREFIX_BLOCK_TOKENS } from '../../telemetry/record.js';
import { catalogModel, makeCall } from '../calls.js';
import { groupContext, inProfileOrder, pickUser, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { FITTED, cappedAtP90, drawShape, type TokenShape } from '../params.js';
import { promptWithPrefix } from '../prompts.js';
import { drawQuantile } from '../sample.js';
import { arrivalsFor } from '../single-shot.js';
import { cacheBuckets, nanoPerToken, savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'rag-answer';
const PACKS = 6;
const QUESTIONS_PER_VISIT = { min: 2, max: 7 };
/** Retrieved chunks + question after the pack: always more than a block, so no two prompts are near-duplicates. */
const SUFFIX: TokenShape = { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1, min: 600, max: 2500 };

export function plantPrefixCacheMissing(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('gpt-4o-mini');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 320, spread: 0.5, min: 20, max: 2048 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total, 0.04));
  const { rng } = ctx;
  // Pack sizes follow the Mooncake reuse depth (in blocks), scaled to fit under the 8k bounded prompt.
  const depth = FITTED.traces.mooncake.prefix?.depth_blocks_quantiles ?? [8];
  const packs = Array.from({ length: PACKS }, (_, i) => {
    const blocks = Math.max(3, Math.min(10, Math.round(drawQuantile(rng, depth) * 0.25)));
    return Array.from({ length: blocks }, (_, b) => `pack${i}-${rng.hex()}.${b}`);
  });
  const meanQuestions = (QUESTIONS_PER_VISIT.min + QUESTIONS_PER_VISIT.max) / 2;
  const generated: LlmCall[] = [];
  for (const start of arrivalsFor(ctx, Math.max(1, Math.round(ctx.calls / meanQuestions)), 'diurnal')) {
    const pack = rng.pick(packs);
    const user = pickUser(rng, 2500);
    let t = Math.floor(start);
    for (let q = rng.int(QUESTIONS_PER_VISIT.min, QUESTIONS_PER_VISIT.max); q > 0 && t < window.to; q--) {
      const input = pack.length * PREFIX_BLOCK_TOKENS + drawShape(rng, SUFFIX);
      generated.push(
        makeCall(rng, {
          timestamp: t,
          feature: FEATURE,
          model,
          input_tokens: input,
          output_tokens: drawShape(rng, output),
          user,
          stream: true,
          max_tokens: output.max,
          ...promptWithPrefix(rng, pack, input),
        }),
      );
      t += Math.floor(5_000 + rng.exponential(45_000));
    }
  }
  const calls = inProfileOrder(generated);

  // Contract: a pack's blocks repeat when the pack was sent ≤ TTL before; counted when ≥ the min-prefix bucket;
  // gap = repeat − cached (0 here); saving = gap·(P_in − P_cr) (OpenAI: no write premium).
  const { ttlMs, minTokens } = cacheBuckets(model);
  const lastSent = new Map<string, number>();
  let gapTokens = 0;
  for (const c of calls) {
    const packKey = c.prefix_hashes[0] ?? '';
    const packBlocks = packs.find((p) => p[0] === packKey)?.length ?? 0;
    const prev = lastSent.get(packKey);
    const repeat = prev !== undefined && c.timestamp - prev <= ttlMs ? packBlocks * PREFIX_BLOCK_TOKENS : 0;
    if (repeat >= minTokens) gapTokens += Math.max(0, repeat - c.cached_input_tokens);
    lastSent.set(packKey, c.timestamp);
  }
  const cachedPrice = model.cached_input_per_m ?? model.input_per_m;
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.prefix_cache_missing,
        where: scopeOf(FEATURE, model),
        saving_nanousd: gapTokens * (nanoPerToken(model.input_per_m) - nanoPerToken(cachedPrice)),
        planted_calls: calls.length,
        note: `${PACKS} knowledge packs (${packs.map((p) => p.length).join('/')} blocks) resent within 5 min with no cache reads; ${gapTokens} cacheable tokens`,
      }),
    ],
  };
}

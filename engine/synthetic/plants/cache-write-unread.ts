// Planted: Anthropic cache_control on a document that is asked about exactly once — every call pays the
// 1.25× cache write and nothing ever reads it → cache_write_unread.
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel, makeCall } from '../calls.js';
import { groupContext, inProfileOrder, pickUser, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90, drawShape } from '../params.js';
import { freshPrompt } from '../prompts.js';
import { arrivalsFor } from '../single-shot.js';
import { nanoPerToken, savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'doc-qa';

export function plantCacheWriteUnread(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('claude-sonnet-4-5');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 300, spread: 0.5, min: 20, max: 2048 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const { rng } = ctx;
  const minWrite = model.cache_min_tokens ?? 1024;
  const generated: LlmCall[] = [];
  for (const t of arrivalsFor(ctx, ctx.calls, 'diurnal')) {
    const question = rng.int(40, 300);
    const document = drawShape(rng, { kind: 'trace', trace: 'azure_code', side: 'input', scale: 2, min: minWrite, max: 8192 - question });
    const input = document + question;
    generated.push(
      makeCall(rng, {
        timestamp: t,
        feature: FEATURE,
        model,
        input_tokens: input,
        output_tokens: drawShape(rng, output),
        cache_write_tokens: document,
        user: pickUser(rng, 2500),
        stream: true,
        max_tokens: output.max,
        ...freshPrompt(rng, input),
      }),
    );
  }
  const calls = inProfileOrder(generated);

  // Contract: every write here is unread (no later call reads the same prefix): Σ writes × (P_cw − P_in).
  const written = calls.reduce((s, c) => s + c.cache_write_tokens, 0);
  const premium = Math.max(0, nanoPerToken(model.cache_write_per_m ?? model.input_per_m) - nanoPerToken(model.input_per_m));
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.cache_write_unread,
        where: scopeOf(FEATURE, model),
        saving_nanousd: written * premium,
        planted_calls: calls.length,
        note: `${written} document tokens written to the 5-min cache, each document asked about once`,
      }),
    ],
  };
}

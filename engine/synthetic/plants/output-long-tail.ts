// Planted: product copy generated with no max_tokens, so a long tail of runaway answers (the Azure trace's
// output shape, scaled) is paid in full → output_length_caps.
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { singleShotCalls } from '../single-shot.js';
import { isOk, nanoPerToken, nearestRankPercentile, savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'product-copy';
/** Output limit of the model when the catalog does not say: what stops an answer with no max_tokens. */
const UNBOUNDED_OUTPUT_LIMIT = 16_384;

export function plantOutputLongTail(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('mistral-medium-3-1');
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total, 0.04));
  const calls = inProfileOrder(
    singleShotCalls(ctx, {
      feature: FEATURE,
      model,
      input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.5, min: 50, max: 4000 },
      // Unbounded: only the model's own output limit stops an answer.
      output: { kind: 'trace', trace: 'azure_code', side: 'output', scale: 24, min: 1, max: model.max_output_tokens ?? UNBOUNDED_OUTPUT_LIMIT },
      maxTokens: null,
      stream: true,
      userPool: 2500,
      arrivals: 'diurnal',
    }),
  );

  // Contract: over ok calls, Σ max(0, output − p95) × P_out (cap max_tokens at the p95, nearest rank).
  const outputs = calls.filter(isOk).map((c) => c.output_tokens);
  const p95 = nearestRankPercentile(outputs, 950);
  const overTokens = outputs.reduce((s, o) => s + Math.max(0, o - p95), 0);
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.output_long_tail,
        where: scopeOf(FEATURE, model),
        saving_nanousd: overTokens * nanoPerToken(model.output_per_m),
        planted_calls: calls.length,
        note: `no max_tokens; ${overTokens} output tokens above the p95 (${p95})`,
      }),
    ],
  };
}

// Planted: whole contracts stuffed into every prompt for a short review note (input ≈ 30× output) →
// context_bloat (compress or retrieve instead).
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { singleShotCalls } from '../single-shot.js';
import { nanoPerToken, savingItem, usageOf } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'contract-review';
/** Compression ratio the contract assumes on the uncached part (c = 2). */
const COMPRESSION = 2;

export function plantContextBloat(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('gemini-3.1-flash-lite');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 240, spread: 0.25, min: 60, max: 1024 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const calls = inProfileOrder(
    singleShotCalls(ctx, {
      feature: FEATURE,
      model,
      input: { kind: 'narrow', trace: 'azure_code', side: 'input', median: 7200, spread: 0.1, min: 4000, max: 8192 },
      output,
      maxTokens: output.max,
      stream: true,
      userPool: 1500,
      arrivals: 'diurnal',
    }),
  );

  // Contract: Σin / Σout > 20 → (1 − 1/c) × (Σin − Σcached) × P_in.
  const u = usageOf(calls);
  const uncached = u.input_tokens - (u.cached_input_tokens ?? 0);
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.context_bloat,
        where: scopeOf(FEATURE, model),
        saving_nanousd: (1 - 1 / COMPRESSION) * uncached * nanoPerToken(model.input_per_m),
        planted_calls: calls.length,
        note: `input/output = ${(u.input_tokens / Math.max(1, u.output_tokens)).toFixed(1)} (whole documents in every prompt)`,
      }),
    ],
  };
}

// Planted: an open-weights model (Llama 3.3 70B) served by a pricier provider → provider_switch.
import { costNano, sameOpenModel } from '../../catalog/index.js';
import type { CatalogModel } from '../../catalog/types.js';
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { singleShotCalls } from '../single-shot.js';
import { nearestRankPercentile, savingItem, usageOf } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'support-bot';

export function plantProviderSwitch(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('meta-llama/Llama-3.3-70B-Instruct-Turbo');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 300, spread: 0.5, min: 20, max: 2048 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const calls = inProfileOrder(
    singleShotCalls(ctx, {
      feature: FEATURE,
      model,
      input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1.2, min: 100, max: 8192 },
      output,
      maxTokens: output.max,
      stream: true,
      userPool: 2500,
      arrivals: 'diurnal',
    }),
  );

  // Contract: alternatives whose (known) context ≥ p99 input of the model's calls; the cheapest cost(alt, U).
  const usage = usageOf(calls);
  const p99 = nearestRankPercentile(
    calls.map((c) => c.input_tokens),
    990,
  );
  const alt = sameOpenModel(model)
    .filter((m) => m.context_window > 0 && m.context_window >= p99)
    .reduce<CatalogModel | null>((best, m) => (best === null || costNano(m, usage) < costNano(best, usage) ? m : best), null);
  if (!alt) throw new Error('provider_switch plant: no other provider of llama-3.3-70b in the catalog');
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.provider_switch,
        where: scopeOf(FEATURE, model),
        saving_nanousd: costNano(model, usage) - costNano(alt, usage),
        planted_calls: calls.length,
        note: `llama-3.3-70b at together; same weights at ${alt.provider}`,
      }),
    ],
  };
}

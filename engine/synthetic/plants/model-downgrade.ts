// Planted: an expensive model on a simple classification feature (short labels) → model_downgrade.
import { costNano, measuredRank, substitutes } from '../../catalog/index.js';
import type { CatalogModel } from '../../catalog/types.js';
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { singleShotCalls } from '../single-shot.js';
import { isOk, savingItem, usageOf } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'classify';
/** Share of routable traffic the contract assumes (README: adoption 0.5). */
const ADOPTION = 0.5;

export function plantModelDowngrade(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('gpt-4o');
  const output = cappedAtP90({ kind: 'trace', trace: 'azure_code', side: 'output', scale: 4, min: 1, max: 1024 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const calls = inProfileOrder(
    singleShotCalls(ctx, {
      feature: FEATURE,
      model,
      input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.4, min: 40, max: 3000 },
      output,
      maxTokens: output.max,
      stream: false,
      userPool: 2000,
      arrivals: 'diurnal',
    }),
  );

  // Contract: substitutes whose (known) context ≥ the segment's largest ok input; same-provider ones only when
  // there are any; then highest measured tier; then cheapest cost(alt, U).
  const usage = usageOf(calls);
  const maxInput = Math.max(...calls.filter(isOk).map((c) => c.input_tokens));
  const fitting = substitutes(model).filter((m) => m.context_window > 0 && m.context_window >= maxInput);
  const sameProvider = fitting.filter((m) => m.provider === model.provider);
  const pool = sameProvider.length > 0 ? sameProvider : fitting;
  const topTier = Math.max(...pool.map(measuredRank));
  const alt = pool
    .filter((m) => measuredRank(m) === topTier)
    .reduce<CatalogModel | null>((best, m) => (best === null || costNano(m, usage) < costNano(best, usage) ? m : best), null);
  if (!alt) throw new Error('model_downgrade plant: the catalog offers no substitute for gpt-4o');
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.model_downgrade,
        where: scopeOf(FEATURE, model),
        saving_nanousd: (costNano(model, usage) - costNano(alt, usage)) * ADOPTION,
        planted_calls: calls.length,
        note: `gpt-4o labels tickets (output p50 ≈ 50 tokens); ${alt.id} at half adoption`,
      }),
    ],
  };
}

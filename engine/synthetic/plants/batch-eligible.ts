// Planted: a nightly evaluation run (02:00 UTC, no user, not streamed) at full price → batch_eligibility.
import { costNano } from '../../catalog/index.js';
import { DAY_MS } from '../../findings.js';
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { arrivalsFor, singleShotCall, type SingleShotSpec } from '../single-shot.js';
import { savingItem, usageOf } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'nightly-eval';
const RUN_START_MS = 2 * 3_600_000;
const RUN_LENGTH_MS = 40 * 60_000;

export function plantBatchEligible(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('gpt-5-mini');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 350, spread: 0.5, min: 20, max: 2048 });
  const spec: SingleShotSpec = {
    feature: FEATURE,
    model,
    input: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1, min: 100, max: 8192 },
    output,
    maxTokens: output.max,
    stream: false,
    userPool: null,
    arrivals: 'steady',
  };
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const nights: number[] = [];
  for (let day = Math.ceil(window.from / DAY_MS) * DAY_MS; day + RUN_START_MS + RUN_LENGTH_MS <= window.to; day += DAY_MS) {
    nights.push(day + RUN_START_MS);
  }
  const perNight = Math.max(1, Math.round(ctx.calls / nights.length));
  const generated: LlmCall[] = [];
  for (const night of nights) {
    for (const t of arrivalsFor(ctx, perNight, spec.arrivals, night, night + RUN_LENGTH_MS)) generated.push(singleShotCall(ctx, spec, t));
  }
  const calls = inProfileOrder(generated);

  // Contract: cost(cur, U) − cost(cur, U with batch).
  const usage = usageOf(calls);
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.batch_eligible,
        where: scopeOf(FEATURE, model),
        saving_nanousd: costNano(model, usage) - costNano(model, { ...usage, batch: true }),
        planted_calls: calls.length,
        note: `${nights.length} nightly runs of ${perNight} eval calls at 02:00 UTC, synchronous API`,
      }),
    ],
  };
}

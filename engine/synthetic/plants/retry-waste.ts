// Planted: long streamed reports whose client gives up at 30 s or hits a 502 after tokens were generated;
// the failed attempt is billed and the whole request is sent again → retry_waste.
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel, makeCall } from '../calls.js';
import { groupContext, inProfileOrder, pickUser, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90, drawShape, type TokenShape } from '../params.js';
import { freshPrompt } from '../prompts.js';
import { arrivalsFor } from '../single-shot.js';
import { savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'report-writer';
const FAILURE_SHARE = 0.1;
const CLIENT_TIMEOUT_MS = 30_000;
const INPUT: TokenShape = { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1.5, min: 200, max: 8192 };

export function plantRetryWaste(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('command-r-plus');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 900, spread: 0.35, min: 100, max: 4096 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const { rng } = ctx;
  const generated: LlmCall[] = [];
  for (const start of arrivalsFor(ctx, ctx.calls, 'diurnal')) {
    let t = Math.floor(start);
    const user = pickUser(rng, 2000);
    const input = drawShape(rng, INPUT);
    const answer = drawShape(rng, output);
    const prompt = freshPrompt(rng, input);
    const base = { feature: FEATURE, model, input_tokens: input, user, stream: true, max_tokens: output.max, ...prompt };
    if (rng.chance(FAILURE_SHARE)) {
      const timeout = rng.chance(0.6);
      const failed = makeCall(rng, {
        ...base,
        timestamp: t,
        // Tokens generated before the failure are billed.
        output_tokens: Math.max(1, Math.floor(answer * (timeout ? 0.3 + 0.5 * rng.float() : 0.1 + 0.5 * rng.float()))),
        status: timeout ? 'timeout' : '502',
        ...(timeout ? { latency_ms: CLIENT_TIMEOUT_MS + rng.int(0, 999) } : {}),
      });
      generated.push(failed);
      t += (failed.latency_ms ?? 0) + rng.int(1_000, 8_000);
      if (t >= window.to) continue;
      generated.push(makeCall(rng, { ...base, timestamp: t, output_tokens: answer, attempt: 2 }));
    } else {
      generated.push(makeCall(rng, { ...base, timestamp: t, output_tokens: answer }));
    }
  }
  const calls = inProfileOrder(generated);

  // Contract: billed failed calls (status ≠ ok, output > 0): their whole cost.
  const billedFailed = calls.filter((c) => c.status !== 'ok' && c.output_tokens > 0);
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.retry_waste,
        where: scopeOf(FEATURE, model),
        saving_nanousd: billedFailed.reduce((s, c) => s + (c.cost_nanousd ?? 0), 0),
        planted_calls: calls.length,
        note: `${billedFailed.length} failed attempts (30 s client timeouts, 502s) billed for partial output, then retried`,
      }),
    ],
  };
}

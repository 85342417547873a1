// Planted: a bulk enrichment job that fires bursts of requests, gets 429s and retries them within a second
// with no backoff. Rejected calls bill nothing: the cost is time (latency), reported as 429 storms.
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel, makeCall } from '../calls.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90, drawShape, type TokenShape } from '../params.js';
import { freshPrompt } from '../prompts.js';
import { arrivalsFor } from '../single-shot.js';
import { insightItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'bulk-enrich';
const STORM_SHARE = 0.4;
const REJECT_SHARE = 0.6;
const MAX_ATTEMPTS = 4;
const MINUTE_MS = 60_000;
const INPUT: TokenShape = { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1, min: 100, max: 8192 };

export function plantRateLimitStorm(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('magistral-small');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 280, spread: 0.5, min: 20, max: 2048 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const { rng } = ctx;
  const generated: LlmCall[] = [];
  let retryWaitMs = 0;
  let rejected = 0;

  /** One logical request; in a storm it may be rejected and resent < 1 s later, up to MAX_ATTEMPTS. */
  const request = (t: number, inStorm: boolean) => {
    const input = drawShape(rng, INPUT);
    const prompt = freshPrompt(rng, input);
    const base = { feature: FEATURE, model, stream: false, max_tokens: output.max, ...prompt };
    let attempt = 1;
    while (inStorm && attempt < MAX_ATTEMPTS && rng.chance(REJECT_SHARE)) {
      generated.push(makeCall(rng, { ...base, timestamp: t, input_tokens: 0, output_tokens: 0, status: '429', attempt }));
      rejected++;
      const wait = rng.int(100, 700);
      retryWaitMs += wait;
      t += wait;
      attempt++;
    }
    generated.push(makeCall(rng, { ...base, timestamp: t, input_tokens: input, output_tokens: drawShape(rng, output), attempt }));
  };

  const stormCalls = Math.round(ctx.calls * STORM_SHARE);
  const storms = Math.max(2, Math.round(window.days / 2));
  for (const t of arrivalsFor(ctx, ctx.calls - stormCalls, 'steady')) request(Math.floor(t), false);
  // A storm fills the first seconds of one minute; every retry lands within that same minute.
  for (const at of arrivalsFor(ctx, storms, 'steady', window.from, window.to - MINUTE_MS)) {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    for (let i = 0; i < Math.ceil(stormCalls / storms); i++) request(minute + rng.int(0, 20_000), true);
  }
  const calls = inProfileOrder(generated);

  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      insightItem({
        tool: PLANT_TOOL.rate_limit_storm,
        where: { provider: model.provider, model: model.id },
        evidence: { retry_wait_ms: retryWaitMs },
        planted_calls: calls.length,
        note: `${storms} storm minutes, ${rejected} 429s retried after 100–700 ms (no backoff); the wait is the latency saved`,
      }),
    ],
  };
}

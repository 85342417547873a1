// Planted: an FAQ bot without a response cache — popular questions asked verbatim again and again, plus
// client double-fires — on a provider without prompt caching → exact_duplicates.
import type { LlmCall } from '../../telemetry/record.js';
import { catalogModel, makeCall } from '../calls.js';
import { groupContext, inProfileOrder, pickUser, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90, drawShape, type TokenShape } from '../params.js';
import { freshPrompt, type Prompt } from '../prompts.js';
import { arrivalsFor } from '../single-shot.js';
import { isOk, savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'faq-answer';
const POPULAR_QUESTIONS = 12;
/** Share of questions that are one of the popular ones (MeanCache reports ~31 % repeated queries). */
const POPULAR_SHARE = 0.35;
const DOUBLE_FIRE_SHARE = 0.04;
const DUP_WINDOW_MS = 24 * 3_600_000;
const INPUT: TokenShape = { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.8, min: 50, max: 4000 };

export function plantExactDuplicates(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('command-a');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 260, spread: 0.5, min: 20, max: 2048 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total, 0.04));
  const { rng } = ctx;
  const popular = Array.from({ length: POPULAR_QUESTIONS }, () => {
    const input = drawShape(rng, INPUT);
    return { input, prompt: freshPrompt(rng, input) };
  });
  const call = (t: number, user: string, input: number, prompt: Prompt): LlmCall =>
    makeCall(rng, {
      timestamp: t,
      feature: FEATURE,
      model,
      input_tokens: input,
      output_tokens: drawShape(rng, output),
      user,
      stream: true,
      max_tokens: output.max,
      ...prompt,
    });
  const generated: LlmCall[] = [];
  for (const start of arrivalsFor(ctx, ctx.calls, 'diurnal')) {
    const t = Math.floor(start);
    const user = pickUser(rng, 2500);
    // Popularity falls off with rank (Zipf-like): a few questions dominate.
    const q = rng.chance(POPULAR_SHARE) ? popular[Math.floor(POPULAR_QUESTIONS * rng.float() ** 2)] : undefined;
    const input = q?.input ?? drawShape(rng, INPUT);
    const prompt = q?.prompt ?? freshPrompt(rng, input);
    generated.push(call(t, user, input, prompt));
    if (rng.chance(DOUBLE_FIRE_SHARE) && t + 1500 < window.to) generated.push(call(t + rng.int(150, 1500), user, input, prompt));
  }
  const calls = inProfileOrder(generated);

  // Contract: an ok call is a duplicate when the latest earlier ok call with the same prompt is ≤ 24 h before.
  const lastOk = new Map<string, number>();
  let dupCost = 0;
  let dups = 0;
  for (const c of calls) {
    if (!isOk(c) || c.prompt_hash === null) continue;
    const prev = lastOk.get(c.prompt_hash);
    if (prev !== undefined && c.timestamp - prev <= DUP_WINDOW_MS) {
      dupCost += c.cost_nanousd ?? 0;
      dups++;
    }
    lastOk.set(c.prompt_hash, c.timestamp);
  }
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.exact_duplicates,
        where: scopeOf(FEATURE, model),
        saving_nanousd: dupCost,
        planted_calls: calls.length,
        note: `${dups} verbatim repeats (popular questions and double-fires) answered again`,
      }),
    ],
  };
}

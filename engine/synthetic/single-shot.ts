// Independent one-call requests of a feature (summaries, extractions, embeddings, answers): a fresh prompt
// per call, token counts from fitted shapes, arrivals user-shaped (diurnal Poisson) or service-shaped
// (the Azure trace's bursty gaps).
import type { CatalogModel } from '../catalog/types.js';
import type { LlmCall } from '../telemetry/record.js';
import { makeCall } from './calls.js';
import { pickUser, type GroupContext } from './groups.js';
import { FITTED, drawShape, type TokenShape } from './params.js';
import { freshPrompt } from './prompts.js';
import { arrivalTimes } from './sample.js';

export type ArrivalShape = 'diurnal' | 'steady' | 'bursty';

export interface SingleShotSpec {
  feature: string;
  model: CatalogModel;
  input: TokenShape;
  output: TokenShape;
  maxTokens: number | null;
  stream: boolean;
  /** Size of the user pool the calls come from; null: service traffic with no end user. */
  userPool: number | null;
  arrivals: ArrivalShape;
}

export function arrivalsFor(ctx: GroupContext, n: number, shape: ArrivalShape, from = ctx.from, to = ctx.to): Float64Array {
  return shape === 'bursty'
    ? arrivalTimes(ctx.rng, n, from, to, { kind: 'bursty', gapQuantilesRel: FITTED.traces.azure_code.arrivals.gap_quantiles_rel })
    : arrivalTimes(ctx.rng, n, from, to, { kind: 'poisson', diurnal: shape === 'diurnal' });
}

/** One fresh request of the feature at time t. */
export function singleShotCall(ctx: GroupContext, spec: SingleShotSpec, t: number): LlmCall {
  const { rng } = ctx;
  const input = drawShape(rng, spec.input);
  return makeCall(rng, {
    timestamp: t,
    feature: spec.feature,
    model: spec.model,
    input_tokens: input,
    output_tokens: drawShape(rng, spec.output),
    ...(spec.userPool !== null ? { user: pickUser(rng, spec.userPool) } : {}),
    stream: spec.stream,
    max_tokens: spec.maxTokens,
    ...freshPrompt(rng, input),
  });
}

export function* singleShotCalls(ctx: GroupContext, spec: SingleShotSpec, n = ctx.calls): Generator<LlmCall> {
  for (const t of arrivalsFor(ctx, n, spec.arrivals)) yield singleShotCall(ctx, spec, t);
}

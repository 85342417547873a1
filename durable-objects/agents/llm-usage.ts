// Meters one of the agents' own LLM calls as the org's usage event, with its cost at catalog prices.
import { costNano, findModel } from '../../engine/catalog';
import { nanoToUsd } from '../../engine/telemetry/record';
import type { ChatResult } from '../llm/types';
import type { RunContext } from '../supervisor/contract';

export function meterLlmCall(ctx: Pick<RunContext, 'usage'>, call: Pick<ChatResult, 'provider' | 'model' | 'input_tokens' | 'output_tokens' | 'latency_ms'>): void {
  const model = findModel(call.model, call.provider);
  const cost = model ? costNano(model, { input_tokens: call.input_tokens, output_tokens: call.output_tokens }) : null;
  ctx.usage('llm_call', {
    provider: call.provider,
    model: call.model,
    input_tokens: call.input_tokens,
    output_tokens: call.output_tokens,
    latency_ms: call.latency_ms,
    cost_usd: cost === null ? null : nanoToUsd(cost),
  });
}

// Catalog prices for the gateway: what a call cost, and an upper bound of what it may cost (for budget
// reservations: input tokens ≤ UTF-8 bytes of the prompt, output tokens ≤ the max_tokens sent upstream).
import { costNano, findModel } from '../../engine/catalog/index';
import type { ChatRequest, Usage } from './wire';

/** Cost in nano-USD at catalog prices, or null when the catalog does not know the model. */
export function priceNano(provider: string, model: string, u: Usage): number | null {
  const m = findModel(model, provider);
  return m ? costNano(m, u) : null;
}

/** Output cap used when a budget is active and the request names none (so the reservation bounds the call). */
export const BUDGET_DEFAULT_MAX_TOKENS = 4096;

export function maxCostNano(provider: string, model: string, req: ChatRequest, maxTokens: number): number {
  const bytes = new TextEncoder().encode(JSON.stringify(req.messages) + JSON.stringify(req.tools ?? [])).byteLength;
  return priceNano(provider, model, { input_tokens: bytes, output_tokens: maxTokens, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }) ?? 0;
}

// The benchmark's own price list for the few models its workloads use, so its ground truth shares no code or data
// with engine/catalog (whose prices the tools read). $ per 1M tokens.
// Source: LEVERS.md appendix A (BerriAI/litellm model_prices_and_context_window.json, snapshot 2026-07-24, RoCry/
// llm-api-price@8442b939) and the providers' pricing pages: OpenAI Batch API and Gemini Batch Mode 50 % off,
// Anthropic Message Batches 50 % off every part (cache reads and writes included).

export interface Price {
  provider: string;
  input: number;
  output: number;
  /** Cached-input (prompt cache read) price; null = no prompt cache. */
  cachedInput: number | null;
  /** Cache-write price (explicit-write providers); null = writes bill as plain input. */
  cacheWrite: number | null;
  /** Batch API multiplier on every part; null = no batch API. */
  batch: number | null;
}

export const PRICES = {
  'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cachedInput: 1.25, cacheWrite: null, batch: 0.5 },
  'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cachedInput: 0.075, cacheWrite: null, batch: 0.5 },
  'gpt-4.1-mini': { provider: 'openai', input: 0.4, output: 1.6, cachedInput: 0.1, cacheWrite: null, batch: 0.5 },
  'gpt-5-mini': { provider: 'openai', input: 0.25, output: 2, cachedInput: 0.025, cacheWrite: null, batch: 0.5 },
  'text-embedding-3-small': { provider: 'openai', input: 0.02, output: 0, cachedInput: null, cacheWrite: null, batch: 0.5 },
  'claude-sonnet-4-5': { provider: 'anthropic', input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75, batch: 0.5 },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25, batch: 0.5 },
  'gemini-2.5-flash': { provider: 'google', input: 0.3, output: 2.5, cachedInput: 0.03, cacheWrite: null, batch: 0.5 },
  'meta-llama/Llama-3.3-70B-Instruct-Turbo': { provider: 'together', input: 0.88, output: 0.88, cachedInput: null, cacheWrite: null, batch: null },
} as const satisfies Record<string, Price>;

export type BenchModel = keyof typeof PRICES;

export interface Tokens {
  input: number;
  output: number;
  cached: number;
  written: number;
}

/** Dollars of one call: input counts every prompt token, cached reads and cache writes included. */
export function dollars(model: BenchModel, t: Tokens, batched = false): number {
  const p: Price = PRICES[model];
  const plain = Math.max(0, t.input - t.cached - t.written);
  const usd = (plain * p.input + t.cached * (p.cachedInput ?? p.input) + t.written * (p.cacheWrite ?? p.input) + t.output * p.output) / 1e6;
  return batched ? usd * (p.batch ?? 1) : usd;
}

// THE one place that prices a call. Everything that needs a cost goes through costNano.
import type { CallUsage, CatalogModel } from './types';

/**
 * $/1M tokens → pico-dollars (1e-12 USD) per token: an exact integer, since source prices have at
 * most 6 decimals. Summing integer picos keeps the only rounding at the end.
 */
const pico = (perM: number): number => Math.round(perM * 1e6);

/**
 * Cost of one call in integer nano-dollars (1e-9 USD):
 *
 *   uncached = max(0, input_tokens − cached_input_tokens − cache_write_tokens)
 *   pico     = uncached · P_in
 *            + cached_input_tokens · (P_cached ?? P_in)
 *            + cache_write_tokens  · (P_write  ?? P_in)
 *            + (output_tokens + reasoning_tokens) · P_out
 *   nano     = round(pico · (batch ? 1 − batch_discount : 1) / 1000)
 *
 * input_tokens counts every prompt token (cached and written included); reasoning_tokens only when the
 * source reported them apart from output_tokens. The batch discount applies to every part (OpenAI,
 * Anthropic and Gemini batch APIs discount cache reads and writes too). Rounded once, per call.
 */
export function costNano(model: CatalogModel, usage: CallUsage): number {
  const cached = usage.cached_input_tokens ?? 0;
  const written = usage.cache_write_tokens ?? 0;
  const uncached = Math.max(0, usage.input_tokens - cached - written);
  const pIn = pico(model.input_per_m);
  const total =
    uncached * pIn +
    cached * (model.cached_input_per_m === null ? pIn : pico(model.cached_input_per_m)) +
    written * (model.cache_write_per_m === null ? pIn : pico(model.cache_write_per_m)) +
    (usage.output_tokens + (usage.reasoning_tokens ?? 0)) * pico(model.output_per_m);
  const factor = usage.batch ? 1 - model.batch_discount : 1;
  return Math.round((total * factor) / 1000);
}

/** One number to rank models by price: $/1M tokens at 3 input : 1 output, the usual chat mix. */
export function blendedPerM(model: CatalogModel): number {
  return (3 * model.input_per_m + model.output_per_m) / 4;
}

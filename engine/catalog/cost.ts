// THE one place that prices a call. Everything that needs a cost goes through costNano / priceCall.
import type { CallUsage, CatalogModel, PriceList, PricePeriod, ServiceTier, TieredPrice } from './types';

/**
 * $/1M tokens → pico-dollars (1e-12 USD) per token: an exact integer, since source prices have at
 * most 6 decimals. Summing integer picos keeps the only rounding at the end.
 */
const pico = (perM: number): number => Math.round(perM * 1e6);

/** A price compiled to picos per unit; tiers ascending by start. */
interface Rate {
  base: number;
  tiers: readonly { start: number; pico: number }[] | null;
}

/** The price keys the cost function reads (genai-prices names); the rest of a list is kept but not billable from usage. */
interface Compiled {
  input: Rate;
  output: Rate;
  cacheRead: Rate | null;
  cacheWrite: Rate | null;
  cacheWrite1h: Rate | null;
  inAudio: Rate | null;
  cacheAudioRead: Rate | null;
  outAudio: Rate | null;
  inImage: Rate | null;
  cacheImageRead: Rate | null;
  outImage: Rate | null;
  outReasoning: Rate | null;
  /** Picos per web search (a $/1,000 price). */
  webSearch: Rate | null;
}

function compileRate(p: TieredPrice | undefined, scale: (n: number) => number): Rate | null {
  if (p === undefined) return null;
  if (typeof p === 'number') return { base: scale(p), tiers: null };
  const tiers = [...p.tiers].sort((a, b) => a.start - b.start).map((t) => ({ start: t.start, pico: scale(t.price) }));
  return { base: scale(p.base), tiers: tiers.length ? tiers : null };
}

const compiled = new WeakMap<PriceList, Compiled>();

function compile(list: PriceList): Compiled {
  let c = compiled.get(list);
  if (c) return c;
  const r = (key: string) => compileRate(list[key], pico);
  c = {
    input: r('input_mtok') ?? { base: 0, tiers: null },
    output: r('output_mtok') ?? { base: 0, tiers: null },
    cacheRead: r('cache_read_mtok'),
    cacheWrite: r('cache_write_mtok'),
    cacheWrite1h: r('cache_write_1h_mtok'),
    inAudio: r('input_audio_mtok'),
    cacheAudioRead: r('cache_audio_read_mtok'),
    outAudio: r('output_audio_mtok'),
    inImage: r('input_image_mtok'),
    cacheImageRead: r('cache_image_read_mtok'),
    outImage: r('output_image_mtok'),
    outReasoning: r('output_reasoning_mtok'),
    webSearch: compileRate(list.web_searches_kcount, (perK) => Math.round(perK * 1e9)),
  };
  compiled.set(list, c);
  return c;
}

/**
 * Long-context tiers as providers bill them: the rate of the highest tier whose start the prompt exceeds
 * applies to the whole request (every token of the part, not only those above the threshold).
 */
function at(rate: Rate, promptTokens: number): number {
  let p = rate.base;
  if (rate.tiers) for (const t of rate.tiers) if (promptTokens > t.start) p = t.pico;
  return p;
}

/** "HH:MM:SS[.f](Z|±HH:MM)" → seconds after UTC midnight. */
function utcSeconds(time: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))?$/.exec(time);
  if (!m) throw new Error(`bad time of day in the catalog: ${time}`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  const offset = m[5] ? (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60) : 0;
  return (local - offset + 86_400) % 86_400;
}

/** A period's constraint compiled once: a start instant, or a daily window in seconds after UTC midnight. */
type Gate = { from: number } | { start: number; end: number } | null;

const gates = new WeakMap<readonly PricePeriod[], Gate[]>();

function gatesOf(periods: readonly PricePeriod[]): Gate[] {
  let g = gates.get(periods);
  if (!g) {
    g = periods.map(({ constraint: c }) =>
      !c ? null : c.type === 'start_date' ? { from: Date.parse(c.start_date) } : { start: utcSeconds(c.start_time), end: utcSeconds(c.end_time) });
    gates.set(periods, g);
  }
  return g;
}

/** The source's rule: the last period whose constraint holds at `ts`; with none holding, the first. */
export function periodAt(periods: readonly PricePeriod[], ts: number): PriceList {
  const g = gatesOf(periods);
  const sec = Math.floor((((ts % 86_400_000) + 86_400_000) % 86_400_000) / 1000);
  for (let i = periods.length - 1; i >= 0; i--) {
    const c = g[i];
    if (c === null || c === undefined) return (periods[i] as PricePeriod).prices;
    if ('from' in c) {
      if (ts >= c.from) return (periods[i] as PricePeriod).prices;
    } else if (c.end < c.start ? sec >= c.start || sec < c.end : sec >= c.start && sec < c.end) {
      return (periods[i] as PricePeriod).prices;
    }
  }
  return (periods[0] as PricePeriod).prices;
}

/** Something the usage could not be priced by exactly: the cost is then a best effort, never a silent zero. */
export type CostFlag =
  /** The call names a service tier the model has no price for (flex on a model without it, "scale"): priced at standard. */
  | 'service_tier_unpriced'
  /** A breakdown (cached, written, audio, reasoning…) exceeds the total it is part of: the excess is not billed twice. */
  | 'usage_parts_exceed_total';

export interface CallCost {
  nano: number;
  /** The price list used (the period in force at the call's timestamp). */
  prices: PriceList;
  /** The tier billed (standard when the one asked for has no price here: see flags). */
  service_tier: ServiceTier;
  flags: CostFlag[];
}

/** Multiplier of a service tier on a model, or null when the model has no price for it. */
function tierMultiplier(model: CatalogModel, tier: string): number | null {
  if (tier === 'standard') return 1;
  if (tier !== 'batch' && tier !== 'flex' && tier !== 'priority') return null;
  const m = model.service_tiers[tier];
  if (m !== undefined) return m;
  if (tier === 'batch' && model.batch_discount > 0) return 1 - model.batch_discount;
  return null;
}

/** Providers' words for the standard tier: OpenAI "default"/"auto", Anthropic and Gemini "standard". */
const STANDARD = new Set(['', 'standard', 'default', 'auto', 'standard_only', 'on_demand']);

/** The tier a call is billed at; a word that names none ("scale", typos) is returned as is, to be flagged. */
function tierOf(u: CallUsage): string {
  if (u.batch) return 'batch';
  const t = u.service_tier?.trim().toLowerCase() ?? '';
  return STANDARD.has(t) ? 'standard' : t;
}

/** A part of a total that must not exceed what is left of it; an excess is flagged and not billed. */
function part(value: number | undefined, left: number, flags: CostFlag[] | null): number {
  const v = value ?? 0;
  if (v <= left) return v;
  flags?.push('usage_parts_exceed_total');
  return Math.max(0, left);
}

/** The first price that exists, at the prompt's tier (a specific price falls back to its parents'). */
function first(a: Rate | null, b: Rate | null, c: Rate | null, fallback: number, prompt: number): number {
  const r = a ?? b ?? c;
  return r ? at(r, prompt) : fallback;
}

/**
 * The call's cost in pico-dollars before the service-tier multiplier. Usage is split into disjoint parts,
 * each at its own price (a missing specific price falls back to its parent's, as in genai-prices):
 *
 *   input  = audio cache reads (cache_audio_read → cache_read → input_audio → input)
 *          + image cache reads (cache_image_read → cache_read → input_image → input)
 *          + other cache reads (cache_read → input)
 *          + 1-hour cache writes (cache_write_1h → cache_write → input)
 *          + 5-minute cache writes, the rest of cache_write_tokens (cache_write → input)
 *          + fresh audio (input_audio → input) + fresh image (input_image → input)
 *          + fresh text, the rest of input_tokens (input)
 *   output = audio (output_audio → output) + image (output_image → output)
 *          + reasoning (output_reasoning → output) + the rest of output_tokens (output)
 *
 * Every rate is taken at the tier of the prompt size (input_tokens; the mean prompt for summed usage).
 */
function picoOf(c: Compiled, u: CallUsage, flags: CostFlag[] | null): number {
  const n = u.input_tokens;
  const prompt = u.calls && u.calls > 1 ? n / u.calls : n;
  const inRate = at(c.input, prompt);

  const read = part(u.cached_input_tokens, n, flags);
  const written = part(u.cache_write_tokens, n - read, flags);
  const readAudio = part(u.cached_audio_tokens, read, flags);
  const readImage = part(u.cached_image_tokens, read - readAudio, flags);
  const readOther = read - readAudio - readImage;
  const written1h = part(u.cache_write_1h_tokens, written, flags);
  const fresh = n - read - written;
  const freshAudio = part(Math.max(0, (u.input_audio_tokens ?? 0) - readAudio), fresh, flags);
  const freshImage = part(Math.max(0, (u.input_image_tokens ?? 0) - readImage), fresh - freshAudio, flags);
  const freshText = fresh - freshAudio - freshImage;

  const readRate = c.cacheRead ? at(c.cacheRead, prompt) : inRate;
  const writeRate = c.cacheWrite ? at(c.cacheWrite, prompt) : inRate;
  let total =
    (readAudio ? readAudio * first(c.cacheAudioRead, c.cacheRead, c.inAudio, inRate, prompt) : 0) +
    (readImage ? readImage * first(c.cacheImageRead, c.cacheRead, c.inImage, inRate, prompt) : 0) +
    readOther * readRate +
    written1h * (c.cacheWrite1h ? at(c.cacheWrite1h, prompt) : writeRate) +
    (written - written1h) * writeRate +
    freshAudio * (c.inAudio ? at(c.inAudio, prompt) : inRate) +
    freshImage * (c.inImage ? at(c.inImage, prompt) : inRate) +
    freshText * inRate;

  const out = u.output_tokens;
  const outRate = at(c.output, prompt);
  const outAudio = part(u.output_audio_tokens, out, flags);
  const outImage = part(u.output_image_tokens, out - outAudio, flags);
  const reasoning = part(u.reasoning_tokens, out - outAudio - outImage, flags);
  total +=
    outAudio * (c.outAudio ? at(c.outAudio, prompt) : outRate) +
    outImage * (c.outImage ? at(c.outImage, prompt) : outRate) +
    reasoning * (c.outReasoning ? at(c.outReasoning, prompt) : outRate) +
    (out - outAudio - outImage - reasoning) * outRate;

  return total;
}

/** Per-call tool fees (web searches): not discounted by batch/flex, nor raised by priority. */
const toolPico = (c: Compiled, u: CallUsage): number => (u.web_searches && c.webSearch ? u.web_searches * c.webSearch.base : 0);

/** The price list in force for a call: the dated / time-of-day period at its timestamp, else the catalog's list. */
function listFor(model: CatalogModel, usage: CallUsage): PriceList {
  return usage.timestamp !== undefined && model.price_periods ? periodAt(model.price_periods, usage.timestamp) : model.prices;
}

/**
 * Cost of one call (integer nano-dollars, rounded once) with the price list used and anything not priced
 * exactly. `negotiated` multiplies the whole bill (an org's discount: 0.8 = 20 % off).
 */
export function priceCall(model: CatalogModel, usage: CallUsage, negotiated = 1): CallCost {
  const flags: CostFlag[] = [];
  const prices = listFor(model, usage);
  let tier = tierOf(usage);
  let factor = tierMultiplier(model, tier);
  if (factor === null) {
    flags.push('service_tier_unpriced');
    factor = 1;
    tier = 'standard';
  }
  const c = compile(prices);
  const nano = Math.round(((picoOf(c, usage, flags) * factor + toolPico(c, usage)) * negotiated) / 1000);
  return { nano, prices, service_tier: tier as ServiceTier, flags: [...new Set(flags)] };
}

/**
 * Cost of one call in integer nano-dollars (1e-9 USD): every rule of the model's price list (see picoOf),
 * the period in force at usage.timestamp, times the service-tier multiplier (batch/flex/priority apply to
 * every token part: the providers' batch and flex prices discount cache reads and writes too), plus tool
 * fees (web searches × web_searches_kcount / 1,000, at their own rate in every tier). Rounded once.
 */
export function costNano(model: CatalogModel, usage: CallUsage): number {
  const factor = tierMultiplier(model, tierOf(usage)) ?? 1;
  const c = compile(listFor(model, usage));
  return Math.round((picoOf(c, usage, null) * factor + toolPico(c, usage)) / 1000);
}

/** One number to rank models by price: $/1M tokens at 3 input : 1 output, the usual chat mix. */
export function blendedPerM(model: CatalogModel): number {
  return (3 * model.input_per_m + model.output_per_m) / 4;
}

// Throughput of the cost function (engine/catalog/cost.ts costNano: every billing rule — long-context tiers,
// 5m/1h cache writes, audio/image parts, dated and time-of-day price lists, service tiers) against the flat
// function it replaced (base rates only: uncached·P_in + cached·P_cached + written·P_write + out·P_out, batch
// discount), on the same calls over every catalog model, in alternating rounds so machine drift hits both alike.
// Run: npm run bench -- cost [--calls 200000] [--rounds 6]
// Last line: {"bench":"cost","full_calls_per_s":…,"flat_calls_per_s":…,"full_vs_flat":…, …}
import { CATALOG, costNano, type CallUsage, type CatalogModel } from '../engine/catalog/index';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const CALLS = arg('calls', 200_000);
const ROUNDS = arg('rounds', 6);

/** The baseline: the flat cost function this project had before every rule was kept (base rates only). */
const pico = (perM: number): number => Math.round(perM * 1e6);
function flatCostNano(model: CatalogModel, usage: CallUsage): number {
  const cached = usage.cached_input_tokens ?? 0;
  const written = usage.cache_write_tokens ?? 0;
  const uncached = Math.max(0, usage.input_tokens - cached - written);
  const pIn = pico(model.input_per_m);
  const total =
    uncached * pIn +
    cached * (model.cached_input_per_m === null ? pIn : pico(model.cached_input_per_m)) +
    written * (model.cache_write_per_m === null ? pIn : pico(model.cache_write_per_m)) +
    usage.output_tokens * pico(model.output_per_m);
  return Math.round((total * (usage.batch ? 1 - model.batch_discount : 1)) / 1000);
}

// Deterministic mix: prompts from 200 to 400k tokens (some above the long-context thresholds), cache reads and
// writes, reasoning, a few audio and 1h writes, timestamps across the day, 10 % batch.
let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const models = CATALOG.filter((m) => m.tier !== 'embedding');
const work: { m: CatalogModel; u: CallUsage }[] = Array.from({ length: CALLS }, () => {
  const input = Math.floor(200 + rand() ** 3 * 400_000);
  const cached = rand() < 0.5 ? Math.floor(input * rand() * 0.8) : 0;
  const written = rand() < 0.2 ? Math.floor((input - cached) * rand()) : 0;
  const output = Math.floor(20 + rand() * 4_000);
  return {
    m: models[Math.floor(rand() * models.length)]!,
    u: {
      input_tokens: input,
      cached_input_tokens: cached,
      cache_write_tokens: written,
      cache_write_1h_tokens: rand() < 0.3 ? Math.floor(written / 2) : 0,
      input_audio_tokens: rand() < 0.05 ? Math.floor((input - cached - written) / 3) : 0,
      output_tokens: output,
      reasoning_tokens: rand() < 0.3 ? Math.floor(output * 0.6) : 0,
      timestamp: Date.UTC(2026, 10, 1) + Math.floor(rand() * 30 * 86_400_000),
      batch: rand() < 0.1,
    },
  };
});

function run(fn: (m: CatalogModel, u: CallUsage) => number): { seconds: number; sum: number } {
  const t0 = performance.now();
  let sum = 0;
  for (const { m, u } of work) sum += fn(m, u);
  return { seconds: (performance.now() - t0) / 1000, sum };
}

// warm-up (JIT, compiled price lists)
run(costNano);
run(flatCostNano);
let full = 0;
let flat = 0;
let fullSum = 0;
let flatSum = 0;
for (let r = 0; r < ROUNDS; r++) {
  const a = run(costNano);
  const b = run(flatCostNano);
  full += a.seconds;
  flat += b.seconds;
  fullSum = a.sum;
  flatSum = b.sum;
}
const perS = (s: number) => Math.round((CALLS * ROUNDS) / s);
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
console.log(`${CALLS} calls × ${ROUNDS} rounds over ${models.length} models`);
console.log(`full rules: ${perS(full).toLocaleString('en-US')} calls/s, flat: ${perS(flat).toLocaleString('en-US')} calls/s`);
console.log(`total priced: full $${(fullSum / 1e9).toFixed(2)} vs flat $${(flatSum / 1e9).toFixed(2)} (the difference is what the flat function misses)`);
console.log(
  JSON.stringify({
    bench: 'cost',
    calls: CALLS,
    rounds: ROUNDS,
    full_calls_per_s: perS(full),
    flat_calls_per_s: perS(flat),
    full_vs_flat: round(perS(full) / perS(flat)),
    full_total_usd: round(fullSum / 1e9, 2),
    flat_total_usd: round(flatSum / 1e9, 2),
  }),
);

// The benchmark's workloads: clean seasonal traffic (day/night, weekday/weekend, a launch-day step, normal retry
// rates, a nightly and a weekly job already on the batch API) plus planted waste, with the expected saving of each
// plant computed here by plain loops over its calls at the benchmark's own prices (prices.ts), from the formulas
// of LEVERS.md — no code of engine/tools, engine/profile or engine/catalog.
import { Rng, childSeed } from '../../../engine/synthetic/prng.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';
import { PRICES, dollars, type BenchModel } from './prices.js';
import {
  DAY_MS, HOUR_MS, businessHours, call, diurnal, jobArrivals, runStarts, seasonalArrivals, tokens, type Season, type Window,
} from './traffic.js';

/** What a correct analyzer reports. `saving_usd` null: scored on detection only (the figure depends on a choice of
 * alternative model the benchmark does not make for the tool). `hours`: the planted anomaly's hours. */
export interface TruthItem {
  tool: string;
  feature: string;
  saving_usd: number | null;
  hours?: { from: number; to: number };
  /** The record field the lever is seen through, when some export formats cannot carry it. */
  needs?: 'prompt';
  note: string;
}

export interface Workload {
  label: string;
  clean: boolean;
  window: Window & { days: number };
  calls: LlmCall[];
  items: TruthItem[];
}

interface Built {
  calls: LlmCall[];
  items: TruthItem[];
}

const usd = (model: BenchModel, c: LlmCall, batched = false) =>
  dollars(model, { input: c.input_tokens, output: c.output_tokens, cached: c.cached_input_tokens, written: c.cache_write_tokens }, batched);
const user = (rng: Rng, pool: number) => `user-${rng.int(1, pool)}`;

interface Interactive {
  feature: string;
  model: BenchModel;
  season: Season;
  users: number;
  input: [median: number, sigma: number, min: number, max: number];
  output: [median: number, sigma: number, min: number, max: number];
  /** max_tokens sent (null: none); the output draw's max bounds outputs either way. */
  cap: number | null;
  stream: boolean;
  /** Share of calls failing with a 5xx before generating anything, retried with backoff. */
  failRate?: number;
  from?: number;
}

/** User-facing traffic: unique prompts, outputs bounded by `cap` (none: unbounded), a few unbilled 5xx retried after 1.5–6 s. */
function interactive(rng: Rng, w: Window, n: number, f: Interactive): LlmCall[] {
  const out: LlmCall[] = [];
  for (const t of seasonalArrivals(rng, w, n, f.season, f.from)) {
    const spec = {
      t,
      feature: f.feature,
      model: f.model,
      input: tokens(rng, ...f.input),
      output: tokens(rng, ...f.output),
      user: user(rng, f.users),
      stream: f.stream,
      maxTokens: f.cap,
      prompt: rng.hex(),
    };
    if (f.failRate && rng.chance(f.failRate)) {
      out.push(call(rng, { ...spec, output: 0, status: rng.pick(['500', '503']), latencyMs: 300 + rng.int(0, 900) }));
      spec.t = t + rng.int(1500, 6000);
      out.push(call(rng, { ...spec, attempt: 2 }));
    } else out.push(call(rng, spec));
  }
  return out;
}

interface Job {
  feature: string;
  model: BenchModel;
  minutes: number;
  batched: boolean;
  /** Calls name the account they process (a per-customer job): end users are then no sign of interactivity. */
  accounts?: boolean;
}

/** A scheduled job, not streamed; starting at a fixed minute of its hour with a few minutes of cron drift;
 * `batched` when it already goes through the batch API. */
function job(rng: Rng, w: Window, runs: number[], n: number, f: Job): LlmCall[] {
  const perRun = Math.max(5, Math.round(n / Math.max(1, runs.length)));
  const offset = rng.int(0, 40) * 60_000;
  const starts = runs.map((t) => t + offset + rng.int(0, 4) * 60_000);
  // a last run still going when the window closes is cut there, as an export of the window would be
  return jobArrivals(rng, starts, perRun, f.minutes).filter((t) => t < w.to).map((t) =>
    call(rng, {
      t,
      feature: f.feature,
      model: f.model,
      input: tokens(rng, 1800, 0.4, 200, 7000),
      output: tokens(rng, 380, 0.4, 20, 700),
      ...(f.accounts && { user: user(rng, 500) }),
      stream: false,
      maxTokens: 700,
      prompt: rng.hex(),
      batched: f.batched,
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Clean background

function background(rng: Rng, w: Window & { days: number }, n: number, launch: boolean): LlmCall[] {
  const calls: LlmCall[] = [];
  const peak = rng.int(12, 17);
  calls.push(
    ...interactive(rng, w, n * 0.42, {
      feature: 'chat', model: 'gpt-4.1-mini', season: diurnal(peak), users: 400,
      input: [900, 0.6, 50, 7000], output: [380, 0.5, 1, 800], cap: 800, stream: true, failRate: 0.006,
    }),
    ...interactive(rng, w, n * 0.2, {
      feature: 'support-search', model: 'gemini-2.5-flash', season: businessHours, users: 300,
      input: [1500, 0.5, 200, 6000], output: [300, 0.4, 1, 600], cap: 600, stream: true, failRate: 0.004,
    }),
    ...interactive(rng, w, n * 0.15, {
      feature: 'embed-query', model: 'text-embedding-3-small', season: diurnal(peak), users: 400,
      input: [40, 0.5, 3, 400], output: [0, 0, 0, 0], cap: null, stream: false,
    }),
    // a nightly report already on the batch API: recurring, unstreamed, no users, billed at the batch price
    ...job(rng, w, runStarts(w, rng.pick([0, 1, 2, 3, 22, 23])), n * 0.08, { feature: 'nightly-report', model: 'gpt-4o-mini', minutes: 40, batched: true }),
  );
  if (w.days >= 14) {
    // a weekly digest, batched too: Monday morning
    calls.push(...job(rng, w, runStarts(w, rng.int(5, 9), 1), n * 0.03, { feature: 'weekly-digest', model: 'claude-haiku-4-5', minutes: 30, batched: true }));
  }
  if (launch) {
    // a feature launched a third into the window: a lasting step, not an anomaly
    const from = Math.floor((w.from + (w.to - w.from) / 3) / DAY_MS) * DAY_MS + 9 * HOUR_MS;
    calls.push(
      ...interactive(rng, w, n * 0.15, {
        feature: 'onboarding-coach', model: 'claude-haiku-4-5', season: diurnal(peak), users: 200,
        input: [1200, 0.5, 100, 6000], output: [300, 0.4, 1, 600], cap: 600, stream: true, failRate: 0.005, from,
      }),
    );
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------------------------
// Planted waste, each in its own feature

/** LEVERS L3: the same prompt asked again within minutes; saving = Σ cost of ok calls whose latest earlier ok
 * call with the same prompt is ≤ 24 h before. */
function duplicates(rng: Rng, w: Window, n: number): Built {
  const feature = 'faq-answer';
  const calls: LlmCall[] = [];
  const ask = (t: number, prompt: string) =>
    call(rng, {
      t, feature, model: 'gpt-4o-mini', input: tokens(rng, 400, 0.4, 50, 2000), output: tokens(rng, 300, 0.4, 1, 600),
      user: user(rng, 2000), stream: true, maxTokens: 600, prompt,
    });
  for (const t of seasonalArrivals(rng, w, n / 1.5, diurnal(15))) {
    const prompt = rng.hex();
    calls.push(ask(t, prompt));
    // a popular question: asked again by others within minutes
    if (!rng.chance(0.3)) continue;
    for (let k = rng.int(1, 3); k > 0; k--) {
      const again = t + rng.int(30_000, 15 * 60_000);
      if (again < w.to) calls.push(ask(again, prompt));
    }
  }
  calls.sort((a, b) => a.timestamp - b.timestamp);
  let saving = 0;
  let dups = 0;
  const lastOk = new Map<string, number>();
  for (const c of calls) {
    if (c.status !== 'ok' || c.prompt_hash === null) continue;
    const before = lastOk.get(c.prompt_hash);
    if (before !== undefined && c.timestamp - before <= DAY_MS) {
      saving += usd('gpt-4o-mini', c);
      dups++;
    }
    lastOk.set(c.prompt_hash, c.timestamp);
  }
  return { calls, items: [{ tool: 'exact_duplicates', feature, saving_usd: saving, needs: 'prompt', note: `${dups} repeats within 15 min` }] };
}

/** LEVERS L1: a daily job at a fixed hour on the synchronous API; saving = Σ (cost − cost at the batch price). */
function unbatchedJob(rng: Rng, w: Window, n: number): Built {
  const feature = rng.pick(['catalog-refresh', 'lead-scoring', 'nightly-eval']);
  const hour = rng.pick([1, 3, 13, 20]);
  const accounts = rng.chance(0.5);
  const calls = job(rng, w, runStarts(w, hour), n, { feature, model: 'gpt-5-mini', minutes: rng.int(15, 50), batched: false, accounts });
  let saving = 0;
  for (const c of calls) saving += usd('gpt-5-mini', c) - usd('gpt-5-mini', c, true);
  return { calls, items: [{ tool: 'batch_eligibility', feature, saving_usd: saving, note: `daily at ${hour}:xx UTC${accounts ? ', naming accounts' : ''}` }] };
}

/** LEVERS L7: 8 % of calls time out at a 30 s client limit after generating part of the answer (billed), retried. */
function billedRetries(rng: Rng, w: Window, n: number): Built {
  const feature = 'report-writer';
  const calls: LlmCall[] = [];
  for (const t of seasonalArrivals(rng, w, n, businessHours)) {
    const spec = {
      t, feature, model: 'gpt-4o' as const, input: tokens(rng, 1500, 0.4, 200, 6000), output: tokens(rng, 600, 0.3, 50, 1200),
      user: user(rng, 100), stream: false, maxTokens: 1200, prompt: rng.hex(),
    };
    if (rng.chance(0.08)) {
      calls.push(call(rng, { ...spec, output: Math.max(1, Math.round(spec.output * (0.3 + 0.6 * rng.float()))), status: 'timeout', latencyMs: 30_000 + rng.int(0, 999) }));
      calls.push(call(rng, { ...spec, t: t + 30_000 + rng.int(500, 3000), attempt: 2 }));
    } else calls.push(call(rng, spec));
  }
  let saving = 0;
  for (const c of calls) if (c.status !== 'ok' && c.output_tokens > 0) saving += usd('gpt-4o', c);
  return { calls, items: [{ tool: 'retry_waste', feature, saving_usd: saving, note: 'timeouts at 30 s after generating' }] };
}

/** LEVERS L5: no max_tokens and a long output tail; saving = Σ max(0, out − p95) · P_out over ok calls (nearest rank). */
function outputTail(rng: Rng, w: Window, n: number): Built {
  const feature = 'product-copy';
  const calls = interactive(rng, w, n, {
    feature, model: 'gpt-4o', season: businessHours, users: 60, input: [500, 0.4, 50, 3000], output: [320, 1.1, 10, 16_000], cap: null, stream: true,
  });
  const outs = calls.filter((c) => c.status === 'ok').map((c) => c.output_tokens).sort((a, b) => a - b);
  const p95 = outs[Math.max(1, Math.ceil(0.95 * outs.length)) - 1] ?? 0;
  let over = 0;
  for (const o of outs) over += Math.max(0, o - p95);
  return { calls, items: [{ tool: 'output_length_caps', feature, saving_usd: (over * PRICES['gpt-4o'].output) / 1e6, note: `p95 ${p95} tokens` }] };
}

/** LEVERS L6: long documents for short answers; saving = 0.5 · Σ (in − cached) · P_in (compression 2×). */
function contextBloat(rng: Rng, w: Window, n: number): Built {
  const feature = 'contract-review';
  const calls = interactive(rng, w, n, {
    feature, model: 'gemini-2.5-flash', season: businessHours, users: 5000, input: [9000, 0.3, 3000, 30_000], output: [350, 0.3, 50, 700], cap: 700, stream: true,
  });
  let uncached = 0;
  for (const c of calls) uncached += c.input_tokens - c.cached_input_tokens;
  return { calls, items: [{ tool: 'context_bloat', feature, saving_usd: (0.5 * uncached * PRICES['gemini-2.5-flash'].input) / 1e6, note: 'input/output ≈ 26' }] };
}

/** LEVERS L2: a document written to Anthropic's cache on every call and never read back; saving = Σ written · (P_cw − P_in). */
function unreadCacheWrites(rng: Rng, w: Window, n: number): Built {
  const feature = 'doc-qa';
  const calls = seasonalArrivals(rng, w, n, diurnal(14)).map((t) => {
    const doc = tokens(rng, 3000, 0.3, 1100, 8000);
    return call(rng, {
      t, feature, model: 'claude-sonnet-4-5', input: doc + tokens(rng, 80, 0.5, 10, 400), written: doc, output: tokens(rng, 350, 0.3, 50, 700),
      user: user(rng, 5000), stream: true, maxTokens: 700, prompt: rng.hex(),
    });
  });
  let written = 0;
  for (const c of calls) written += c.cache_write_tokens;
  const p = PRICES['claude-sonnet-4-5'];
  return { calls, items: [{ tool: 'cache_write_unread', feature, saving_usd: (written * (p.cacheWrite - p.input)) / 1e6, note: 'cache_control on a document asked once' }] };
}

/** LEVERS L4: a frontier model for one-word intents (output p50 ≈ 20 tokens); detection only. */
function overpoweredModel(rng: Rng, w: Window, n: number): Built {
  const feature = 'intent-router';
  const calls = interactive(rng, w, n, {
    feature, model: 'gpt-4o', season: diurnal(15), users: 3000, input: [180, 0.4, 20, 1500], output: [20, 0.5, 1, 60], cap: 60, stream: false,
  });
  return { calls, items: [{ tool: 'model_downgrade', feature, saving_usd: null, note: 'gpt-4o for short labels' }] };
}

/** LEVERS L8: Llama 3.3 70B at a provider charging several times the cheapest one; detection only. */
function priceyHost(rng: Rng, w: Window, n: number): Built {
  const feature = 'support-bot';
  const calls = interactive(rng, w, n, {
    feature, model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', season: diurnal(16), users: 3000, input: [1200, 0.5, 100, 6000], output: [300, 0.4, 1, 600], cap: 600, stream: true,
  });
  return { calls, items: [{ tool: 'provider_switch', feature, saving_usd: null, note: 'together at $0.88/1M' }] };
}

const PLANTS = { duplicates, unbatchedJob, billedRetries, outputTail, contextBloat, unreadCacheWrites, overpoweredModel, priceyHost };
export type PlantName = keyof typeof PLANTS | 'afternoonSpike';
export const PLANT_NAMES = [...Object.keys(PLANTS), 'afternoonSpike'] as PlantName[];

/** One afternoon of unusual traffic: one user's loop (in chat, or a new agent feature) for 3 hours, each hour ≥ 10× the usual hour's spend
 * and ≥ 2.5 % of the window's; detection only (found when an anomaly's hours overlap these). */
function afternoonSpike(rng: Rng, w: Window & { days: number }, others: readonly LlmCall[]): Built {
  const hourly = new Map<number, number>();
  let spend = 0;
  for (const c of others) {
    const h = Math.floor(c.timestamp / HOUR_MS);
    hourly.set(h, (hourly.get(h) ?? 0) + (c.cost_nanousd ?? 0) / 1e9);
    spend += (c.cost_nanousd ?? 0) / 1e9;
  }
  const series: number[] = [];
  for (let t = w.from; t < w.to; t += HOUR_MS) series.push(hourly.get(Math.floor(t / HOUR_MS)) ?? 0);
  series.sort((a, b) => a - b);
  const usual = series[Math.floor(series.length / 2)] ?? 0;
  const perHour = Math.max(10 * usual, 0.025 * spend);
  const day = Math.floor((w.from + (w.to - w.from) * (0.4 + 0.2 * rng.float())) / DAY_MS) * DAY_MS;
  const from = day + rng.int(13, 15) * HOUR_MS;
  // a runaway user of an existing feature, or a new agent loop
  const inChat = rng.chance(0.5);
  const feature = inChat ? 'chat' : 'sales-assistant';
  const model: BenchModel = inChat ? 'gpt-4.1-mini' : 'claude-haiku-4-5';
  const calls: LlmCall[] = [];
  for (let h = 0; h < 3; h++) {
    let cost = 0;
    for (let t = from + h * HOUR_MS; cost < perHour; t += 1 + Math.floor(rng.float() * 1000)) {
      const c = call(rng, {
        t: Math.min(t, from + (h + 1) * HOUR_MS - 1), feature, model, input: tokens(rng, 3000, 0.3, 500, 7000),
        output: tokens(rng, 400, 0.3, 50, 800), user: 'user-agent-loop', stream: true, maxTokens: 800, prompt: rng.hex(),
      });
      calls.push(c);
      cost += usd(model, c);
    }
  }
  return { calls, items: [{ tool: 'cost_anomalies', feature, saving_usd: null, hours: { from, to: from + 3 * HOUR_MS }, note: `3 h at ≥ ${(perHour / Math.max(usual, 1e-9)).toFixed(0)}× the usual hour` }] };
}

/** Workload `index` of a run: its own stream from the run seed; the last `cleanCount` workloads have no waste. */
export function buildWorkload(seed: number, index: number, clean: boolean): Workload {
  const rng = new Rng(childSeed(seed, `workload-${index}`));
  const days = rng.pick([7, 14, 28]);
  const from = Date.UTC(2026, 0, 5) + rng.int(0, 300) * DAY_MS + rng.int(0, 23) * HOUR_MS;
  const w = { from, to: from + days * DAY_MS, days };
  const n = rng.int(3000, 12_000);
  const calls = background(rng, w, n, clean || rng.chance(0.5));
  const items: TruthItem[] = [];
  const chosen: PlantName[] = [];
  if (!clean) {
    const names = Object.keys(PLANTS) as (keyof typeof PLANTS)[];
    for (const name of names) if (rng.chance(0.6)) chosen.push(name);
    while (chosen.length < 4) {
      const extra = rng.pick(names);
      if (!chosen.includes(extra)) chosen.push(extra);
    }
    for (const name of chosen as (keyof typeof PLANTS)[]) {
      const built = PLANTS[name](rng, w, Math.max(150, Math.round(n * 0.04)));
      calls.push(...built.calls);
      items.push(...built.items);
    }
    if (rng.chance(0.6)) {
      const spike = afternoonSpike(rng, w, calls);
      calls.push(...spike.calls);
      items.push(...spike.items);
      chosen.push('afternoonSpike');
    }
  }
  calls.sort((a, b) => a.timestamp - b.timestamp);
  const label = `#${index} ${clean ? 'clean' : 'planted'} ${days}d ${calls.length} calls${chosen.length ? ` [${chosen.join(' ')}]` : ''}`;
  return { label, clean, window: w, calls, items };
}

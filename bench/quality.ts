// Quality of the optimizer against workloads whose ground truth the tools cannot tune to.
//
// Each run draws a seed (printed; `--seed N` replays it, `--ci` runs the fixed seeds 1, 2 and 3) and builds
// PLANTED planted and CLEAN clean workloads (bench/lib/truth/workloads.ts): seasonal user traffic (day/night,
// weekday/weekend), a launch-day step, normal retry rates, a nightly and a weekly job already on the batch API,
// and — in the planted ones — waste whose expected saving the benchmark computes itself with plain loops at its own
// price list (bench/lib/truth/prices.ts), from LEVERS.md's formulas; nothing is shared with engine/tools,
// engine/profile or engine/catalog. Every workload is analysed as native records and as LiteLLM spend logs,
// Helicone JSONL and OTLP spans imported through the parsers (bench/lib/render-formats.ts).
//
// - item: one planted lever (tool + feature; the spike: tool + hours). Matched by a saving finding of that tool in
//   that feature (the spike: a cost_anomalies spike whose hours overlap).
// - recall = matched / observable items; an item needing a field the format cannot carry (OTLP: no prompt
//   identity, so no duplicates) is "unobservable" and listed apart.
// - precision = matched claims / claims; a claim = any saving finding with money (> 0), in any workload.
// - false-positive anomalies: cost_anomalies spikes (schedules excluded) matching no planted spike, driven by a
//   clean feature; spikes driven by a planted feature (its waste — runaway outputs — spikes its spend) are listed
//   as "waste anomalies" and not counted.
// - savings error = |found − expected| / expected over matched items with an expected figure (median, max).
// - vs_native: a format's recall / the native records' recall (what the export loses).
//
// Run: npm run bench -- quality [--seed N | --ci]      Last line: {"bench":"quality", …}
import { randomInt } from 'node:crypto';
import { analyzeWorkload } from '../engine/analyze.js';
import type { Finding } from '../engine/findings.js';
import { buildProfile } from '../engine/profile/reference.js';
import { parseStream } from '../engine/telemetry/import.js';
import type { LlmCall } from '../engine/telemetry/record.js';
import { EXPORT_FORMATS, renderExport, type ExportFormat } from './lib/render-formats.js';
import { scoreFindings, type Outcome } from './lib/truth/score.js';
import { buildWorkload, type Workload } from './lib/truth/workloads.js';

const PLANTED = 8;
const CLEAN = 4;
const CI_SEEDS = [1, 2, 3];
type Format = 'native' | ExportFormat;
const FORMATS: Format[] = ['native', ...EXPORT_FORMATS];
/** What each export format cannot carry (see render-formats.ts). */
const LACKS: Record<Format, readonly string[]> = { native: [], litellm: [], helicone: [], otlp: ['prompt'] };

function seedsOf(args: readonly string[]): number[] {
  if (args.includes('--ci')) return CI_SEEDS;
  const at = args.indexOf('--seed');
  if (at >= 0) {
    const seed = Number(args[at + 1]);
    if (!Number.isSafeInteger(seed)) throw new Error('--seed needs an integer');
    return [seed];
  }
  return [randomInt(1, 2 ** 31)];
}

async function imported(text: string): Promise<{ calls: LlmCall[]; rejected: number }> {
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) });
  const calls: LlmCall[] = [];
  let rejected = 0;
  for await (const item of parseStream(stream, { source: 'bench', now_ms: Date.now(), future_tolerance_ms: 300_000 })) {
    if (item.ok) calls.push(item.call);
    else rejected++;
  }
  return { calls, rejected };
}

async function callsAs(format: Format, w: Workload): Promise<{ calls: LlmCall[]; rejected: number }> {
  if (format === 'native') return { calls: w.calls, rejected: 0 };
  // Batch API results are not per-request spans (a batch is a file job): OTLP traces never show the batched jobs.
  const shown = format === 'otlp' ? w.calls.filter((c) => c.metadata.batch !== true) : w.calls;
  return imported(renderExport(format, shown));
}

interface Tally {
  workloads: number;
  outcomes: Outcome[];
  unobservable: Outcome[];
  claims: number;
  falseClaims: Finding[];
  falseAnomalies: number;
  wasteAnomalies: number;
  rejected: number;
}
const emptyTally = (): Tally => ({ workloads: 0, outcomes: [], unobservable: [], claims: 0, falseClaims: [], falseAnomalies: 0, wasteAnomalies: 0, rejected: 0 });

const round4 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10_000) / 10_000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function figures(t: Tally) {
  const found = t.outcomes.filter((o) => o.finding !== null).length;
  const errors = t.outcomes.flatMap((o) => (o.error === null ? [] : [o.error]));
  return {
    workloads: t.workloads,
    items: t.outcomes.length,
    found,
    unobservable: t.unobservable.length,
    recall: round4(t.outcomes.length ? found / t.outcomes.length : null),
    claims: t.claims,
    false_claims: t.falseClaims.length,
    precision: round4(t.claims ? (t.claims - t.falseClaims.length) / t.claims : null),
    false_claims_per_workload: round4(t.workloads ? t.falseClaims.length / t.workloads : null),
    false_anomalies: t.falseAnomalies,
    waste_anomalies: t.wasteAnomalies,
    savings_error_median: round4(median(errors)),
    savings_error_max: round4(errors.length ? Math.max(...errors) : null),
    rejected_records: t.rejected,
  };
}

function add(into: Tally, from: Tally): void {
  into.workloads += from.workloads;
  into.outcomes.push(...from.outcomes);
  into.unobservable.push(...from.unobservable);
  into.claims += from.claims;
  into.falseClaims.push(...from.falseClaims);
  into.falseAnomalies += from.falseAnomalies;
  into.wasteAnomalies += from.wasteAnomalies;
  into.rejected += from.rejected;
}

export default async function run(args: string[] = []): Promise<void> {
  const seeds = seedsOf(args);
  console.log(`seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')} (replay: npm run bench -- quality --seed ${seeds[0]})`);
  const started = Date.now();
  const byFormat = new Map<Format, Tally>(FORMATS.map((f) => [f, emptyTally()]));
  const clean = emptyTally();
  const problems: string[] = [];
  for (const seed of seeds) {
    for (let i = 0; i < PLANTED + CLEAN; i++) {
      const w = buildWorkload(seed, i, i >= PLANTED);
      const line: string[] = [];
      for (const format of FORMATS) {
        const { calls, rejected } = await callsAs(format, w);
        const profile = buildProfile(calls, { from: w.window.from, to: w.window.to });
        const { findings } = analyzeWorkload(profile);
        const observable = w.items.filter((it) => !it.needs || !LACKS[format].includes(it.needs));
        const s = scoreFindings(observable, findings);
        const t: Tally = {
          workloads: 1,
          outcomes: s.outcomes,
          unobservable: w.items.filter((it) => !observable.includes(it)).map((item) => ({ item, finding: null, error: null })),
          claims: s.claims.length,
          falseClaims: s.falseClaims,
          falseAnomalies: s.falseAnomalies.length,
          wasteAnomalies: s.wasteAnomalies.length,
          rejected,
        };
        add(byFormat.get(format)!, t);
        if (w.clean) add(clean, t);
        const found = s.outcomes.filter((o) => o.finding).length;
        line.push(`${format} ${found}/${s.outcomes.length}${s.falseClaims.length ? ` FP ${s.falseClaims.length}` : ''}${s.falseAnomalies.length ? ` FA ${s.falseAnomalies.length}` : ''}`);
        const where = `seed ${seed} ${w.label.split(' [')[0]} ${format}`;
        for (const o of s.outcomes) {
          if (!o.finding) problems.push(`MISSED ${o.item.tool} in ${o.item.feature} (${o.item.note}) — ${where}`);
          else if (o.error !== null && o.error > 0.03) problems.push(`ERROR ${(100 * o.error).toFixed(1)}% ${o.item.tool} in ${o.item.feature}: expected $${o.item.saving_usd?.toFixed(4)}, found $${(o.finding.saving_nanousd / 1e9).toFixed(4)} — ${where}`);
        }
        for (const f of s.falseClaims) problems.push(`FALSE CLAIM ${f.tool} ${JSON.stringify(f.where)}: ${f.summary} — ${where}`);
        for (const f of s.falseAnomalies) problems.push(`FALSE ANOMALY ${f.where.group} (${f.where.feature ?? ''}): ${f.summary} — ${where}`);
      }
      console.log(`seed ${seed} ${w.label}: ${line.join(' · ')}`);
    }
  }
  const overall = emptyTally();
  for (const t of byFormat.values()) add(overall, t);
  const nativeRecall = figures(byFormat.get('native')!).recall;
  const formats = Object.fromEntries(
    [...byFormat].map(([f, t]) => {
      const fig = figures(t);
      return [f, { ...fig, vs_native: round4(nativeRecall && fig.recall !== null ? fig.recall / nativeRecall : null) }];
    }),
  );
  console.log('');
  for (const [f, fig] of Object.entries(formats)) {
    console.log(`${f.padEnd(9)} recall ${fig.recall} (${fig.found}/${fig.items}, ${fig.unobservable} unobservable)  precision ${fig.precision}  false claims/workload ${fig.false_claims_per_workload}  false anomalies ${fig.false_anomalies}  savings error p50 ${fig.savings_error_median} max ${fig.savings_error_max}  rejected ${fig.rejected_records}`);
  }
  const c = figures(clean);
  console.log(`clean workloads (${c.workloads} analyses): false claims ${c.false_claims}, false anomalies ${c.false_anomalies}`);
  const counted = new Map<string, number>();
  for (const p of problems) counted.set(p.split(' — ')[0]!, (counted.get(p.split(' — ')[0]!) ?? 0) + 1);
  if (problems.length) console.log('\nproblems (×count, first occurrence):');
  for (const [p, n] of [...counted].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ×${n} ${problems.find((x) => x.startsWith(p))}`);
  console.log(`\n${seeds.length * (PLANTED + CLEAN)} workloads × ${FORMATS.length} formats in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const o = figures(overall);
  console.log(
    JSON.stringify({
      bench: 'quality',
      seeds,
      workloads: seeds.length * (PLANTED + CLEAN),
      recall: o.recall,
      precision: o.precision,
      false_claims_per_workload: o.false_claims_per_workload,
      false_anomalies: o.false_anomalies,
      savings_error_median: o.savings_error_median,
      savings_error_max: o.savings_error_max,
      clean: { analyses: c.workloads, false_claims: c.false_claims, false_anomalies: c.false_anomalies },
      by_format: formats,
    }),
  );
}

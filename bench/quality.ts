// Quality of the optimizer tools against synthetic workloads with planted inefficiencies of known size.
//
// For each of 24 workloads (different seeds, 5k–40k calls, 7/14/30 days, all plants or a random mix) it runs
// buildProfile (engine/profile/reference.ts) + analyzeWorkload (engine/analyze.ts) and compares the findings
// with the generator's ground truth (engine/synthetic, computed from the planted calls by the formulas of
// engine/tools/README.md, never by the tools).
//
// Definitions
// - claim: a finding of kind 'saving' by a tool id some plant targets (PLANT_TOOL) whose `where` lies in a
//   planted or clean group (same group = the scopes share a key and agree on every key both set).
// - match: a finding with the item's tool id, kind and group; one-to-one, closest figure first. Saving items
//   match claims; insight items (cost_anomalies, rate_limit_storms) match insight findings of their tool.
// - recall = matched items / manifest items.
// - precision = matched claims / claims. A claim in a clean group, or by the wrong tool in a planted group,
//   counts against precision; findings outside these groups are not scored. Unmatched insights of the
//   insight-plant tools are listed ("unplanned insights") but are not part of precision.
// - savings error = |found − truth| / truth per matched item: the saving for saving items, the evidence figure
//   (excess_nanousd, retry_wait_ms) for insight items; median and max over matched items.
// - by_family: the same figures per tool family (engine/tools registry).
//
// - by_format: workloads rendered as LiteLLM spend logs, Helicone JSONL and OTLP spans (bench/lib/render-formats.ts),
//   imported through the parsers, then scored the same way; a field a format cannot carry is lost as for a user.
//
// Run: npm run bench -- quality      Last line: {"bench":"quality", …}
import type { Finding, ToolFamily } from '../engine/findings.js';
import { analyzeWorkload } from '../engine/analyze.js';
import { buildProfile } from '../engine/profile/reference.js';
import { PLANT_IDS, PLANT_TOOL, generateWorkload, type PlantId, type WorkloadOptions } from '../engine/synthetic/index.js';
import { Rng } from '../engine/synthetic/prng.js';
import { TOOLS } from '../engine/tools/index.js';
import { parseStream } from '../engine/telemetry/import.js';
import type { LlmCall } from '../engine/telemetry/record.js';
import { EXPORT_FORMATS, renderExport, type ExportFormat } from './lib/render-formats.js';
import { scoreWorkload, type ItemOutcome } from './lib/score-findings.js';

const WORKLOADS = 24;
/** Workloads also rendered in each export format and imported through the parsers (the smaller ones: 5k/10k calls). */
const FORMAT_WORKLOADS = [0, 1, 4, 5, 8, 9];
const PLANT_TOOLS = new Set(Object.values(PLANT_TOOL));
const FAMILY = new Map<string, ToolFamily>(TOOLS.map((t) => [t.id, t.family]));

function workloadOptions(i: number): WorkloadOptions {
  const seed = 7_000 + i;
  const mixed = i % 4 === 3;
  const rng = new Rng(seed);
  const plants: PlantId[] = mixed ? PLANT_IDS.filter(() => rng.chance(0.6)) : [...PLANT_IDS];
  if (plants.length < 4) plants.push(...PLANT_IDS.filter((p) => !plants.includes(p)).slice(0, 4 - plants.length));
  return {
    seed,
    calls: [5_000, 10_000, 20_000, 40_000][i % 4] ?? 5_000,
    days: [7, 14, 30][i % 3] ?? 7,
    start: Date.UTC(2025, 0, 6) + i * 9 * 86_400_000 + ((i * 7) % 24) * 3_600_000,
    plants,
  };
}

interface Outcome extends ItemOutcome {
  workload: string;
}

const median = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? null) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const round4 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10_000) / 10_000);
const ratioOr = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const scope = (w: object) => JSON.stringify(w);

function summarize(outcomes: Outcome[], claims: number, falsePositives: number) {
  const errors = outcomes.flatMap((o) => (o.error === null ? [] : [o.error]));
  const matched = errors.length;
  return {
    items: outcomes.length,
    matched,
    claims,
    false_positives: falsePositives,
    recall: round4(ratioOr(matched, outcomes.length)),
    precision: round4(ratioOr(claims - falsePositives, claims)),
    savings_error_median: round4(median(errors)),
    savings_error_max: round4(errors.length ? Math.max(...errors) : null),
  };
}

/** The file parsed back by the import path (auto-detected format), as a user's upload would be. */
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

/** Per export format: the same planted workloads, rendered, imported and analysed. */
async function formatRuns(): Promise<Record<ExportFormat, Record<string, unknown>>> {
  const out = {} as Record<ExportFormat, Record<string, unknown>>;
  for (const format of EXPORT_FORMATS) {
    const outcomes: Outcome[] = [];
    let claims = 0;
    let fps = 0;
    let anomalies = 0;
    let rejected = 0;
    for (const i of FORMAT_WORKLOADS) {
      const opts = workloadOptions(i);
      const { calls, manifest } = generateWorkload(opts);
      const back = await imported(renderExport(format, calls));
      rejected += back.rejected;
      const profile = buildProfile(back.calls, { from: manifest.window.from, to: manifest.window.to });
      const score = scoreWorkload(manifest, analyzeWorkload(profile).findings, PLANT_TOOLS);
      outcomes.push(...score.items.map((o) => ({ ...o, workload: `#${i}` })));
      claims += score.claims.length;
      fps += score.falsePositives.length;
      anomalies += score.unplannedInsights.filter((f) => f.tool === 'cost_anomalies' && f.evidence.schedule !== true).length;
    }
    const s = summarize(outcomes, claims, fps);
    const missedTools = [...new Set(outcomes.filter((o) => o.finding === null).map((o) => o.item.tool))].sort();
    out[format] = { ...s, false_positives_per_workload: round4(fps / FORMAT_WORKLOADS.length), false_positive_anomalies: anomalies, rejected_records: rejected, missed_tools: missedTools };
    console.log(
      `format ${format.padEnd(9)} recall ${s.recall}  precision ${s.precision}  FP/workload ${round4(fps / FORMAT_WORKLOADS.length)}  FP anomalies ${anomalies}  savings error p50 ${s.savings_error_median} max ${s.savings_error_max}  rejected ${rejected}${missedTools.length ? `  missed: ${missedTools.join(', ')}` : ''}`,
    );
  }
  return out;
}

export default async function run(): Promise<void> {
  const outcomes: Outcome[] = [];
  const claims: { workload: string; finding: Finding; falsePositive: boolean }[] = [];
  const unplanned: { workload: string; finding: Finding }[] = [];
  const started = Date.now();
  for (let i = 0; i < WORKLOADS; i++) {
    const opts = workloadOptions(i);
    const label = `#${i} seed=${opts.seed} calls=${opts.calls} days=${opts.days} plants=${opts.plants?.length}`;
    const { calls, manifest } = generateWorkload(opts);
    const profile = buildProfile(calls, { from: manifest.window.from, to: manifest.window.to });
    const { findings } = analyzeWorkload(profile);
    const score = scoreWorkload(manifest, findings, PLANT_TOOLS);
    outcomes.push(...score.items.map((o) => ({ ...o, workload: label })));
    const fps = new Set(score.falsePositives);
    claims.push(...score.claims.map((finding) => ({ workload: label, finding, falsePositive: fps.has(finding) })));
    unplanned.push(...score.unplannedInsights.map((finding) => ({ workload: label, finding })));
    const matched = score.items.filter((o) => o.finding).length;
    console.log(`${label}: ${matched}/${score.items.length} items found, ${fps.size} false positives, ${score.unplannedInsights.length} unplanned insights`);
  }

  const overall = summarize(outcomes, claims.length, claims.filter((c) => c.falsePositive).length);
  const byTool = new Map<string, Outcome[]>();
  for (const o of outcomes) byTool.set(o.item.tool, [...(byTool.get(o.item.tool) ?? []), o]);
  console.log('\ntool                    items found  FP  err p50   err max');
  for (const [tool, os] of [...byTool].sort()) {
    const s = summarize(os, claims.filter((c) => c.finding.tool === tool).length, claims.filter((c) => c.finding.tool === tool && c.falsePositive).length);
    console.log(`${tool.padEnd(24)}${String(s.items).padStart(5)}${String(s.matched).padStart(6)}${String(s.false_positives).padStart(4)}  ${String(s.savings_error_median).padStart(7)}  ${String(s.savings_error_max).padStart(8)}`);
  }

  const families = [...new Set([...outcomes.map((o) => FAMILY.get(o.item.tool)), ...claims.map((c) => c.finding.family)])].filter(
    (f): f is ToolFamily => f !== undefined,
  );
  const byFamily = Object.fromEntries(
    families.sort().map((fam) => {
      const fc = claims.filter((c) => c.finding.family === fam);
      const s = summarize(
        outcomes.filter((o) => FAMILY.get(o.item.tool) === fam),
        fc.length,
        fc.filter((c) => c.falsePositive).length,
      );
      return [fam, s];
    }),
  );

  console.log('\nworst mismatches (for the tools):');
  for (const o of outcomes.filter((x) => x.finding === null)) {
    console.log(`  MISSED ${o.item.tool} ${scope(o.item.where)} truth=${o.item.saving_nanousd || scope(o.item.evidence)} (${o.workload}; ${o.item.note})`);
  }
  const grouped = (list: { workload: string; finding: Finding }[], label: string) => {
    const byKey = new Map<string, { count: number; example: { workload: string; finding: Finding } }>();
    for (const c of list) {
      const key = `${c.finding.tool} in ${c.finding.where.feature ?? scope(c.finding.where)}`;
      byKey.set(key, { count: (byKey.get(key)?.count ?? 0) + 1, example: byKey.get(key)?.example ?? c });
    }
    for (const [key, { count, example }] of [...byKey].sort((a, b) => b[1].count - a[1].count)) {
      console.log(`  ${label} ×${count} ${key}, e.g. ${example.workload}: ${example.finding.summary}`);
    }
  };
  grouped(claims.filter((c) => c.falsePositive), 'FALSE POSITIVE');
  grouped(unplanned, 'UNPLANNED INSIGHT');
  const worst = outcomes.filter((o) => o.error !== null && o.error > 1e-9).sort((a, b) => (b.error ?? 0) - (a.error ?? 0));
  for (const o of worst.slice(0, 10)) {
    const got = o.item.kind === 'saving' ? o.finding?.saving_nanousd : scope(o.finding?.evidence ?? {});
    console.log(`  ERROR ${(100 * (o.error ?? 0)).toFixed(2)}% ${o.item.tool} ${scope(o.item.where)} truth=${o.item.saving_nanousd || scope(o.item.evidence)} got=${got} (${o.workload})`);
  }
  console.log(`\nthe same planted workloads (${FORMAT_WORKLOADS.length}) as real export files, imported through the parsers:`);
  const byFormat = await formatRuns();
  console.log(`\n${WORKLOADS} workloads in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      bench: 'quality',
      workloads: WORKLOADS,
      items: overall.items,
      claims: overall.claims,
      unplanned_insights: unplanned.length,
      recall: overall.recall,
      precision: overall.precision,
      savings_error_median: overall.savings_error_median,
      savings_error_max: overall.savings_error_max,
      by_family: byFamily,
      by_format: byFormat,
    }),
  );
}

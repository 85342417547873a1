// Reporting step: the final report as markdown + structured JSON + chart data, stored in Postgres (one per
// run, so a retried step writes it once), and the answer shown in the chat. Every figure comes from the
// earlier steps' tool results; the LLM (when configured) may only rephrase the answer.
import { desc, eq } from 'drizzle-orm';
import { corpusDocuments, reports } from '../../db/schema';
import { openDb } from '../../db/postgres';
import { DAY_MS, perMonthUsd, type Finding } from '../../engine/findings';
import type { WorkloadProfile } from '../../engine/profile/types';
import { nanoToUsd } from '../../engine/telemetry/record';
import { StepError, type RunContext, type StepOutput } from '../supervisor/contract';
import type { PlanResult } from './actions';
import type { DataHelperResult } from './data-helper';
import type { DataStepResult } from './data-intelligence';
import { PROFILE_ARTIFACT, type OptimizeStepResult } from './optimizer';
import { meterLlmCall } from './llm-usage';
import { phrase } from './reasoner';
import { composeAnswer, latencyEffect, usd, where, type Answer } from '../../engine/agent/answer';
import type { PlanStep } from '../../engine/agent/actions';
import type { TriageStepResult } from './triage-agent';
import type { LatencyByModel, ReportCharts, SavingsWaterfall, SpendOverTime } from '../../protocol/report-charts';

const AGENT = 'reporting';

export interface ReportStepResult {
  report_id: string;
  answer: string;
  summary: Record<string, unknown>;
}


/** Report id of a run: derived from the run id, so a retried report step writes the same row. */
export const reportIdFor = (runId: string) => `rep_${runId.slice(4)}`;

export interface CorpusNote {
  id: string;
  title: string;
  excerpt: string;
}

export interface ReportInput {
  message: string;
  /** The org's corpus notes relevant to this answer (corpus admin). */
  notes?: CorpusNote[];
  triage: TriageStepResult;
  data?: DataStepResult;
  optimize?: OptimizeStepResult;
  plan?: PlanResult;
  helper?: DataHelperResult;
  /** The previous answer's plan steps ("apply the second one"). */
  previousSteps?: PlanStep[];
  /** The data step's workload profile (for the spend-over-time and latency charts), when it was kept. */
  profile?: WorkloadProfile | null;
}

// ---- chart data of the report page (each chart also carries what its text alternative needs) ----

const round2 = (n: number) => Math.round(n * 100) / 100;
const modelLabel = (m: { provider: string; model: string }) => `${m.provider}/${m.model}`;

/** Savings in lever order as a waterfall to the combined total: step i adds combined(1..i) − combined(1..i−1). */
export function savingsWaterfall(opt: OptimizeStepResult | undefined, monthlySpend: number | null): SavingsWaterfall | null {
  if (!opt?.combined || !opt.savings.length || monthlySpend === null) return null;
  const total = opt.combined.saving_usd_month;
  let before = 0;
  const steps = opt.savings.map((f) => {
    const upTo = Math.min(total, round2((f.cumulative_pct / 100) * monthlySpend));
    const step = { label: f.title, where: where(f.where), saving_usd: f.saving_usd_month, added_usd: round2(Math.max(0, upTo - before)) };
    before = Math.max(before, upTo);
    return step;
  });
  // Rounding of the cumulative shares (or levers past the listed ones) leaves a remainder: the last step takes it.
  const last = steps[steps.length - 1]!;
  last.added_usd = round2(Math.max(0, last.added_usd + total - before));
  return { unit: 'USD/month', steps, naive_sum_usd: round2(perMonthUsd(opt.combined.naive_sum_nanousd, opt.window_days)), total_usd: total };
}

const TOP_MODELS = 5;

/**
 * Spend per time bucket and model from the profile's hour × feature buckets; each feature's spend goes to its
 * models in the shares of its segments' cost (exact when every feature runs on one model). Models past the
 * top five are summed as "other".
 */
export function spendOverTimeByModel(p: WorkloadProfile | null | undefined): SpendOverTime | null {
  if (!p || !p.hours.length || p.totals.cost_nanousd <= 0) return null;
  const top = p.models.slice(0, TOP_MODELS).map(modelLabel);
  const models = p.models.length > TOP_MODELS ? [...top, 'other'] : top;
  const column = (label: string) => (top.includes(label) ? top.indexOf(label) : models.length - 1);
  const featureCost = new Map<string, number>();
  for (const seg of p.segments) featureCost.set(seg.feature, (featureCost.get(seg.feature) ?? 0) + seg.cost_nanousd);
  const mix = new Map<string, { col: number; share: number }[]>();
  for (const seg of p.segments) {
    const cost = featureCost.get(seg.feature)!;
    const list = mix.get(seg.feature) ?? [];
    list.push({ col: column(modelLabel(seg)), share: cost > 0 ? seg.cost_nanousd / cost : 0 });
    mix.set(seg.feature, list);
  }
  const bucket = p.window.days > 2 ? 'day' : 'hour';
  const start = (t: number) => (bucket === 'day' ? t - (t % DAY_MS) : t);
  const byT = new Map<number, number[]>();
  for (const h of p.hours) {
    const values = byT.get(start(h.hour)) ?? models.map(() => 0);
    for (const { col, share } of mix.get(h.feature) ?? []) values[col]! += nanoToUsd(h.cost_nanousd) * share;
    byT.set(start(h.hour), values);
  }
  const points = [...byT.entries()].sort((x, y) => x[0] - y[0]).map(([t, values]) => ({ t, values: values.map((v) => Math.round(v * 1e6) / 1e6) }));
  return { unit: 'USD', bucket, models, points, allocated: [...mix.values()].some((m) => m.length > 1) };
}

/** Nearest-rank latency percentiles of each model's ok calls (the profile's), slowest p95 first. */
export function latencyByModel(p: WorkloadProfile | null | undefined): LatencyByModel[] {
  return (p?.models ?? [])
    .filter((m) => m.latency_ms.count > 0)
    .map((m) => ({ label: modelLabel(m), calls: m.latency_ms.count, p50: m.latency_ms.p50, p95: m.latency_ms.p95, p99: m.latency_ms.p99 }))
    .sort((x, y) => (y.p95 ?? 0) - (x.p95 ?? 0) || x.label.localeCompare(y.label));
}

export interface ComposedReport {
  title: string;
  /** The answer's first sentence and its table (the LLM planner's text goes between them). */
  lead: string;
  table: string | null;
  markdown: string;
  data: Record<string, unknown>;
  answer: string;
  monthly_saving_usd: number;
}

export function composeReport(r: ReportInput): ComposedReport {
  const request = r.triage.request;
  const out = r.optimize?.outputs ?? r.triage.outputs ?? {};
  const s = r.triage.sufficiency;
  const needsData = r.triage.coverage !== null;
  const thin = needsData && !r.optimize;
  // The answer to the question asked (engine/agent/answer.ts); with too little data, what to send first.
  const answer: Answer = thin
    ? {
        lead: `Your telemetry covers ${s.score}% of what an analysis needs, so here is what to send first${r.helper?.requests[0] ? ` (${r.helper.requests[0].what})` : ''}, and the quick wins that need no data.`,
        table: null,
        chart: null,
        actions: [],
        text: '',
      }
    : composeAnswer(request, out, r.plan ?? null, r.previousSteps ?? []);
  const text = thin ? answer.lead : answer.text + (needsData && s.score < 80 ? `\n\nData sufficiency is ${s.score}%: the report lists what to send for a sharper analysis.` : '');
  const savings = r.optimize?.savings ?? [];
  // Combined per segment on the residual: never the plain sum of the findings.
  const monthlySaving = r.optimize?.combined?.saving_usd_month ?? 0;
  const monthlySpend = r.optimize ? Math.round(perMonthUsd(r.optimize.total_cost_nanousd, r.optimize.window_days) * 100) / 100 : r.data && r.data.window.days > 0 ? Math.round(((r.data.cost_usd * 30) / r.data.window.days) * 100) / 100 : null;
  const title = thin ? 'Telemetry needed for a full analysis' : answer.lead.length > 120 ? `${answer.lead.slice(0, 117)}...` : answer.lead;
  const lines: string[] = [`# ${title}`, '', `> ${r.message}`, '', answer.lead, ''];
  if (answer.table) lines.push(answer.table, '');
  if (answer.actions.length) lines.push('## What to do', '', ...answer.actions, '');

  if (r.data) {
    lines.push('## Workload', '', `- ${r.data.calls.toLocaleString('en-US')} calls from ${new Date(r.data.window.from).toISOString().slice(0, 10)} to ${new Date(r.data.window.to).toISOString().slice(0, 10)} (${r.data.window.days.toFixed(1)} days)`);
    lines.push(`- spend ${usd(r.data.cost_usd)}${monthlySpend !== null ? ` (${usd(monthlySpend)} per 30 days)` : ''}, ${r.data.input_tokens.toLocaleString('en-US')} input and ${r.data.output_tokens.toLocaleString('en-US')} output tokens`);
    for (const m of r.data.top_models) lines.push(`- ${m.provider}/${m.model}: ${usd(m.cost_usd)} (${m.share_pct}% of spend, ${m.calls.toLocaleString('en-US')} calls)`);
    lines.push('');
  }

  if (savings.length && r.optimize?.combined) {
    const combined = r.optimize.combined;
    lines.push('## Savings', '', '| # | what | where | $/month | % of spend | confidence | risk |', '|---|---|---|---|---|---|---|');
    savings.forEach((f, i) => lines.push(`| ${i + 1} | ${f.title} | ${where(f.where)} | ${usd(f.saving_usd_month)} | ${f.saving_pct}% | ${f.confidence} | ${f.risk} |`));
    lines.push('', `Together: ${usd(monthlySaving)}/month (${combined.saving_pct}% of spend) — levers on the same calls are combined in order on what is left, never added twice (the plain sum would claim ${usd(perMonthUsd(combined.naive_sum_nanousd, r.optimize.window_days))}).`, '');
    lines.push('### Evidence', '');
    for (const f of savings.slice(0, 8)) lines.push(`- **${f.title}** (${where(f.where)}): ${f.summary} ${f.recommendation}`);
    lines.push('');
  } else if (out.optimizer) {
    lines.push('## Savings', '', 'No saving above $0.01/month was found in this window.', '');
  }

  if (r.plan?.steps.length) {
    lines.push('## Plan', '');
    for (const st of r.plan.steps) {
      const saving = st.saving_usd_month > 0 ? `${usd(st.saving_usd_month)}/month (cumulative ${st.cumulative_pct}% of spend), ` : '';
      const speed = st.latency_effect_ms !== null ? `${latencyEffect(st.latency_effect_ms)}, ` : '';
      lines.push(`${st.order}. ${st.do} — ${saving}${speed}${st.confidence} confidence, risk ${st.risk}`);
    }
    if (r.plan.target_pct !== null) {
      const budget = r.plan.target_from === 'budget' && r.plan.budget ? ` to stay within ${usd(r.plan.budget.usd_month)}/month (spend ${usd(r.plan.budget.spend_usd_month)}/month)` : '';
      lines.push('', `Target: cut ${r.plan.target_pct}%${budget} — ${r.plan.meets_target ? 'met by these steps' : 'not met by the savings found'}.`);
    }
    if (r.plan.excluded.length) lines.push('', `Left out by your constraints: ${r.plan.excluded.map((e) => `${e.title} (${e.reason})`).join('; ')}.`);
    if (r.plan.policy) lines.push('', '### Gateway policy', '', '```json', JSON.stringify(r.plan.policy, null, 2), '```');
    lines.push('');
  }

  if (r.notes?.length) {
    lines.push('## From your notes', '');
    for (const n of r.notes) lines.push(`- **${n.title}** (${n.id}): ${n.excerpt}`);
    lines.push('');
  }

  if (needsData) {
    lines.push('## Data sufficiency', '', `Score ${s.score}% (${s.score >= 80 ? 'full analysis' : s.score >= 40 ? 'partial analysis: figures below hold for the data sent, and more data would sharpen them' : 'not enough data for an analysis'}).`, '', '| input | weight | coverage | points |', '|---|---|---|---|');
    for (const i of s.inputs) lines.push(`| ${i.name} | ${i.weight} | ${Math.round(i.share * 100)}% | ${i.points} |`);
    lines.push('');
  }

  if (r.helper) {
    if (r.helper.requests.length) {
      lines.push('## What to send next', '');
      for (const q of r.helper.requests) lines.push(`- **${q.what}**: ${q.how}`);
      lines.push('', '```bash', r.helper.example, '```', '');
    }
    lines.push('## Quick wins that need no data', '');
    for (const w of r.helper.quick_wins) lines.push(`- ${w}`);
    lines.push('');
  }

  const data = {
    question: r.message,
    request,
    intent: request.intents[0],
    tools: (r.optimize?.planned ?? []).map((c) => c.tool),
    answer: { lead: answer.lead, table: answer.table, actions: answer.actions },
    outputs: out,
    sufficiency: s,
    workload: r.data ?? null,
    savings,
    insights: r.optimize?.insights ?? [],
    data_quality: r.optimize?.data_quality ?? [],
    monthly_saving_usd: monthlySaving,
    monthly_spend_usd: monthlySpend,
    plan: r.plan ?? null,
    what_if: out.what_if ?? null,
    notes: r.notes ?? [],
    data_requests: r.helper?.requests ?? [],
    quick_wins: r.helper?.quick_wins ?? [],
    charts: {
      answer: answer.chart,
      spend_by_model: (r.data?.top_models ?? []).map((m) => ({ label: `${m.provider}/${m.model}`, value: m.cost_usd })),
      savings_by_tool: savings.map((f) => ({ label: f.tool, value: f.saving_usd_month })),
      savings_waterfall: savingsWaterfall(r.optimize, monthlySpend),
      spend_over_time_by_model: spendOverTimeByModel(r.profile),
      latency_by_model: latencyByModel(r.profile),
    } satisfies ReportCharts,
  };
  return { title, lead: answer.lead, table: answer.table, markdown: lines.join('\n'), data, answer: text, monthly_saving_usd: monthlySaving };
}

/** Corpus notes whose title, tags or text name a feature, model or provider the answer is about. */
export function relevantNotes(docs: { id: string; title: string; content: string; tags: string[] }[], terms: string[]): CorpusNote[] {
  const wanted = terms.filter((t) => t.length >= 3).map((t) => t.toLowerCase());
  return docs
    .filter((d) => wanted.some((t) => d.title.toLowerCase().includes(t) || d.tags.some((g) => g.toLowerCase() === t) || d.content.toLowerCase().includes(t)))
    .slice(0, 5)
    .map((d) => ({ id: d.id, title: d.title, excerpt: d.content.length > 240 ? `${d.content.slice(0, 237)}...` : d.content }));
}

export async function reportStep(ctx: RunContext): Promise<StepOutput> {
  const triage = ctx.results.triage as TriageStepResult;
  const optimize = ctx.results.optimize as OptimizeStepResult | undefined;
  const terms = [...new Set((optimize?.savings ?? []).flatMap((f) => [f.where.feature, f.where.model, f.where.provider]).filter((t): t is string => !!t))];
  terms.push(...triage.request.scope.features, ...triage.request.scope.models);
  const reportId = reportIdFor(ctx.run_id);
  const pg = openDb(ctx.env);
  let docs: (typeof corpusDocuments.$inferSelect)[];
  try {
    docs = await pg.db.select().from(corpusDocuments).where(eq(corpusDocuments.org_id, ctx.thread.org_id)).orderBy(desc(corpusDocuments.id)).limit(200);
  } catch {
    await pg.close();
    throw new StepError('dependency_unavailable', 'could not read the corpus; retrying', true);
  }
  // Composing is pure: an error here is a bug, not an outage, so it fails the step instead of being retried.
  let composed: ReturnType<typeof composeReport>;
  try {
    composed = composeReport({
      message: ctx.message,
      notes: relevantNotes(docs, terms),
      triage,
      data: ctx.results.data as DataStepResult | undefined,
      optimize,
      plan: ctx.results.plan_actions as PlanResult | undefined,
      helper: ctx.results.data_helper as DataHelperResult | undefined,
      previousSteps: (ctx.previous?.steps ?? []) as PlanStep[],
      profile: ctx.results.data ? (ctx.artifacts.get<WorkloadProfile>(PROFILE_ARTIFACT) ?? null) : null,
    });
  } catch (err) {
    await pg.close();
    throw new StepError('run_failed', `could not compose the report (${err instanceof Error ? err.message : 'unknown error'})`, false);
  }
  try {
    await pg.db
      .insert(reports)
      .values({
        id: reportId,
        org_id: ctx.thread.org_id,
        user_id: ctx.user_id,
        thread_id: ctx.thread.thread_id,
        run_id: ctx.run_id,
        title: composed.title,
        markdown: composed.markdown,
        data: composed.data,
        saving_nanousd_month: Math.round(composed.monthly_saving_usd * 1e9),
      })
      .onConflictDoNothing();
  } catch {
    throw new StepError('dependency_unavailable', 'could not store the report; retrying', true);
  } finally {
    await pg.close();
  }
  // The LLM planner's own text (already guarded) follows the lead; otherwise the LLM may only rephrase.
  const phrased = optimize?.llm_text
    ? { text: `${composed.lead}\n\n${optimize.llm_text}${composed.table ? `\n\n${composed.table}` : ''}`, by: 'llm planner' }
    : await phrase(ctx.env, composed.answer, (call) => meterLlmCall(ctx, call), composed.lead);
  ctx.emit('agent_log', { level: 'info', message: `report ${reportId} stored (${phrased.by} phrasing)` }, AGENT);
  const result: ReportStepResult = {
    report_id: reportId,
    answer: phrased.text,
    summary: {
      intents: triage.request.intents,
      tools: (optimize?.planned ?? []).map((c) => c.tool),
      monthly_saving_usd: composed.monthly_saving_usd,
      savings: (composed.data.savings as Finding[]).length,
      sufficiency: triage.sufficiency.score,
      pipeline: ctx.pipeline,
    },
  };
  return { result };
}

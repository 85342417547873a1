// The answer leads with the answer: one first sentence that answers the request's main intent with its
// key figure, then the supporting table (markdown) and chart data, then the top actions and what each
// saves. Every number comes from a tool output; the same outputs give the same text.
import { CAPABILITY_SOURCES, capabilityOf, type CatalogModel } from '../catalog/index.js';
import type { Finding } from '../findings.js';
import type { ArmSummary, LedgerSummary, SavingsGroup } from '../realized-savings.js';
import { UNTAGGED } from '../tools/shared.js';
import type { ActionPlan, PlanStep } from './actions.js';
import type { AgentRequest } from './request.js';
import type { CompareRow, ErrorRow, ErrorsOutput, LatencyChangeOutput, LatencyChangeRow, LatencyRow, LeverOutput, OptimizerOutput, SpendBreakdownOutput, SpendChangeOutput, SpendRow, UserSpendOutput, WasteOutput, WhatIfFit, WhatIfOutput, CapabilityRow } from './tools.js';

export interface ToolOutputs {
  spend_breakdown?: SpendBreakdownOutput;
  user_spend?: UserSpendOutput;
  spend_change?: SpendChangeOutput;
  cost_anomalies?: Finding[];
  latency_table?: LatencyRow[];
  latency_change?: LatencyChangeOutput;
  latency_levers?: Finding[];
  cache_tools?: Finding[];
  optimizer?: OptimizerOutput;
  waste?: WasteOutput;
  error_rates?: ErrorsOutput;
  levers?: LeverOutput;
  what_if?: WhatIfOutput;
  compare_models?: CompareRow[];
  catalog_search?: CatalogModel[];
  realized_savings?: LedgerSummary;
}

export interface ChartData {
  kind: 'bar';
  title: string;
  unit: string;
  series: { label: string; value: number }[];
}

export interface Answer {
  /** The first sentence: the direct answer with its key figure. */
  lead: string;
  table: string | null;
  chart: ChartData | null;
  actions: string[];
  /** lead + table + actions, as shown in the chat. */
  text: string;
}

export const INGEST_SNIPPET = `curl -X POST "$NETRA_URL/api/ingest/calls" \\
  -H "Authorization: Bearer $NETRA_INGEST_KEY" -H "content-type: application/json" \\
  -d '[{"timestamp":"2026-11-23T10:00:00Z","provider":"openai","model":"gpt-4o","feature":"summarize","user":"u_42",
        "input_tokens":1800,"output_tokens":240,"cached_input_tokens":1024,"latency_ms":2300,"ttft_ms":410,
        "status":"ok","prompt_hash":"sha256:…","max_tokens":512,"stream":true}]'`;

export const EXAMPLE_QUESTIONS = [
  'Why did our LLM bill go up this month?',
  'What are our p95 latencies by model, and how do we lower them?',
  'Cut our costs by 30% but keep gpt-4o.',
  'What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?',
  'Cheapest model with at least 128k context?',
];

export const usd = (n: number): string => `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const ms = (n: number | null): string => (n === null ? '–' : `${n.toLocaleString('en-US')} ms`);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const lastDay = (t: number) => day(t - 1);
/** A window's UTC days: "on 2026-12-01", or "2026-11-24 to 2026-11-30". */
const days = (w: { from: number; to: number }) => (day(w.from) === lastDay(w.to) ? `on ${day(w.from)}` : `${day(w.from)} to ${lastDay(w.to)}`);
const seg = (r: { feature?: string | null; provider: string; model: string }) => `${r.feature ? `feature ${r.feature} on ` : ''}${r.provider}/${r.model}`;
/** A finding's scope in words: "feature chat, openai/gpt-4o", "anthropic/claude-sonnet-4-5, untagged calls", "all calls". */
export const where = (w: Finding['where']) =>
  [w.feature && `feature ${w.feature}`, w.model && `${w.provider ? `${w.provider}/` : ''}${w.model}`, w.group && (w.group === UNTAGGED ? 'untagged calls' : w.group)].filter(Boolean).join(', ') || 'all calls';
const table = (head: string[], rows: (string | number)[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const shareWord = (s: number) => (s === 1 ? 'all' : s === 0.5 ? 'half' : `${Math.round(s * 100)}%`);

function stepLine(s: PlanStep): string {
  return `${s.order}. ${s.title} (${where(s.where)}): ${usd(s.saving_usd_month)}/month, ${s.confidence} confidence, ${s.risk} risk — ${s.do}`;
}

type Part = Omit<Answer, 'text'>;

function greeting(): Part {
  return {
    lead: 'Hi, I analyse your team’s LLM calls and tell you where to cut cost and latency, with every figure taken from your own telemetry.',
    table: null,
    chart: null,
    actions: EXAMPLE_QUESTIONS.map((q) => `Try: “${q}”`),
  };
}

function sendData(): Part {
  return {
    lead: 'Send each LLM call to POST /api/ingest/calls with an ingest API key (a JSON array or NDJSON), or import a usage export with POST /api/ingest/import.',
    table: table(
      ['path', 'for'],
      [
        ['POST /api/ingest/calls', 'JSON array or NDJSON batches from your code'],
        ['POST /api/ingest/import', 'CSV/JSONL files: OpenAI usage export, LiteLLM spend logs, Helicone export, BurstGPT, Azure, Mooncake traces'],
        ['POST /v1/traces (OTLP/HTTP JSON)', 'OpenTelemetry GenAI spans'],
        ['/v1/chat/completions gateway', 'route calls through Netra: every call is recorded'],
      ],
    ),
    chart: null,
    actions: ['```bash\n' + INGEST_SNIPPET + '\n```'],
  };
}

function catalog(req: AgentRequest, items: CatalogModel[]): Part {
  const need = req.catalog.min_context ? ` with at least ${req.catalog.min_context.toLocaleString('en-US')} tokens of context` : '';
  const top = items[0];
  const lead = top
    ? `The cheapest model${need} in the catalog is ${top.provider}/${top.id} at ${usd(top.input_per_m)} per million input tokens and ${usd(top.output_per_m)} per million output tokens.`
    : `No model${need} is in the catalog.`;
  return {
    lead,
    // tiers measured on a pinned benchmark (engine/catalog/capabilities.ts), never guessed from the name
    table: items.length
      ? table(
          ['model', 'context', '$/M input', '$/M output', 'tier', `score (${CAPABILITY_SOURCES.arena.date} Arena)`],
          items.map((m) => {
            const cap = capabilityOf(m);
            return [`${m.provider}/${m.id}`, m.context_window.toLocaleString('en-US'), usd(m.input_per_m), usd(m.output_per_m), cap.tier, cap.score === null ? '—' : String(Math.round(cap.score))];
          }),
        )
      : null,
    chart: items.length ? { kind: 'bar', title: 'Price per million output tokens', unit: 'USD', series: items.map((m) => ({ label: `${m.provider}/${m.id}`, value: m.output_per_m })) } : null,
    actions: [
      `Tiers and scores: ${CAPABILITY_SOURCES.arena.name}, ${CAPABILITY_SOURCES.arena.date} (${CAPABILITY_SOURCES.arena.url}); "unrated" models are not in that snapshot and are never proposed as stand-ins.`,
      ...(req.catalog.tool_use ? ['The catalog does not record tool-use support: check each provider’s documentation before choosing.'] : []),
    ],
  };
}

function compare(rows: CompareRow[], days: number | null): Part {
  const lead = rows.length
    ? `For your traffic${days ? ` over ${days.toFixed(1)} days` : ''}, ${rows.map((r) => `${r.provider}/${r.model} would cost ${usd(r.cost_usd_month)}/month`).join(' and ')} at list prices.`
    : 'None of the models named is in the catalog.';
  return {
    lead,
    table: rows.length ? table(['model', '$ over the window', '$/month'], rows.map((r) => [`${r.provider}/${r.model}`, usd(r.cost_usd), usd(r.cost_usd_month)])) : null,
    chart: rows.length ? { kind: 'bar', title: 'Your traffic priced per model', unit: 'USD/month', series: rows.map((r) => ({ label: `${r.provider}/${r.model}`, value: r.cost_usd_month })) } : null,
    actions: ['Quality differs between models: validate on your own evaluation set before routing traffic.'],
  };
}

const rated = (r: CapabilityRow) => (r.score === null ? `${r.provider}/${r.model} (unrated)` : `${r.provider}/${r.model} (${r.tier} tier, ${Math.round(r.score)})`);

/** What can be measured of "is the target good enough": tiers on the pinned benchmark, and whether its context holds the prompts. */
function fitText(f: WhatIfFit): string {
  const target = rated(f.target);
  const below = f.sources.filter((s) => !s.sufficient);
  const bench = f.benchmark ? ` on ${f.benchmark.name.split(' ')[0]} (${f.benchmark.date})` : '';
  const unrated = [f.target, ...below].filter((r) => r.score === null).map((r) => `${r.provider}/${r.model}`);
  const tiers =
    f.uncataloged.length
      ? `Capability cannot be compared: ${f.uncataloged.join(' and ')} ${f.uncataloged.length > 1 ? 'are' : 'is'} not in the catalog, so I cannot say the change keeps quality`
      : f.sources.length === 0
      ? `These calls already use ${target}`
      : unrated.length
        ? `Capability cannot be compared: ${unrated.join(' and ')} ${unrated.length > 1 ? 'are' : 'is'} not rated on a pinned benchmark, so I cannot say the change keeps quality`
        : below.length
          ? `By measured capability${bench}, ${target} is below ${below.map(rated).join(', ')}: quality may drop`
          : `By measured capability${bench}, ${target} is at the same or a higher tier than ${f.sources.map(rated).join(', ')}`;
  const context =
    f.p99_input_tokens === null
      ? ''
      : f.p99_input_tokens <= f.context_window
        ? `; its ${count(f.context_window)}-token context holds the largest p99 prompt moved (${count(f.p99_input_tokens)} tokens)`
        : `; its ${count(f.context_window)}-token context is smaller than the largest p99 prompt moved (${count(f.p99_input_tokens)} tokens)`;
  return `${tiers}${context}.`;
}

function whatIf(w: WhatIfOutput, req: AgentRequest): Part {
  if (w.skipped) return { lead: `I could not simulate that change: ${w.skipped}.`, table: null, chart: null, actions: [] };
  const scope = [...w.from.features.map((f) => `feature ${f}`), ...w.from.models, ...w.from.providers.map((p) => `the ${p} calls`)].join(' and ');
  const cost = `Moving ${shareWord(w.share)} of ${scope} (${w.calls.toLocaleString('en-US')} calls) to ${w.to!.provider}/${w.to!.model} would have cost ${usd(w.after_usd)} instead of ${usd(w.before_usd)} over the window, ${usd(w.saving_usd_month)}/month less (${w.saving_pct}%).`;
  const fit = w.fit ? fitText(w.fit) : null;
  // Asked whether the model is good enough (or told quality must not drop): what can be measured of it comes first.
  const qualityFirst = req.constraints.quality_must_not_drop && fit;
  return {
    lead: qualityFirst ? `${fit} ${cost}` : cost,
    table: table(['', 'over the window'], [['today', usd(w.before_usd)], ['after the change', usd(w.after_usd)]]),
    chart: { kind: 'bar', title: 'Cost before and after', unit: 'USD', series: [{ label: 'today', value: w.before_usd }, { label: 'after', value: w.after_usd }] },
    actions: [
      ...(fit && !qualityFirst ? [fit] : []),
      'A benchmark is not your traffic: try the change as a canary on a share of traffic first (a report’s plan becomes a gateway policy).',
    ],
  };
}

/** A per-call amount: cents hide what a policy changes per call ($0.000412). */
const perCallUsd = (n: number) => (Math.abs(n) >= 0.01 ? usd(n) : `${n < 0 ? '-' : ''}$${Math.abs(n).toFixed(6)}`);
const rate = (a: ArmSummary) => (a.error_rate === null ? '–' : `${Math.round(a.error_rate * 1000) / 10}%`);
const interval = (g: SavingsGroup) => (g.ci95_per_call_usd ? `${perCallUsd(g.ci95_per_call_usd[0])} to ${perCallUsd(g.ci95_per_call_usd[1])}` : '–');

/** "How much did the gateway save us?": the ledger's measured saving, then the control arm's verdict on it. */
function realized(l: LedgerSummary, req: AgentRequest): Part {
  const period = req.scope.window ? req.scope.window.phrase : l.first_at !== null ? `since ${day(l.first_at)}` : 'so far';
  const t = l.total;
  if (!t || t.treated.calls + t.control.calls === 0) {
    return {
      lead: `No call has gone through an active gateway policy ${period}, so there is no measured saving yet.`,
      table: null,
      chart: null,
      actions: [
        'Turn a report’s plan into a policy (POST /api/policies/from-report/{report_id}), activate it, and send calls through /v1/chat/completions with a gateway key.',
        'Each rule keeps a holdout (5 % by default) on the original behaviour, so what it saves is measured against a control, not estimated.',
      ],
    };
  }
  const verb = t.realized_savings_usd >= 0 ? `saved ${usd(t.realized_savings_usd)}` : `cost ${usd(-t.realized_savings_usd)} more`;
  const lead = `The gateway's policies ${verb} on ${count(t.treated.calls)} calls ${period}: what the requested models would have cost at catalog prices minus what was paid.`;
  let control: string;
  if (t.difference_per_call_usd === null || !t.ci95_per_call_usd) {
    control = `The control arm has ${count(t.control.calls)} calls: too few for an interval yet (each rule holds back 5 % by default).`;
  } else {
    const [lo, hi] = t.ci95_per_call_usd;
    const d = t.difference_per_call_usd;
    const verdict = lo <= 0 && hi >= 0 ? ' The interval includes 0: the difference is not significant yet, and more calls will narrow it.' : '';
    control = `Against the control arm (${count(t.control.calls)} calls kept on the original behaviour), a treated call cost ${perCallUsd(Math.abs(d))} ${d <= 0 ? 'less' : 'more'} (95% interval ${interval(t)} per call, treated − control).${verdict}`;
  }
  const health = `Errors: ${rate(t.treated)} treated vs ${rate(t.control)} control; mean latency ${ms(t.treated.mean_latency_ms === null ? null : Math.round(t.treated.mean_latency_ms))} vs ${ms(t.control.mean_latency_ms === null ? null : Math.round(t.control.mean_latency_ms))}.`;
  const features = l.by_feature.filter((g) => g.realized_savings_usd > 0).slice(0, 3);
  return {
    lead,
    table: table(
      ['rule', 'treated calls', 'control calls', 'saved', 'treated − control per call', '95% interval', 'errors treated / control'],
      l.by_rule.map((g) => [g.key, count(g.treated.calls), count(g.control.calls), usd(g.realized_savings_usd), g.difference_per_call_usd === null ? '–' : perCallUsd(g.difference_per_call_usd), interval(g), `${rate(g.treated)} / ${rate(g.control)}`]),
    ),
    chart: { kind: 'bar', title: 'Saved per rule', unit: 'USD', series: l.by_rule.map((g) => ({ label: g.key, value: g.realized_savings_usd })) },
    actions: [control, health, ...(features.length ? [`Most saved on: ${features.map((g) => `${g.key ? `feature ${g.key}` : 'calls that name no feature'} (${usd(g.realized_savings_usd)})`).join(', ')}.`] : [])],
  };
}

function spendChange(c: SpendChangeOutput, anomalies: Finding[]): Part {
  const dir = c.delta_usd >= 0 ? 'rose' : 'fell';
  const top = c.rows[0];
  const pct = c.delta_pct === null ? '' : ` ${Math.abs(c.delta_pct)}%`;
  const lead =
    `Spend ${dir}${pct} from ${usd(c.before_usd)} (${days(c.previous_window)}) to ${usd(c.after_usd)} (${days(c.window)})` +
    (top ? `, and the largest change is ${seg(top)} (${top.delta_usd >= 0 ? '+' : ''}${usd(top.delta_usd)}).` : '.');
  const actions = [
    `Of the ${usd(c.delta_usd)} change, ${usd(c.volume_usd)} comes from the number of calls (${c.before_calls.toLocaleString('en-US')} → ${c.after_calls.toLocaleString('en-US')}) and ${usd(c.per_call_usd)} from cost per call (price, tokens per call, model mix).`,
    ...anomalies.map((a) => `Anomaly: ${a.title} — ${a.summary}`),
  ];
  return {
    lead,
    table: table(['where', 'before', 'after', 'change', 'volume', 'per call'], c.rows.map((r) => [seg(r), usd(r.before_usd), usd(r.after_usd), usd(r.delta_usd), usd(r.volume_usd), usd(r.per_call_usd)])),
    chart: { kind: 'bar', title: 'Change of spend by segment', unit: 'USD', series: c.rows.map((r) => ({ label: seg(r), value: r.delta_usd })) },
    actions,
  };
}

/** A breakdown row as the answer names it: a segment, a feature (or the calls naming none), a model, a provider. */
const spendLabel = (r: SpendRow, by: SpendBreakdownOutput['by']): string =>
  by === 'feature' ? (r.feature ? `feature ${r.feature}` : 'calls that name no feature') : by === 'model' ? `${r.provider}/${r.model}` : by === 'provider' ? r.provider : seg(r);

const count = (n: number) => n.toLocaleString('en-US');
const perCall = (usdPerCall: number) => `$${usdPerCall}`;

/** "Why is doc-qa so expensive?": the one feature's spend, its share of all, and what a call of it costs and carries. */
function featureEconomics(b: SpendBreakdownOutput, feature: string): string {
  const tokens = (k: 'input_tokens' | 'output_tokens') => Math.round(b.rows.reduce((n, r) => n + r[k], 0) / Math.max(1, b.calls));
  const top = b.rows[0]!;
  return (
    `Feature ${feature} cost ${usd(b.cost_usd)} on ${count(b.calls)} calls over ${b.days.toFixed(1)} days (${usd(b.cost_usd_month)}/month, ${b.share_of_all_pct}% of all spend): ` +
    `${perCall(b.cost_per_call_usd)} per call, ${count(tokens('input_tokens'))} input and ${count(tokens('output_tokens'))} output tokens per call on average` +
    (b.rows.length > 1 ? `, ${top.share_pct}% of it on ${top.provider}/${top.model}.` : ` on ${top.provider}/${top.model}.`)
  );
}

function breakdown(b: SpendBreakdownOutput, req: AgentRequest): Part {
  const by = b.by ?? 'segment';
  const label = (r: SpendRow) => spendLabel(r, by);
  const named = namedScope(req);
  const top = b.rows[0];
  const features = [...new Set(b.rows.map((r) => r.feature))];
  const over = `${usd(b.cost_usd)} on ${count(b.calls)} calls over ${b.days.toFixed(1)} days (${usd(b.cost_usd_month)}/month)`;
  let lead: string;
  if (b.calls === 0 && named) lead = `No call of ${named} is in this window.`;
  else if (req.measure === 'run_rate') lead = `Your run-rate is ${usd(b.cost_usd_month)}/month${named ? ` for ${named}` : ''}: ${usd(b.cost_usd)} on ${count(b.calls)} calls over ${b.days.toFixed(1)} days` + (top ? `, the largest share ${label(top)} (${top.share_pct}%).` : '.');
  else if (req.measure === 'calls') lead = `You made ${count(b.calls)} calls${named ? ` of ${named}` : ''} over ${b.days.toFixed(1)} days, costing ${usd(b.cost_usd)} (${usd(b.cost_usd_month)}/month)` + (top ? `; the most went to ${label([...b.rows].sort((x, y) => y.calls - x.calls)[0]!)}.` : '.');
  else if (req.measure === 'tokens') {
    const most = [...b.rows].sort((x, y) => y.input_tokens + y.output_tokens - (x.input_tokens + x.output_tokens))[0];
    lead =
      `You used ${count(b.input_tokens + b.output_tokens)} tokens${named ? ` on ${named}` : ''} ${req.scope.window ? req.scope.window.phrase : `over ${b.days.toFixed(1)} days`}: ${count(b.input_tokens)} input and ${count(b.output_tokens)} output, on ${count(b.calls)} calls costing ${usd(b.cost_usd)}` +
      (most ? `; the most went to ${label(most)} (${count(most.input_tokens + most.output_tokens)}).` : '.');
  } else if (req.measure === 'per_call') {
    const dearest = b.rows.length > 1 ? [...b.rows].sort((x, y) => y.cost_per_call_usd - x.cost_per_call_usd)[0] : undefined;
    lead =
      `Your average call${named ? ` of ${named}` : ''} costs ${perCall(b.cost_per_call_usd)} (${usd(b.cost_usd)} over ${count(b.calls)} calls, ${count(Math.round((b.input_tokens + b.output_tokens) / Math.max(1, b.calls)))} tokens per call)` +
      (dearest ? `; the dearest per call is ${label(dearest)} at ${perCall(dearest.cost_per_call_usd)}.` : '.');
  } else if (by === 'segment' && req.scope.features.length === 1 && features.length === 1 && features[0] && top) lead = featureEconomics(b, features[0]);
  else if (by === 'feature' && top) {
    const topNamed = b.rows.find((r) => r.feature);
    lead = top.feature
      ? `Your costliest feature is ${top.feature}: ${usd(top.cost_usd)} (${top.share_pct}% of ${over}).`
      : `The largest share, ${usd(top.cost_usd)} (${top.share_pct}% of ${over}), is calls that name no feature${topNamed ? `; the costliest named feature is ${topNamed.feature} at ${usd(topNamed.cost_usd)} (${topNamed.share_pct}%)` : ''}.`;
  } else if ((by === 'model' || by === 'provider') && top) lead = `Your costliest ${by} is ${label(top)}: ${usd(top.cost_usd)} (${top.share_pct}% of ${over}).`;
  else lead = `You spent ${over}` + (top ? `, and the largest share is ${label(top)}: ${usd(top.cost_usd)} (${top.share_pct}%).` : '.');
  return {
    lead,
    table: b.rows.length
      ? req.measure === 'tokens'
        ? table([by === 'segment' ? 'where' : by, 'calls', 'input tokens', 'output tokens', 'spend'], b.rows.map((r) => [label(r), count(r.calls), count(r.input_tokens), count(r.output_tokens), usd(r.cost_usd)]))
        : table([by === 'segment' ? 'where' : by, 'calls', 'spend', 'share', 'per call'], b.rows.map((r) => [label(r), count(r.calls), usd(r.cost_usd), `${r.share_pct}%`, perCall(r.cost_per_call_usd)]))
      : null,
    chart: b.rows.length ? { kind: 'bar', title: `Spend by ${by}`, unit: 'USD', series: b.rows.map((r) => ({ label: label(r), value: r.cost_usd })) } : null,
    actions: [],
  };
}

function errorsAnswer(e: ErrorsOutput): Part {
  const t = e.total;
  if (t.error_calls === 0) return { lead: `None of the ${count(t.calls)} calls in this window failed.`, table: null, chart: null, actions: [] };
  const worst = e.rows[0]!;
  const label = (r: ErrorRow) => (r.feature === null ? `${r.provider}/${r.model}` : r.feature ? `feature ${r.feature}` : 'calls that name no feature');
  const lead =
    `${t.error_pct}% of ${count(t.calls)} calls failed (${count(t.error_calls)}: ${count(t.status_429_calls)} rate-limited with a 429, ${count(t.timeout_calls)} timed out, ${count(t.error_calls - t.status_429_calls - t.timeout_calls)} other errors)` +
    `; the highest error rate is ${label(worst)} at ${worst.error_pct}% (${count(worst.error_calls)} of ${count(worst.calls)})` +
    (e.billed_failed_calls > 0 ? `, and ${count(e.billed_failed_calls)} failed calls were still billed ${usd(e.billed_failed_usd)}.` : '.');
  return {
    lead,
    table: table([e.by, 'calls', 'failed', 'error rate', '429', 'time-outs'], e.rows.map((r) => [label(r), count(r.calls), count(r.error_calls), `${r.error_pct}%`, count(r.status_429_calls), count(r.timeout_calls)])),
    chart: { kind: 'bar', title: `Error rate by ${e.by}`, unit: '%', series: e.rows.map((r) => ({ label: label(r), value: r.error_pct })) },
    actions: e.findings.slice(0, 4).map((f) => `${f.title} (${where(f.where)}) — ${f.recommendation}`),
  };
}

/**
 * "Which feature costs the most, and what would cut it?": the plan's steps on the breakdown's top row (its
 * feature, or its model), or — when none touches it — that no saving was found there.
 */
function cutTopRow(b: SpendBreakdownOutput, plan: ActionPlan | null): string[] {
  const top = b.by === 'feature' ? b.rows.find((r) => r.feature) : b.rows[0];
  if (!top || !plan) return [];
  // rows of one feature only (a question about that feature): its steps on any model
  const oneFeature = b.by === 'segment' && top.feature !== '' && b.rows.every((r) => r.feature === top.feature);
  const by = oneFeature ? 'feature' : b.by;
  const name = spendLabel(top, by);
  const on = (s: PlanStep) =>
    by === 'feature' ? s.where.feature === top.feature
    : by === 'model' ? s.where.model === top.model && (!s.where.provider || s.where.provider === top.provider)
    : by === 'provider' ? s.where.provider === top.provider
    : s.where.feature === top.feature && s.where.model === top.model;
  const steps = plan.steps.filter(on);
  if (steps.length === 0) return [`No saving was found on ${name} in this window${plan.steps[0] ? `; the largest elsewhere: ${stepLine(plan.steps[0])}` : ''}.`];
  const total = Math.round(steps.reduce((n, s) => n + s.saving_usd_month, 0) * 100) / 100;
  return [`To cut ${name} (up to ${usd(total)}/month before overlaps):`, ...steps.slice(0, 3).map(stepLine)];
}

function leverAnswer(l: LeverOutput, req: AgentRequest): Part {
  const top = l.findings[0];
  if (!top) {
    const names = l.checked.map((c) => c.tool.replace(/_/g, ' ')).join(', ');
    const scope = namedScope(req);
    return { lead: `No finding for ${names}${scope ? ` on ${scope}` : ''} in this window.`, table: null, chart: null, actions: l.checked.map((c) => `What ${c.tool.replace(/_/g, ' ')} checks: ${c.description}`) };
  }
  const worth = top.kind === 'saving' ? ` would save ${usd(top.saving_usd_month)}/month` : '';
  return {
    // the title often names its model already ("Prompt-cache hit rate of openai/gpt-4o")
    lead: `${top.title}${top.where.model && top.title.includes(top.where.model) && !top.where.feature ? '' : ` (${where(top.where)})`}${worth}: ${top.summary}`.replace(/([^.])$/, '$1.'),
    table: table(['what', 'where', '$/month', 'confidence', 'risk'], l.findings.map((f) => [f.title, where(f.where), f.kind === 'saving' ? usd(f.saving_usd_month) : '–', f.confidence, f.risk])),
    chart: l.findings.some((f) => f.kind === 'saving') ? { kind: 'bar', title: 'Savings per finding', unit: 'USD/month', series: l.findings.filter((f) => f.kind === 'saving').map((f) => ({ label: f.title, value: f.saving_usd_month })) } : null,
    actions: l.findings.slice(0, 3).map((f) => `${f.title}: ${f.recommendation}`),
  };
}

function wasteAnswer(w: WasteOutput): Part {
  const pct = (n: number) => `${Math.round((n / Math.max(1, w.calls)) * 1000) / 10}%`;
  if (w.exact_dup_calls + w.near_dup_calls + w.retry_calls + w.billed_failed_calls === 0) {
    return { lead: `No duplicate or retry waste in this window: none of the ${w.calls.toLocaleString('en-US')} calls repeated a prompt, was a retry or was billed after failing.`, table: null, chart: null, actions: [] };
  }
  const parts = [
    w.exact_dup_calls > 0
      ? `${w.exact_dup_calls.toLocaleString('en-US')} of ${w.calls.toLocaleString('en-US')} calls (${pct(w.exact_dup_calls)}) repeated a prompt answered in the previous 24 h, costing ${usd(w.exact_dup_usd)} (${usd(w.exact_dup_usd_month)}/month)`
      : `None of the ${w.calls.toLocaleString('en-US')} calls repeated a prompt answered in the previous 24 h`,
    w.retry_calls > 0
      ? `${w.retry_calls.toLocaleString('en-US')} were retries (${w.fast_retry_after_429_calls.toLocaleString('en-US')} sent less than 1 s after a 429${w.storm_minutes > 0 ? `, in ${w.storm_minutes.toLocaleString('en-US')} storm minutes with ${w.storm_429_calls.toLocaleString('en-US')} rate-limited calls` : ''})`
      : 'no call was a retry',
    ...(w.billed_failed_calls > 0 ? [`${w.billed_failed_calls.toLocaleString('en-US')} failed calls were billed ${usd(w.billed_failed_usd)} (${usd(w.billed_failed_usd_month)}/month)`] : []),
    ...(w.near_dup_calls > 0 ? [`${w.near_dup_calls.toLocaleString('en-US')} more differed from an earlier prompt only in its last block`] : []),
  ];
  const lead = `${parts.slice(0, -1).join('; ')}${parts.length > 1 ? ' and ' : ''}${parts.at(-1)}.`;
  return {
    lead,
    table: w.rows.length
      ? table(
          ['where', 'calls', 'repeated prompts', 'their cost', 'near repeats', 'retries', 'retries < 1 s after a 429', 'billed failures'],
          w.rows.map((r) => [seg(r), r.calls.toLocaleString('en-US'), r.exact_dup_calls.toLocaleString('en-US'), usd(r.exact_dup_usd), r.near_dup_calls.toLocaleString('en-US'), r.retry_calls.toLocaleString('en-US'), r.fast_retry_after_429_calls.toLocaleString('en-US'), `${r.billed_failed_calls.toLocaleString('en-US')} (${usd(r.billed_failed_usd)})`]),
        )
      : null,
    chart: w.rows.length ? { kind: 'bar', title: 'Money spent on repeated prompts and billed failures', unit: 'USD', series: w.rows.map((r) => ({ label: seg(r), value: Math.round((r.exact_dup_usd + r.billed_failed_usd) * 100) / 100 })) } : null,
    actions: w.findings.slice(0, 4).map((f) => `${f.title} (${where(f.where)})${f.kind === 'saving' ? `: ${usd(f.saving_usd_month)}/month` : ''} — ${f.recommendation}`),
  };
}

function userSpend(u: UserSpendOutput): Part {
  const named = u.rows.map((r) => `User ${r.user} spent ${usd(r.cost_usd)} on ${r.calls.toLocaleString('en-US')} calls over ${u.days.toFixed(1)} days (${r.share_pct}% of spend).`);
  const missing = u.missing.map((m) =>
    u.unlisted_max_usd !== null ? `User ${m} is not among your ${u.listed} costliest users, so ${m} spent at most ${usd(u.unlisted_max_usd)} over the window.` : `No call of user ${m} is in this window.`,
  );
  const top = u.rows[0];
  const lead =
    u.user_calls === 0
      ? 'None of the calls in this window names an end user, so spend per user cannot be shown: send `user` with each call (or the x-netra-user header through the gateway).'
      : u.asked.length > 0
        ? [...named, ...missing].join(' ')
        : `Your costliest user is ${top!.user}: ${usd(top!.cost_usd)} on ${top!.calls.toLocaleString('en-US')} calls (${top!.share_pct}% of spend) over ${u.days.toFixed(1)} days, of ${u.users.toLocaleString('en-US')} users.`;
  return {
    lead,
    table: u.rows.length ? table(['user', 'calls', 'spend', 'share'], u.rows.map((r) => [r.user, r.calls.toLocaleString('en-US'), usd(r.cost_usd), `${r.share_pct}%`])) : null,
    chart: u.rows.length ? { kind: 'bar', title: 'Spend by user', unit: 'USD', series: u.rows.map((r) => ({ label: r.user, value: r.cost_usd })) } : null,
    actions: u.user_calls > 0 && u.user_calls < u.calls ? [`${(u.calls - u.user_calls).toLocaleString('en-US')} of ${u.calls.toLocaleString('en-US')} calls name no user and are not in these figures.`] : [],
  };
}

export const latencyEffect = (effect: number | null): string =>
  effect === null ? 'latency effect not estimated' : effect < 0 ? `${ms(-effect)} faster per affected call` : `${ms(effect)} slower per affected call`;

/** The scope as the tools resolved it (the user's "support chat" is the feature support-bot in the rows). */
const scopeLabel = (rows: LatencyRow[], req: AgentRequest): string => {
  const features = [...new Set(rows.map((r) => r.feature).filter((f): f is string => !!f))];
  return req.scope.features.length > 0 && features.length > 0 ? features.map((f) => `feature ${f}`).join(', ') : namedScope(req) || 'these calls';
};

/** The features and models the request names, in its words ("feature teleport, gpt-4o"), or ''. */
const namedScope = (req: AgentRequest): string =>
  [
    ...req.scope.features.map((f) => `feature ${f}`),
    ...req.scope.models,
    ...req.scope.providers.map((p) => `${p} calls`),
    ...req.scope.exclude_features.map((f) => `all but feature ${f}`),
    ...req.scope.exclude_providers.map((p) => `all but ${p} calls`),
  ].join(', ');

/** "Is our p99 latency getting worse?": the percentile now against the period before, the largest change first; the levers stay. */
function latencyTrend(c: LatencyChangeOutput, current: Part): Part {
  const k = c.percentile;
  const periods = `${days(c.window)} against ${days(c.previous_window)}`;
  const label = (r: LatencyChangeRow) => seg({ feature: r.feature, provider: r.provider, model: r.model });
  const top = c.rows[0];
  const signed = (r: LatencyChangeRow) => `${r.delta_ms >= 0 ? '+' : '−'}${Math.abs(r.delta_pct)}%`;
  const lead = !top
    ? `No model has calls with a latency in both periods (${periods}), so there is no ${k} trend to compare; the current figures follow.`
    : `${k} latency rose on ${count(c.rose)} of ${count(c.compared)} models and fell on ${count(c.fell)} (${periods}); the largest change is ${label(top)}: ${ms(top.before_ms)} → ${ms(top.after_ms)} (${signed(top)}).`;
  return {
    lead,
    table: top ? table(['where', `${k} before`, `${k} now`, 'change', 'calls before', 'calls now'], c.rows.map((r) => [label(r), ms(r.before_ms), ms(r.after_ms), signed(r), count(r.before_calls), count(r.after_calls)])) : current.table,
    chart: top ? { kind: 'bar', title: `Change of ${k} latency`, unit: '%', series: c.rows.map((r) => ({ label: label(r), value: r.delta_pct })) } : current.chart,
    actions: [...(top ? [`Now: ${current.lead}`] : []), ...current.actions],
  };
}

function latency(rows: LatencyRow[], plan: ActionPlan | null, req: AgentRequest): Part {
  const levers = plan?.steps ?? [];
  const top = rows[0];
  const figures = top ? ` (p50 ${ms(top.latency_ms.p50)}, p99 ${ms(top.latency_ms.p99)}${top.ttft_ms.count > 0 ? `, time to first token p95 ${ms(top.ttft_ms.p95)}` : ''})` : '';
  const lead = !top
    ? 'No call in this scope carries a latency, so there are no percentiles to show.'
    : rows.length === 1
      ? `The p95 latency of ${seg(top)} is ${ms(top.latency_ms.p95)}${figures}.`
      : `The slowest at p95 is ${seg(top)} at ${ms(top.latency_ms.p95)}${figures}.`;
  const target = req.targets.p95_ms;
  const over = target === null ? [] : rows.filter((r) => (r.latency_ms.p95 ?? 0) > target);
  return {
    lead,
    table: rows.length
      ? table(['where', 'calls', 'p50', 'p95', 'p99', 'TTFT p50', 'TTFT p95'], rows.map((r) => [seg(r), r.calls.toLocaleString('en-US'), ms(r.latency_ms.p50), ms(r.latency_ms.p95), ms(r.latency_ms.p99), ms(r.ttft_ms.p50), ms(r.ttft_ms.p95)]))
      : null,
    chart: rows.length ? { kind: 'bar', title: 'Latency p95', unit: 'ms', series: rows.map((r) => ({ label: seg(r), value: r.latency_ms.p95 ?? 0 })) } : null,
    actions: [
      ...(target !== null ? [`${over.length} of ${rows.length} rows are above the ${ms(target)} p95 target.`] : []),
      ...(levers.length === 0 && rows.length > 0 ? [`No latency lever was found for ${scopeLabel(rows, req)} in this window.`] : []),
      ...levers.map((s) => `${s.order}. ${s.title} (${where(s.where)}): ${latencyEffect(s.latency_effect_ms)}${s.saving_usd_month > 0 ? `, ${usd(s.saving_usd_month)}/month` : ''} — ${s.do}`),
      ...(plan?.excluded.length ? [`Left out by your constraints: ${plan.excluded.slice(0, 3).map((e) => `${e.title} (${e.reason})`).join('; ')}.`] : []),
    ],
  };
}

function caching(found: Finding[]): Part {
  const total = Math.round(found.reduce((s, f) => s + f.saving_usd_month, 0) * 100) / 100;
  const top = found[0];
  return {
    lead: top ? `Caching could save up to ${usd(total)}/month, and the largest is ${top.title} (${where(top.where)}): ${usd(top.saving_usd_month)}/month.` : 'No caching saving was found in this window.',
    table: found.length ? table(['what', 'where', '$/month', 'confidence', 'risk'], found.slice(0, 10).map((f) => [f.title, where(f.where), usd(f.saving_usd_month), f.confidence, f.risk])) : null,
    chart: found.length ? { kind: 'bar', title: 'Caching savings', unit: 'USD/month', series: found.slice(0, 10).map((f) => ({ label: f.title, value: f.saving_usd_month })) } : null,
    actions: found.slice(0, 3).map((f) => `${f.title}: ${f.recommendation}`),
  };
}

function cutCost(o: OptimizerOutput, plan: ActionPlan | null, req: AgentRequest): Part {
  const named = namedScope(req);
  if (o.scope_cost_nanousd === 0 && named) return { lead: `No call of ${named} is in this window, so there is nothing of it to cut.`, table: null, chart: null, actions: [] };
  const savings = o.findings.filter((f) => f.kind === 'saving' && f.saving_nanousd > 0);
  const steps = plan?.steps ?? [];
  const first = steps[0];
  const found = `Found ${savings.length} saving${savings.length === 1 ? '' : 's'} worth ${usd(o.combined.saving_usd_month)}/month combined (${o.combined.saving_pct}% of ${usd(o.cost_usd_month)}/month of spend)`;
  let lead = found;
  // within a budget: that first ("are we on track for our $400 budget?"), then what more could be saved
  if (plan?.target_from === 'budget' && plan.budget && plan.target_pct === 0)
    lead = `At ${usd(plan.budget.spend_usd_month)}/month you are already within the ${usd(plan.budget.usd_month)}/month budget; ${found.charAt(0).toLowerCase()}${found.slice(1)}`;
  else if (plan?.target_pct != null) {
    const goal = plan.target_from === 'budget' && plan.budget ? `the ${usd(plan.budget.usd_month)}/month budget (a ${plan.target_pct}% cut)` : `the ${plan.target_pct}% target`;
    lead += `, and the plan's ${steps.length} step${steps.length === 1 ? '' : 's'} ${plan.meets_target ? (steps.length === 1 ? 'reaches' : 'reach') : steps.length === 1 ? 'falls short of' : 'fall short of'} ${goal} at ${steps.at(-1)?.cumulative_pct ?? 0}%`;
  }
  else if (first) lead += `, led by ${first.title} at ${usd(first.saving_usd_month)}/month`;
  lead += '.';
  return {
    lead,
    table: steps.length ? table(['#', 'step', 'where', '$/month', 'cumulative', 'confidence', 'risk'], steps.map((s) => [s.order, s.title, where(s.where), usd(s.saving_usd_month), `${s.cumulative_pct}%`, s.confidence, s.risk])) : null,
    chart: steps.length ? { kind: 'bar', title: 'Savings per step', unit: 'USD/month', series: steps.map((s) => ({ label: s.title, value: s.saving_usd_month })) } : null,
    actions: [...steps.slice(0, 3).map(stepLine), ...(plan?.excluded.length ? [`Left out by your constraints: ${plan.excluded.slice(0, 3).map((e) => `${e.title} (${e.reason})`).join('; ')}.`] : [])],
  };
}

function applyStep(req: AgentRequest, previousSteps: PlanStep[]): Part {
  const s = req.step !== null ? previousSteps[req.step - 1] : undefined;
  if (!s) return { lead: `The previous answer has no step ${req.step ?? ''}; ask for a plan first (“cut our costs by 30%”).`.replace(' .', '.'), table: null, chart: null, actions: [] };
  const worth = [s.saving_usd_month > 0 ? `${usd(s.saving_usd_month)}/month` : null, s.latency_effect_ms !== null ? latencyEffect(s.latency_effect_ms) : null].filter(Boolean).join(' and ');
  return { lead: `Step ${s.order} is ${s.title} (${where(s.where)})${worth ? `, worth ${worth}` : ''}.`, table: null, chart: null, actions: [`To apply it: ${s.do}`, 'Turn the report’s plan into a gateway policy to enforce it and simulate it over past traffic first.'] };
}

export function composeAnswer(req: AgentRequest, out: ToolOutputs, plan: ActionPlan | null, previousSteps: PlanStep[] = []): Answer {
  const intent = req.intents[0]!;
  let part: Part;
  switch (intent) {
    case 'greeting':
      part = req.thanks ? { lead: 'You’re welcome. Ask me anything else about your LLM spend, latency or failures.', table: null, chart: null, actions: [] } : greeting();
      break;
    case 'send_data':
      part = sendData();
      break;
    case 'catalog':
      part = catalog(req, out.catalog_search ?? []);
      break;
    case 'compare_models':
      part = out.compare_models ? compare(out.compare_models, out.spend_breakdown?.days ?? null) : breakdown(out.spend_breakdown!, req);
      break;
    case 'what_if':
      part = whatIf(out.what_if!, req);
      break;
    case 'spend_change':
      part = spendChange(out.spend_change!, out.cost_anomalies ?? []);
      break;
    case 'user_spend':
      part = userSpend(out.user_spend!);
      break;
    case 'spend_breakdown':
      part = breakdown(out.spend_breakdown!, req);
      // "… and what would cut it?": the plan's steps on the top row.
      if (req.intents.includes('cut_cost')) part = { ...part, actions: [...part.actions, ...cutTopRow(out.spend_breakdown!, plan)] };
      break;
    case 'waste':
      part = wasteAnswer(out.waste!);
      break;
    case 'errors':
      part = errorsAnswer(out.error_rates!);
      break;
    case 'realized':
      part = realized(out.realized_savings!, req);
      break;
    case 'lever':
      part = out.levers
        ? leverAnswer(out.levers, req)
        : { lead: 'Name the lever to check: the batch API, streaming, time-outs, max_tokens caps, prompt length, fallbacks or quotas.', table: null, chart: null, actions: [] };
      break;
    case 'latency':
      part = latency(out.latency_table ?? [], plan, req);
      if (out.latency_change) part = latencyTrend(out.latency_change, part);
      break;
    case 'caching':
      part = caching(out.cache_tools ?? []);
      break;
    case 'cut_cost':
      part = cutCost(out.optimizer!, plan, req);
      break;
    case 'apply_step':
      part = applyStep(req, previousSteps);
      break;
  }
  const text = [part.lead, part.table, part.actions.length ? part.actions.join('\n') : null].filter(Boolean).join('\n\n');
  return { ...part, text };
}

/** The first sentence of an answer (up to the first full stop followed by a space or the end). */
export function firstSentence(text: string): string {
  const m = /^[\s\S]*?\.(?=\s|$)/.exec(text);
  return (m ? m[0] : text).trim();
}

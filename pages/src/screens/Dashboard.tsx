// Dashboard: summary cards, a time series, a breakdown, latency percentiles and the optimizer's findings.
// Each panel loads on its own, so one failing endpoint never blanks the others.
import { Fragment, useMemo, useState } from 'react';
import { api, type Page } from '../api';
import { BarChart, LineChart } from '../charts';
import { compact, int, isNum, ms, num, pct, usd } from '../format';
import { Badge, Empty, ErrorBox, JsonBlock, NoTelemetry, Spinner, useAsync, type Async } from '../ui';
import { RealizedSavingsCard } from './RealizedSavings';

const RANGES = [
  { id: '24h', label: '24 hours', ms: 86_400_000 },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000 },
  { id: '90d', label: '90 days', ms: 90 * 86_400_000 },
  // No window: everything the org has sent (an imported trace may be months old).
  { id: 'all', label: 'All data', ms: null },
] as const;
type RangeId = (typeof RANGES)[number]['id'];
type Metric = 'cost' | 'calls' | 'tokens';
type By = 'model' | 'provider' | 'feature' | 'user';

interface Summary {
  calls?: number | string;
  input_tokens?: number | string;
  output_tokens?: number | string;
  cost_usd?: number | string;
  error_rate?: number | string;
  [k: string]: unknown;
}
interface BreakdownRow {
  /** The brief's contract says `key`; the Worker sends `name`. */
  key?: string | null;
  name?: string | null;
  calls?: number | string;
  cost_usd?: number | string;
  input_tokens?: number | string;
  output_tokens?: number | string;
}
interface LatencyRow {
  model: string;
  [k: string]: unknown;
}
interface Finding {
  tool: string;
  family?: string;
  kind?: string;
  title: string;
  summary?: string;
  where?: Record<string, unknown>;
  saving_usd_month?: number;
  saving_pct?: number;
  confidence?: string;
  risk?: string;
  recommendation?: string;
  evidence?: unknown;
  calls_affected?: number;
}
interface Findings {
  findings?: Finding[];
  totals?: Record<string, unknown> | null;
  combined_saving?: unknown;
  window?: { from?: string; to?: string; days?: number } | null;
  message?: string;
}
type Series = { items?: { bucket: string; value: number | string }[]; points?: { t: string; value: number | string }[] };

function rangeOf(id: RangeId, now: number) {
  const r = RANGES.find((x) => x.id === id)!;
  if (r.ms === null) return { from: undefined, to: undefined, bucket: 'day' } as const;
  return { from: new Date(now - r.ms).toISOString(), to: new Date(now).toISOString(), bucket: r.ms <= 2 * 86_400_000 ? 'hour' : 'day' } as const;
}

export function Dashboard() {
  const [rangeId, setRangeId] = useState<RangeId>('30d');
  const [now, setNow] = useState(() => Date.now());
  const range = useMemo(() => rangeOf(rangeId, now), [rangeId, now]);
  const q = { from: range.from, to: range.to };

  const summary = useAsync((signal) => api.get<Summary>('/api/analytics/summary', q, signal), [range]);
  const noData = summary.data !== undefined && (num(summary.data.calls) ?? 0) === 0;

  return (
    <div className="page">
      <header className="page-head">
        <h1>Dashboard</h1>
        <div className="row">
          <div className="segmented" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button key={r.id} type="button" className={r.id === rangeId ? 'active' : ''} aria-pressed={r.id === rangeId} onClick={() => setRangeId(r.id)}>
                {r.label}
              </button>
            ))}
          </div>
          <button type="button" className="btn small" onClick={() => setNow(Date.now())} title="Reload">
            ↻ Refresh
          </button>
        </div>
      </header>

      <SummaryCards state={summary} />
      <RealizedSavingsCard />
      {noData ? (
        <NoTelemetry />
      ) : (
        <>
          <FindingsPanel q={q} range={range} />
          <div className="grid-2">
            <TimeseriesPanel q={q} bucket={range.bucket} range={range} />
            <BreakdownPanel q={q} range={range} />
          </div>
          <LatencyPanel q={q} range={range} />
        </>
      )}
    </div>
  );
}

function SummaryCards({ state }: { state: Async<Summary> }) {
  const s = state.data;
  const cards: { label: string; value: string; hint?: string }[] = [
    { label: 'Spend', value: usd(s?.cost_usd) },
    { label: 'Calls', value: compact(s?.calls) },
    { label: 'Input tokens', value: compact(s?.input_tokens) },
    { label: 'Output tokens', value: compact(s?.output_tokens) },
    { label: 'Error rate', value: pct(s?.error_rate) },
  ];
  if (s) {
    const extra: [string, string, (v: unknown) => string][] = [
      ['latency_p50_ms', 'p50 latency', ms],
      ['latency_p95_ms', 'p95 latency', ms],
      ['p95_latency_ms', 'p95 latency', ms],
      ['cached_input_tokens', 'Cached input tokens', compact],
      ['avg_cost_per_call_usd', 'Avg cost / call', (v) => usd(v, { precise: true })],
    ];
    for (const [k, label, f] of extra)
      if (s[k] !== undefined && s[k] !== null && !cards.some((c) => c.label === label)) cards.push({ label, value: f(s[k]) });
    const unpriced = num(s.unpriced_calls);
    if (unpriced) cards.push({ label: 'Unpriced calls', value: int(unpriced), hint: 'calls whose model is not in the price catalog; their cost is not included' });
  }
  return (
    <section aria-label="Summary">
      <ErrorBox title="Summary" error={state.error} onRetry={state.reload} />
      <div className={`cards ${state.loading ? 'loading' : ''}`} aria-busy={state.loading}>
        {cards.map((c) => (
          <div key={c.label} className="card stat" title={c.hint}>
            <div className="stat-label">{c.label}</div>
            <div className="stat-value">{state.loading && !s ? '…' : c.value}</div>
          </div>
        ))}
      </div>
    </section>
  );
}

type Q = { from?: string; to?: string };
type R = ReturnType<typeof rangeOf>;

function TimeseriesPanel({ q, bucket, range }: { q: Q; bucket: 'hour' | 'day'; range: R }) {
  const [metric, setMetric] = useState<Metric>('cost');
  const ts = useAsync(
    (signal) => api.get<Series>('/api/analytics/timeseries', { ...q, bucket, metric }, signal),
    [range, metric],
  );
  const points = useMemo(
    () =>
      [...(ts.data?.items ?? []).map((p) => ({ t: p.bucket, value: p.value })), ...(ts.data?.points ?? [])]
        .map((p) => ({ t: Date.parse(p.t), y: num(p.value) ?? 0 }))
        .filter((p) => Number.isFinite(p.t)),
    [ts.data],
  );
  const formatY = metric === 'cost' ? (v: number) => usd(v) : (v: number) => compact(v);
  const formatX = (t: number) =>
    new Date(t).toLocaleString(undefined, bucket === 'hour' ? { hour: '2-digit', minute: '2-digit', day: 'numeric' } : { month: 'short', day: 'numeric' });
  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Over time</h2>
        <div className="segmented small" role="group" aria-label="Metric">
          {(['cost', 'calls', 'tokens'] as const).map((m) => (
            <button key={m} type="button" className={m === metric ? 'active' : ''} onClick={() => setMetric(m)}>
              {m}
            </button>
          ))}
        </div>
      </div>
      <ErrorBox error={ts.error} onRetry={ts.reload} />
      {ts.loading && !ts.data ? <Spinner /> : !ts.error && <LineChart points={points} formatY={formatY} formatX={formatX} label={`${metric} per ${bucket}`} />}
    </section>
  );
}

function BreakdownPanel({ q, range }: { q: Q; range: R }) {
  const [by, setBy] = useState<By>('model');
  const [measure, setMeasure] = useState<'cost_usd' | 'calls'>('cost_usd');
  const bd = useAsync((signal) => api.get<Page<BreakdownRow>>('/api/analytics/breakdown', { ...q, by }, signal), [range, by]);
  const rows = bd.data?.items ?? [];
  const bars = rows
    .map((r) => ({
      label: (r.key ?? r.name) || '(not set)',
      value: num(r[measure]) ?? 0,
      note: `${int(r.calls)} calls · ${compact(num(r.input_tokens) ?? 0)} in / ${compact(num(r.output_tokens) ?? 0)} out tokens`,
    }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 12);
  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Breakdown</h2>
        <div className="row">
          <select value={by} onChange={(e) => setBy(e.target.value as By)} aria-label="Group by">
            <option value="model">by model</option>
            <option value="provider">by provider</option>
            <option value="feature">by feature</option>
            <option value="user">by user</option>
          </select>
          <select value={measure} onChange={(e) => setMeasure(e.target.value as 'cost_usd' | 'calls')} aria-label="Measure">
            <option value="cost_usd">cost</option>
            <option value="calls">calls</option>
          </select>
        </div>
      </div>
      <ErrorBox error={bd.error} onRetry={bd.reload} />
      {bd.loading && !bd.data ? (
        <Spinner />
      ) : (
        !bd.error && <BarChart bars={bars} formatValue={measure === 'cost_usd' ? (v) => usd(v) : (v) => compact(v)} label={`Breakdown by ${by}`} />
      )}
      {rows.length > 12 && <p className="muted small">Top 12 of {rows.length}.</p>}
    </section>
  );
}

function LatencyPanel({ q, range }: { q: Q; range: R }) {
  const lat = useAsync((signal) => api.get<Page<LatencyRow>>('/api/analytics/latency', q, signal), [range]);
  const rows = (lat.data?.items ?? []).map(flattenLatency);
  const cols = [
    ['calls', 'Calls'],
    ['p50', 'p50'],
    ['p95', 'p95'],
    ['p99', 'p99'],
    ['ttft_p50', 'TTFT p50'],
    ['ttft_p95', 'TTFT p95'],
  ] as const;
  const shown = cols.filter(([k]) => k !== 'calls' || rows.some((r) => r[k] !== undefined));
  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Latency by model</h2>
      </div>
      <ErrorBox error={lat.error} onRetry={lat.reload} />
      {lat.loading && !lat.data ? (
        <Spinner />
      ) : rows.length === 0 ? (
        !lat.error && <p className="muted">No latency data in this period (send <code>latency_ms</code> and <code>ttft_ms</code> with your calls).</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Model</th>
                {shown.map(([k, label]) => (
                  <th key={k} className="num">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.model}-${i}`}>
                  <td>
                    <code>{r.model}</code>
                    {typeof r.provider === 'string' && r.provider && <span className="muted small"> · {r.provider}</span>}
                  </td>
                  {shown.map(([k]) => (
                    <td key={k} className="num">
                      {k === 'calls' ? int(r[k]) : ms(r[k])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Accepts flat `{p50, p95, p99, ttft_p50…}` rows and nested `{latency_ms:{p50…}, ttft_ms:{p50…}}` ones. */
function flattenLatency(r: LatencyRow): LatencyRow {
  const out: LatencyRow = { ...r };
  const nest = (obj: unknown, prefix: string) => {
    if (obj && typeof obj === 'object')
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) if (out[prefix + k] === undefined) out[prefix + k] = v;
  };
  nest(r.latency_ms, '');
  nest(r.ttft_ms, 'ttft_');
  return out;
}

const LEVEL_KIND: Record<string, string> = { low: 'ok', medium: 'warn', high: 'bad' };
const CONFIDENCE_KIND: Record<string, string> = { low: 'bad', medium: 'warn', high: 'ok' };

/**
 * The non-overlapping saving per month. Accepts a plain number, `{saving_usd_month, saving_pct}`, or the
 * engine's `{combined_saving_nanousd}` over the analysed window (scaled to 30 days with `window.days`).
 */
function combinedSaving(data: Findings | undefined): { usd: number | null; pct: number | null } {
  const c = data?.combined_saving;
  if (isNum(c)) return { usd: c, pct: null };
  if (c && typeof c === 'object') {
    const o = c as Record<string, unknown>;
    const direct = num(o.saving_usd_month ?? o.usd_month);
    if (direct !== null) return { usd: direct, pct: num(o.saving_pct ?? o.pct) };
    const nano = num(o.combined_saving_nanousd);
    const days = num(data?.window?.days);
    if (nano !== null && days !== null && days > 0) {
      const spent = num(data?.totals?.cost_usd);
      return { usd: (nano / 1e9) * (30 / days), pct: spent ? (nano / 1e9 / spent) * 100 : null };
    }
  }
  return { usd: null, pct: null };
}

function FindingsPanel({ q, range }: { q: Q; range: R }) {
  const f = useAsync((signal) => api.get<Findings>('/api/analysis/findings', q, signal), [range]);
  const [open, setOpen] = useState<number | null>(null);
  const [showInsights, setShowInsights] = useState(false);
  const all = useMemo(() => [...(f.data?.findings ?? [])].sort((a, b) => (num(b.saving_usd_month) ?? 0) - (num(a.saving_usd_month) ?? 0)), [f.data]);
  const savings = all.filter((x) => x.kind === undefined || x.kind === 'saving');
  const others = all.filter((x) => x.kind !== undefined && x.kind !== 'saving');
  const list = showInsights ? all : savings;
  const combined = combinedSaving(f.data);
  const naive = savings.reduce((s, x) => s + (num(x.saving_usd_month) ?? 0), 0);

  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Optimization findings</h2>
        {others.length > 0 && (
          <label className="check">
            <input type="checkbox" checked={showInsights} onChange={(e) => setShowInsights(e.target.checked)} />
            show {others.length} insight{others.length === 1 ? '' : 's'} / data-quality notes
          </label>
        )}
      </div>
      <ErrorBox error={f.error} onRetry={f.reload} />
      {f.loading && !f.data && <Spinner label="Running the optimizer tools…" />}
      {f.data && savings.length > 0 && (
        <div className="saving-banner">
          <div>
            <div className="stat-label">Combined saving (non-overlapping)</div>
            <div className="stat-value accent">
              {combined.usd !== null ? usd(combined.usd) : usd(naive)}
              <span className="unit">/month</span>
            </div>
            {combined.pct !== null && <div className="muted small">{pct(combined.pct, true)} of spend</div>}
          </div>
          <div className="muted small">
            {savings.length} saving finding{savings.length === 1 ? '' : 's'}
            {combined.usd === null && savings.length > 1 && ' · sum of individual savings; some may overlap'}
          </div>
        </div>
      )}
      {f.data && list.length === 0 && (
        <Empty title={f.data.message ? 'Nothing to analyze in this period' : 'No savings found in this period'}>
          <p className="muted">
            {f.data.message ?? 'Either the workload is already lean or there is too little data; try a longer range, or ask the agent in Chat.'}
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table findings">
            <thead>
              <tr>
                <th>Finding</th>
                <th>Where</th>
                <th className="num">Saving / month</th>
                <th className="num">% of spend</th>
                <th>Confidence</th>
                <th>Risk</th>
              </tr>
            </thead>
            <tbody>
              {list.map((x, i) => (
                <Fragment key={`${x.tool}-${i}`}>
                  <tr className={`clickable ${open === i ? 'open' : ''}`} onClick={() => setOpen(open === i ? null : i)}>
                    <td>
                      <button type="button" className="linkish" aria-expanded={open === i} aria-label={`${open === i ? 'Hide' : 'Show'} details of ${x.title}`}>
                        {open === i ? '▾' : '▸'}
                      </button>{' '}
                      <strong>{x.title}</strong>
                      <div className="muted small">
                        {x.family && <Badge>{x.family}</Badge>} <code>{x.tool}</code>
                        {x.kind && x.kind !== 'saving' && <Badge kind="warn">{x.kind.replace('_', ' ')}</Badge>}
                      </div>
                    </td>
                    <td className="small">{whereText(x.where)}</td>
                    <td className="num strong">{x.kind === 'saving' || x.kind === undefined ? usd(x.saving_usd_month) : '—'}</td>
                    <td className="num">{x.kind === 'saving' || x.kind === undefined ? pct(x.saving_pct, true) : '—'}</td>
                    <td>{x.confidence && <Badge kind={CONFIDENCE_KIND[x.confidence]}>{x.confidence}</Badge>}</td>
                    <td>{x.risk && <Badge kind={LEVEL_KIND[x.risk]}>{x.risk}</Badge>}</td>
                  </tr>
                  {open === i && (
                    <tr className="detail">
                      <td colSpan={6}>
                        {x.summary && <p>{x.summary}</p>}
                        {x.recommendation && (
                          <p>
                            <strong>Recommendation:</strong> {x.recommendation}
                          </p>
                        )}
                        {isNum(x.calls_affected) && <p className="muted small">{int(x.calls_affected)} calls affected</p>}
                        {x.evidence !== undefined && (
                          <details>
                            <summary>Evidence</summary>
                            <JsonBlock value={x.evidence} />
                          </details>
                        )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function whereText(where: Record<string, unknown> | undefined): string {
  if (!where) return '—';
  const parts = Object.entries(where)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' · ') : 'all calls';
}

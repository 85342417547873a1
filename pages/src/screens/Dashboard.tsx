// Dashboard: summary cards, a time series, a breakdown, latency percentiles and the optimizer's findings.
// Each panel loads on its own, so one failing endpoint never blanks the others.
import { Fragment, useMemo, useState } from 'react';
import { client, ok, type Body } from '../api';
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
const api = client.api;
type Metric = NonNullable<Parameters<typeof api.analytics.timeseries.$get>[0]['query']['metric']>;
type By = Parameters<typeof api.analytics.breakdown.$get>[0]['query']['by'];
type Summary = Body<typeof api.analytics.summary.$get>;
type LatencyRow = Body<typeof api.analytics.latency.$get>['items'][number];
type Findings = Body<typeof api.analysis.findings.$get>;

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

  const summary = useAsync((signal) => ok(api.analytics.summary.$get({ query: q }, { init: { signal } })), [range]);
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
    if (s.latency_p50_ms !== null) cards.push({ label: 'p50 latency', value: ms(s.latency_p50_ms) });
    if (s.latency_p95_ms !== null) cards.push({ label: 'p95 latency', value: ms(s.latency_p95_ms) });
    cards.push({ label: 'Cached input tokens', value: compact(s.cached_input_tokens) });
    if (s.calls > 0) cards.push({ label: 'Avg cost / call', value: usd(s.cost_usd / s.calls, { precise: true }) });
    const unpriced = s.unpriced_calls;
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
    (signal) => ok(api.analytics.timeseries.$get({ query: { ...q, bucket, metric } }, { init: { signal } })),
    [range, metric],
  );
  const points = useMemo(
    () =>
      (ts.data?.points ?? [])
        .map((p) => ({ t: Date.parse(p.t), y: p.value }))
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
  const bd = useAsync((signal) => ok(api.analytics.breakdown.$get({ query: { ...q, by } }, { init: { signal } })), [range, by]);
  const rows = bd.data?.items ?? [];
  const bars = rows
    .map((r) => ({
      label: r.name || '(not set)',
      value: r[measure],
      note: `${int(r.calls)} calls · ${compact(r.input_tokens)} in / ${compact(r.output_tokens)} out tokens`,
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
  const lat = useAsync((signal) => ok(api.analytics.latency.$get({ query: q }, { init: { signal } })), [range]);
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
                    {r.provider && <span className="muted small"> · {r.provider}</span>}
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

/** One table row per model: its calls and the latency and time-to-first-token percentiles side by side. */
function flattenLatency(r: LatencyRow) {
  return { model: r.model, provider: r.provider, calls: r.calls, ...r.latency_ms, ttft_p50: r.ttft_ms.p50, ttft_p95: r.ttft_ms.p95 };
}

const LEVEL_KIND: Record<string, string> = { low: 'ok', medium: 'warn', high: 'bad' };
const CONFIDENCE_KIND: Record<string, string> = { low: 'bad', medium: 'warn', high: 'ok' };

/** The non-overlapping saving per month (the findings combined without double counting). */
function combinedSaving(data: Findings | undefined): { usd: number | null; pct: number | null } {
  const c = data?.combined_saving;
  return c ? { usd: c.saving_usd_month, pct: c.saving_pct } : { usd: null, pct: null };
}

function FindingsPanel({ q, range }: { q: Q; range: R }) {
  const f = useAsync((signal) => ok(api.analysis.findings.$get({ query: q }, { init: { signal } })), [range]);
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

function whereText(where: Findings["findings"][number]["where"] | undefined): string {
  if (!where) return '—';
  const parts = Object.entries(where)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' · ') : 'all calls';
}

// The charts of a report (and of a chat answer that has one), hand-drawn in SVG from `data.charts`
// (protocol/report-charts.ts): savings by lever as a waterfall to the combined total, spend over time by
// model (stacked bars), latency percentiles by model, and the answer's own bar chart. Every chart has a text
// alternative: a one-sentence aria label on the SVG and its figures as a table under "Chart data".
import type { ReactNode } from 'react';
import type { BarSeriesChart, LatencyByModel, ReportCharts, SavingsWaterfall, SpendOverTime } from '../../protocol/report-charts';
import { BarChart } from './charts';
import { compact, int, ms, usd } from './format';

/** The chart data of a report's structured data, if it has any. */
export function chartsOf(data: unknown): ReportCharts | undefined {
  const charts = (data as { charts?: unknown } | null | undefined)?.charts;
  return charts && typeof charts === 'object' ? (charts as ReportCharts) : undefined;
}

/** Series colours, distinguishable in the light and the dark theme. */
const PALETTE = ['#4f46e5', '#0891b2', '#d97706', '#059669', '#db2777', '#64748b'];
const W = 600;
const LABEL_W = 190;
const VALUE_W = 96;
const ROW_H = 30;

const short = (s: string, n = 26) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function Figure({ title, summary, children, table }: { title: string; summary: string; children: ReactNode; table: ReactNode }) {
  return (
    <figure className="card chart-card">
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div role="img" aria-label={summary}>
        {children}
      </div>
      <details className="chart-data">
        <summary>Chart data: {title.toLowerCase()}</summary>
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`${title}: data`}>
          {table}
        </div>
      </details>
    </figure>
  );
}

export function WaterfallChart({ data }: { data: SavingsWaterfall }) {
  const rows = [...data.steps.map((s) => ({ label: s.label, added: s.added_usd })), { label: 'Combined', added: data.total_usd }];
  const barW = W - LABEL_W - VALUE_W;
  const max = Math.max(data.total_usd, ...data.steps.map((s) => s.added_usd), 0.01);
  const x = (v: number) => LABEL_W + (v / max) * barW;
  let running = 0;
  const summary = `Savings waterfall: ${data.steps.length} lever${data.steps.length === 1 ? '' : 's'} add up to ${usd(data.total_usd)} per month combined (the plain sum of their own savings would be ${usd(data.naive_sum_usd)}).`;
  return (
    <Figure
      title="Savings by lever"
      summary={summary}
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">lever</th>
              <th scope="col">where</th>
              <th scope="col">own saving $/month</th>
              <th scope="col">adds to the total $/month</th>
            </tr>
          </thead>
          <tbody>
            {data.steps.map((s, i) => (
              <tr key={i}>
                <th scope="row">{s.label}</th>
                <td>{s.where}</td>
                <td className="num">{usd(s.saving_usd)}</td>
                <td className="num">{usd(s.added_usd)}</td>
              </tr>
            ))}
            <tr className="total">
              <th scope="row">Combined</th>
              <td />
              <td className="num">{usd(data.naive_sum_usd)} (plain sum)</td>
              <td className="num">{usd(data.total_usd)}</td>
            </tr>
          </tbody>
        </table>
      }
    >
      <svg className="bars" viewBox={`0 0 ${W} ${rows.length * ROW_H}`} aria-hidden="true">
        {rows.map((r, i) => {
          const total = i === rows.length - 1;
          const from = total ? 0 : running;
          const to = total ? r.added : running + r.added;
          if (!total) running = to;
          return (
            <g key={i} transform={`translate(0 ${i * ROW_H})`}>
              <text className="bar-label" x={LABEL_W - 10} y={ROW_H / 2 + 4} textAnchor="end">
                {short(r.label)}
              </text>
              <rect className={total ? 'bar total' : 'bar'} x={x(from)} y={6} width={Math.max(2, x(to) - x(from))} height={ROW_H - 12} rx={3} />
              {!total && i < rows.length - 2 && <line className="connector" x1={x(to)} x2={x(to)} y1={ROW_H - 6} y2={ROW_H + 6} />}
              <text className="bar-value" x={W - VALUE_W + 8} y={ROW_H / 2 + 4}>
                {total ? usd(r.added) : `+${usd(r.added)}`}
              </text>
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}

const bucketLabel = (t: number, bucket: SpendOverTime['bucket']) =>
  bucket === 'day' ? new Date(t).toISOString().slice(0, 10) : `${new Date(t).toISOString().slice(0, 13).replace('T', ' ')}:00`;

export function SpendOverTimeChart({ data }: { data: SpendOverTime }) {
  const H = 220;
  const pad = { l: 58, r: 10, t: 10, b: 28 };
  const totals = data.points.map((p) => p.values.reduce((a, b) => a + b, 0));
  const max = Math.max(...totals, 0) || 1;
  const n = data.points.length;
  const slot = (W - pad.l - pad.r) / Math.max(1, n);
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const grand = totals.reduce((a, b) => a + b, 0);
  const ticks = n <= 1 ? [0] : [0, Math.floor((n - 1) / 2), n - 1];
  const summary = `Spend over time by model: ${usd(grand, { precise: true })} in ${n} ${data.bucket === 'day' ? 'day' : 'hour'}${n === 1 ? '' : 's'} across ${data.models.length} model${data.models.length === 1 ? '' : 's'}${data.allocated ? '; spend of features on several models is split by their model mix' : ''}.`;
  return (
    <Figure
      title="Spend over time by model"
      summary={summary}
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{data.bucket}</th>
              {data.models.map((m) => (
                <th key={m} scope="col">
                  {m}
                </th>
              ))}
              <th scope="col">total</th>
            </tr>
          </thead>
          <tbody>
            {data.points.map((p, i) => (
              <tr key={p.t}>
                <th scope="row">{bucketLabel(p.t, data.bucket)}</th>
                {p.values.map((v, j) => (
                  <td key={j} className="num">
                    {usd(v, { precise: true })}
                  </td>
                ))}
                <td className="num">{usd(totals[i], { precise: true })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Legend names={data.models} />
      <svg viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
        {[0, max / 2, max].map((v) => (
          <g key={v}>
            <line className="grid" x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} />
            <text className="axis" x={pad.l - 6} y={y(v) + 4} textAnchor="end">
              {usd(v)}
            </text>
          </g>
        ))}
        {data.points.map((p, i) => {
          const cx = pad.l + slot * (i + 0.5);
          let base = 0;
          return (
            <g key={p.t}>
              {p.values.map((v, j) => {
                const top = base + v;
                const rect = v > 0 && <rect key={j} x={cx - barW / 2} y={y(top)} width={barW} height={Math.max(0, y(base) - y(top))} fill={PALETTE[j % PALETTE.length]} />;
                base = top;
                return rect;
              })}
            </g>
          );
        })}
        {ticks.map((i) => (
          <text key={i} className="axis" x={pad.l + slot * (i + 0.5)} y={H - 8} textAnchor="middle">
            {bucketLabel(data.points[i]!.t, data.bucket)}
          </text>
        ))}
      </svg>
    </Figure>
  );
}

const PERCENTILES = ['p50', 'p95', 'p99'] as const;

export function LatencyChart({ rows }: { rows: LatencyByModel[] }) {
  const groupH = 54;
  const barH = 12;
  const barW = W - LABEL_W - VALUE_W;
  const max = Math.max(...rows.flatMap((r) => PERCENTILES.map((p) => r[p] ?? 0)), 1);
  const slowest = rows[0]!;
  const summary = `Latency percentiles of ${rows.length} model${rows.length === 1 ? '' : 's'}; slowest at p95: ${slowest.label} at ${ms(slowest.p95)}.`;
  return (
    <Figure
      title="Latency percentiles by model"
      summary={summary}
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">calls</th>
              {PERCENTILES.map((p) => (
                <th key={p} scope="col">
                  {p}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td className="num">{int(r.calls)}</td>
                {PERCENTILES.map((p) => (
                  <td key={p} className="num">
                    {ms(r[p])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Legend names={[...PERCENTILES]} />
      <svg className="bars" viewBox={`0 0 ${W} ${rows.length * groupH}`} aria-hidden="true">
        {rows.map((r, i) => (
          <g key={r.label} transform={`translate(0 ${i * groupH + 6})`}>
            <text className="bar-label" x={LABEL_W - 10} y={groupH / 2} textAnchor="end">
              {short(r.label)}
            </text>
            {PERCENTILES.map((p, j) => (
              <g key={p}>
                <rect x={LABEL_W} y={j * (barH + 2)} width={Math.max(2, ((r[p] ?? 0) / max) * barW)} height={barH} rx={2} fill={PALETTE[j]} />
                <text className="bar-value" x={W - VALUE_W + 8} y={j * (barH + 2) + barH - 2}>
                  {compact(r[p])} ms
                </text>
              </g>
            ))}
          </g>
        ))}
      </svg>
    </Figure>
  );
}

/** The answer's own chart (one series of bars), e.g. "Latency p95" or "Spend by segment". */
export function AnswerChart({ chart }: { chart: BarSeriesChart }) {
  const fmt = (v: number) => (chart.unit.startsWith('USD') ? usd(v) : chart.unit === 'ms' ? ms(v) : compact(v));
  const bars = chart.series.map((s) => ({ label: s.label, value: s.value }));
  return (
    <Figure
      title={chart.title}
      summary={`${chart.title} (${chart.unit}): ${bars.map((b) => `${b.label} ${fmt(b.value)}`).join(', ')}.`}
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">what</th>
              <th scope="col">{chart.unit}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b, i) => (
              <tr key={i}>
                <th scope="row">{b.label}</th>
                <td className="num">{fmt(b.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <BarChart bars={bars} formatValue={fmt} label={chart.title} decorative share={chart.unit.startsWith('USD') && bars.every((b) => b.value >= 0)} />
    </Figure>
  );
}

function Legend({ names }: { names: string[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {names.map((n, i) => (
        <li key={n}>
          <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />
          {n}
        </li>
      ))}
    </ul>
  );
}

/** The report page's charts, those the report has data for, in reading order. */
export function ReportChartsView({ charts }: { charts: ReportCharts | undefined }) {
  const waterfall = charts?.savings_waterfall;
  const spend = charts?.spend_over_time_by_model;
  const latency = charts?.latency_by_model ?? [];
  if (!waterfall && !spend?.points.length && latency.length === 0) return null;
  return (
    <section className="report-charts" aria-label="Charts">
      {waterfall && <WaterfallChart data={waterfall} />}
      {spend && spend.points.length > 0 && <SpendOverTimeChart data={spend} />}
      {latency.length > 0 && <LatencyChart rows={latency} />}
    </section>
  );
}

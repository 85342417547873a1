// Hand-written inline SVG charts: a time-series line chart with hover read-out and a horizontal bar chart.
import { useId, useMemo, useRef, useState, type MouseEvent } from 'react';

export interface Point {
  t: number; // epoch ms
  y: number;
}

/** 0, then round steps up to at least `max` (1-2-2.5-5 × 10^n). */
function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((s) => s * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const W = 600;
const H = 220;
const PAD = { l: 58, r: 14, t: 14, b: 28 };

export function LineChart({
  points,
  formatY,
  formatX,
  label,
}: {
  points: Point[];
  formatY: (v: number) => string;
  formatX: (t: number) => string;
  label: string;
}) {
  const gradId = useId();
  const svgRef = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const sorted = useMemo(() => [...points].sort((a, b) => a.t - b.t), [points]);

  if (sorted.length === 0) return <div className="chart-empty">No data in this period.</div>;

  const t0 = sorted[0]!.t;
  const t1 = sorted[sorted.length - 1]!.t;
  const yTicks = niceTicks(Math.max(...sorted.map((p) => p.y)));
  const yMax = yTicks[yTicks.length - 1]!;
  const x = (t: number) => (t1 === t0 ? PAD.l + (W - PAD.l - PAD.r) / 2 : PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r));
  const y = (v: number) => H - PAD.b - (v / yMax) * (H - PAD.t - PAD.b);
  const line = sorted.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.y).toFixed(1)}`).join('');
  const area = `${line}L${x(t1).toFixed(1)},${H - PAD.b}L${x(t0).toFixed(1)},${H - PAD.b}Z`;
  const xTickCount = Math.min(6, sorted.length);
  const xTicks =
    xTickCount <= 1 ? [sorted[0]!] : Array.from({ length: xTickCount }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (xTickCount - 1))]!);

  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    const r = svgRef.current?.getBoundingClientRect();
    if (!r || r.width === 0) return;
    const sx = ((e.clientX - r.left) / r.width) * W;
    let best = 0;
    let bestD = Infinity;
    sorted.forEach((p, i) => {
      const d = Math.abs(x(p.t) - sx);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    setHover(best);
  };
  const hp = hover !== null ? sorted[hover] : undefined;

  return (
    <div className="chart">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={label}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
        preserveAspectRatio="xMidYMid meet"
      >
        <defs>
          <linearGradient id={gradId} x1="0" x2="0" y1="0" y2="1">
            <stop offset="0%" stopColor="var(--accent)" stopOpacity="0.28" />
            <stop offset="100%" stopColor="var(--accent)" stopOpacity="0" />
          </linearGradient>
        </defs>
        {yTicks.map((v) => (
          <g key={v}>
            <line className="grid" x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} />
            <text className="axis" x={PAD.l - 8} y={y(v) + 4} textAnchor="end">
              {formatY(v)}
            </text>
          </g>
        ))}
        {xTicks.map((p, i) => (
          <text
            key={`${p.t}-${i}`}
            className="axis"
            x={x(p.t)}
            y={H - 8}
            textAnchor={xTicks.length === 1 ? 'middle' : i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
          >
            {formatX(p.t)}
          </text>
        ))}
        <path d={area} fill={`url(#${gradId})`} />
        <path d={line} className="series" />
        {sorted.length <= 40 && sorted.map((p) => <circle key={p.t} cx={x(p.t)} cy={y(p.y)} r={2.5} className="dot" />)}
        {hp && (
          <g>
            <line className="cursor" x1={x(hp.t)} x2={x(hp.t)} y1={PAD.t} y2={H - PAD.b} />
            <circle cx={x(hp.t)} cy={y(hp.y)} r={4.5} className="dot hot" />
          </g>
        )}
      </svg>
      {hp && (
        <div className="chart-tip" style={{ left: `${(x(hp.t) / W) * 100}%` }}>
          <strong>{formatY(hp.y)}</strong>
          <span>{formatX(hp.t)}</span>
        </div>
      )}
    </div>
  );
}

export interface Bar {
  label: string;
  value: number;
  note?: string;
}

/** `decorative`: the caller gives the text alternative (the SVG is then hidden from assistive technology).
 *  `share`: each bar's share of the total next to its value (meaningless for latencies). */
export function BarChart({
  bars,
  formatValue,
  label,
  decorative = false,
  share: showShare = true,
}: {
  bars: Bar[];
  formatValue: (v: number) => string;
  label: string;
  decorative?: boolean;
  share?: boolean;
}) {
  if (bars.length === 0) return <div className="chart-empty">No data in this period.</div>;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const total = bars.reduce((s, b) => s + b.value, 0);
  const rowH = 30;
  const labelW = 170;
  const valueW = 120;
  const width = 600;
  const barW = width - labelW - valueW;
  const h = bars.length * rowH;
  return (
    <svg className="bars" viewBox={`0 0 ${width} ${h}`} {...(decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label })}>
      {bars.map((b, i) => {
        const w = Math.max(2, (b.value / max) * barW);
        const share = total > 0 ? (b.value / total) * 100 : 0;
        const name = b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label;
        return (
          <g key={`${b.label}-${i}`} transform={`translate(0 ${i * rowH})`}>
            <title>{`${b.label}: ${formatValue(b.value)}${b.note ? ` · ${b.note}` : ''}`}</title>
            <text className="bar-label" x={labelW - 10} y={rowH / 2 + 4} textAnchor="end">
              {name}
            </text>
            <rect className="bar-track" x={labelW} y={6} width={barW} height={rowH - 12} rx={4} />
            <rect className="bar" x={labelW} y={6} width={w} height={rowH - 12} rx={4} />
            <text className="bar-value" x={labelW + barW + 10} y={rowH / 2 + 4}>
              {formatValue(b.value)}
              {showShare && <tspan className="bar-share">{` ${share.toFixed(share < 10 ? 1 : 0)}%`}</tspan>}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

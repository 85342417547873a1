// Number, money and date formatting used across screens. Missing values render as an em dash.

const DASH = '—';

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Accepts numbers and numeric strings (ClickHouse sends 64-bit integers as strings). */
export function num(v: unknown): number | null {
  if (isNum(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function usd(v: unknown, opts: { precise?: boolean } = {}): string {
  const n = num(v);
  if (n === null) return DASH;
  const abs = Math.abs(n);
  const digits = opts.precise || abs < 1 ? (abs < 0.01 && abs > 0 ? 4 : 2) : abs >= 1000 ? 0 : 2;
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function compact(v: unknown): string {
  const n = num(v);
  if (n === null) return DASH;
  return n.toLocaleString('en-US', { notation: Math.abs(n) >= 10_000 ? 'compact' : 'standard', maximumFractionDigits: Math.abs(n) >= 10_000 ? 1 : 2 });
}

export function int(v: unknown): string {
  const n = num(v);
  return n === null ? DASH : Math.round(n).toLocaleString('en-US');
}

/** A rate in 0..1 (or already a percentage when > 1) as "12.3%". */
export function pct(v: unknown, alreadyPercent = false): string {
  const n = num(v);
  if (n === null) return DASH;
  const p = alreadyPercent || n > 1 ? n : n * 100;
  return `${p.toLocaleString('en-US', { maximumFractionDigits: p < 10 ? 2 : 1 })}%`;
}

export function ms(v: unknown): string {
  const n = num(v);
  if (n === null) return DASH;
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n).toLocaleString('en-US')} ms`;
}

export function dateTime(v: unknown): string {
  if (typeof v !== 'string' && typeof v !== 'number') return DASH;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return DASH;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function relativeTime(v: unknown): string {
  if (typeof v !== 'string') return '';
  const t = Date.parse(v);
  if (Number.isNaN(t)) return '';
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return new Date(t).toLocaleDateString();
}

export function json(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

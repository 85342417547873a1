// Date-times of telemetry: parsed strictly (a day that does not exist is an error, not the next month's) and
// kept within what ClickHouse's DateTime64 stores (1900-01-01 … 2299-12-31), so an accepted record is never
// silently dropped or changed on the way to analytics.

/** Earliest and latest timestamp (epoch ms) a record may carry. */
export const MIN_TIMESTAMP_MS = Date.UTC(1900, 0, 1);
export const MAX_TIMESTAMP_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

// Exports often write "2023-11-16 18:17:03.9799600" (no zone, 7 fraction digits, Postgres "+00" offsets):
// Date.parse would read a zoneless date-time as local time, so we rebuild it as ISO 8601 and default to UTC.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** True when the text looks like a date-time of the form above (then only parseUtc may read it). */
export const isIsoLike = (value: string) => DATE_TIME.test(value.trim());

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Epoch ms of an ISO 8601 / SQL date-time text (zoneless = UTC), or undefined when it is not one or names no real instant. */
export function parseUtc(value: string): number | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  if (offset !== 'Z' && offset !== 'z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const parsed = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(3, '0').slice(0, 3)}${offset.toUpperCase()}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Why a timestamp cannot be stored, or null when it can. */
export function timestampProblem(ms: number): string | null {
  if (!Number.isFinite(ms)) return 'timestamp is not a date-time';
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) return 'timestamp is outside 1900-01-01 … 2299-12-31';
  return null;
}

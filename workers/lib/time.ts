// Time parameters of the API: ISO 8601 dates or instants, validated strictly (a day that does not exist
// is an error, not a roll-over into the next month).
import * as z from 'zod';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date (midnight UTC) or date-time (no offset = UTC) between 1900 and 2299, else null. */
function parseIso(s: string): Date | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  // Date.parse would roll 2026-02-31 over into March: the calendar day must exist.
  if (y < 1900 || y > 2299 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : m[4] ? s : `${s}Z`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export const isoInstant = z.string().max(40).transform((s, ctx) => {
  const date = parseIso(s);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' });
    return z.NEVER;
  }
  return date;
});

// The one monthly basis: per-month figures scale a window's amount by the span its traffic was observed over
// (first to last hour with calls, at least one day), never by the length of the window that was asked for. A 30-day request
// over 14 days of traffic and a 14-day request over the same traffic give the same $/month.
import { DAY_MS, MONTH_DAYS, perMonthUsd } from './findings.js';
import { HOUR_MS } from './profile/derive.js';
import type { WorkloadProfile } from './profile/types.js';

export interface MonthlyBasis {
  /** epoch ms: the first hour with calls (inclusive) … the end of the last hour with calls (exclusive). */
  from: number;
  to: number;
  /** (to − from) in days: the divisor of every per-month figure. */
  days: number;
  /** "observed_traffic" normally; "minimum_day" when under a day of traffic counts as one day; "window" without traffic. */
  basis: 'observed_traffic' | 'minimum_day' | 'window';
  month_days: typeof MONTH_DAYS;
}

export function monthlyBasis(profile: Pick<WorkloadProfile, 'window' | 'hours'>): MonthlyBasis {
  let first = Infinity;
  let last = -Infinity;
  for (const h of profile.hours) {
    if (h.calls <= 0) continue;
    if (h.hour < first) first = h.hour;
    if (h.hour > last) last = h.hour;
  }
  if (first === Infinity) return { from: profile.window.from, to: profile.window.to, days: profile.window.days, basis: 'window', month_days: MONTH_DAYS };
  // whole hours, not clamped to the window's edges: a window that starts at the first call's millisecond and
  // one that starts days earlier measure the same span
  const from = first;
  const to = last + HOUR_MS;
  // Less than a day of traffic counts as one day (when the window holds one): an hour's sample is not
  // extrapolated 720-fold.
  const observed = Math.max(0, (to - from) / DAY_MS);
  const days = Math.max(observed, Math.min(1, profile.window.days));
  return { from, to, days, basis: observed >= days ? 'observed_traffic' : 'minimum_day', month_days: MONTH_DAYS };
}

/** An amount of the window (nano-USD) per 30 days of observed traffic, in USD. */
export function monthlyUsd(profile: Pick<WorkloadProfile, 'window' | 'hours'>, nano: number): number {
  return perMonthUsd(nano, monthlyBasis(profile).days);
}

/** The basis as a finding states it in its evidence. */
export function basisEvidence(b: MonthlyBasis): Record<string, unknown> {
  return {
    from: new Date(b.from).toISOString(),
    to: new Date(b.to).toISOString(),
    days: Math.round(b.days * 1000) / 1000,
    basis: b.basis,
    formula: `per month = window amount × ${b.month_days} / ${Math.round(b.days * 1000) / 1000} observed days`,
  };
}

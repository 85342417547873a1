// Hours whose spend jumps far above the window's usual hourly spend — and above the same hour of the other days
// (and, with two weeks of traffic, the same hour of the other week; and of the days just before or after, so a
// launch is a new level): a job that runs every night at 02:00 is a schedule, reported once as such, never a spike
// every night.
import { HOUR_MS } from '../../profile/derive.js';
import { percentileOfSorted, sortedCopy } from '../../profile/distribution.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { formatUsd, insightFinding, type Tool } from '../shared.js';

const MIN_HOURS = 24;
const SPIKE_FACTOR = 3;
const MIN_EXCESS_SHARE = 0.01;

/** Hourly series over every hour of the window (empty hours = 0), total and per feature. */
function hourlySeries(profile: WorkloadProfile) {
  const start = Math.floor(profile.window.from / HOUR_MS) * HOUR_MS;
  const n = Math.max(0, Math.ceil((profile.window.to - start) / HOUR_MS));
  const total = new Float64Array(n);
  const byFeature = new Map<string, Float64Array>();
  for (const b of profile.hours) {
    const i = Math.floor((b.hour - start) / HOUR_MS);
    if (i < 0 || i >= n) continue;
    total[i]! += b.cost_nanousd;
    let f = byFeature.get(b.feature);
    if (!f) byFeature.set(b.feature, (f = new Float64Array(n)));
    f[i]! += b.cost_nanousd;
  }
  return { start, total, byFeature };
}

const DAY_HOURS = 24;
const MAX_SCHEDULE_HOURS = 6;
const MIN_SCHEDULE_DAYS = 3;
const WEEK_HOURS = 168;
/** Days either side whose same hour shows a lasting level (a launch) rather than a spike. */
const NEAR_DAYS = 2;

/**
 * The seasonal baseline of hour i, the largest of: the median of the same hour of day on the other days of the
 * traffic span (first to last hour with spend; needs two); the same hour of week on the other weeks (one is
 * enough: a weekly job seen twice in two weeks recurs); and the lower of the same hour on the two days before, or
 * on the two days after (one when the span ends): a lasting step such as a launch is the new level, not a spike.
 * null when none exists.
 */
function seasonalBaseline(total: Float64Array, first: number, last: number, i: number): number | null {
  const values = (from: number, step: number, max: number): number[] => {
    const out: number[] = [];
    for (let k = from; k >= first && k <= last && out.length < max; k += step) out.push(total[k]!);
    return out;
  };
  const median = (xs: number[], min: number) => (xs.length >= min ? percentileOfSorted(sortedCopy(xs), 500) : null);
  const candidates = [
    median([...values(i - DAY_HOURS, -DAY_HOURS, Infinity), ...values(i + DAY_HOURS, DAY_HOURS, Infinity)], 2),
    median([...values(i - WEEK_HOURS, -WEEK_HOURS, Infinity), ...values(i + WEEK_HOURS, WEEK_HOURS, Infinity)], 1),
    median(values(i - DAY_HOURS, -DAY_HOURS, NEAR_DAYS), NEAR_DAYS),
    median(values(i + DAY_HOURS, DAY_HOURS, NEAR_DAYS), 1),
  ].filter((v): v is number => v !== null);
  return candidates.length === 0 ? null : Math.max(...candidates);
}

/** The feature with most spend in the hours `hs`. */
function topFeatureOf(byFeature: Map<string, Float64Array>, hs: readonly number[]): string {
  let top = '';
  let best = -Infinity;
  for (const [feature, series] of [...byFeature].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const s = hs.reduce((n, h) => n + series[h]!, 0);
    if (s > best) [top, best] = [feature, s];
  }
  return top;
}

export const costAnomalies: Tool = {
  id: 'cost_anomalies',
  family: 'cost',
  description: 'Spike hours whose spend exceeds 3× the median hour, grouped into runs and attributed to a feature.',
  run(profile) {
    const { start, total, byFeature } = hourlySeries(profile);
    if (total.length < MIN_HOURS) return [];
    let baseline = percentileOfSorted(sortedCopy(total), 500) ?? 0;
    if (baseline === 0) baseline = percentileOfSorted(sortedCopy(total.filter((v) => v > 0)), 500) ?? 0;
    if (baseline <= 0) return [];
    const minExcess = MIN_EXCESS_SHARE * profile.totals.cost_nanousd;
    let first = 0;
    while (first < total.length && total[first] === 0) first++;
    let last = total.length - 1;
    while (last > first && total[last] === 0) last--;
    const aboveMedian = (v: number) => v > SPIKE_FACTOR * baseline && v - baseline >= minExcess;
    // an hour as high as the same hour usually is, is the schedule, not a spike
    const recurring: number[] = [];
    const spikeHour = new Uint8Array(total.length);
    for (let i = 0; i < total.length; i++) {
      if (!aboveMedian(total[i]!)) continue;
      const seasonal = seasonalBaseline(total, first, last, i);
      if (seasonal !== null && total[i]! <= SPIKE_FACTOR * seasonal) recurring.push(i);
      else spikeHour[i] = 1;
    }
    const isSpikeAt = (i: number) => spikeHour[i] === 1;
    const featureMedian = new Map([...byFeature].map(([f, s]) => [f, percentileOfSorted(sortedCopy(s), 500) ?? 0]));

    const findings = [];
    for (let i = 0; i < total.length; i++) {
      if (!isSpikeAt(i)) continue;
      let j = i;
      while (j + 1 < total.length && isSpikeAt(j + 1)) j++;
      const hours = j - i + 1;
      let spend = 0;
      for (let h = i; h <= j; h++) spend += total[h]!;
      const excess = spend - hours * baseline;
      let top = '';
      let topExcess = -Infinity;
      for (const [feature, series] of [...byFeature].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        let s = 0;
        for (let h = i; h <= j; h++) s += series[h]!;
        const e = s - hours * featureMedian.get(feature)!;
        if (e > topExcess) [top, topExcess] = [feature, e];
      }
      const from = new Date(start + i * HOUR_MS).toISOString();
      const to = new Date(start + (j + 1) * HOUR_MS).toISOString();
      findings.push(
        insightFinding(
          {
            tool: 'cost_anomalies',
            family: 'cost',
            title: `Spend spike ${from.slice(0, 13)}h (${hours} h)`,
            summary: `${formatUsd(spend)} spent in ${hours} h against a usual ${formatUsd(baseline)}/h; ${top || '(untagged)'} drove most of the ${formatUsd(excess)} excess.`,
            where: top ? { group: `hours:${from}/${to}`, feature: top } : { group: `hours:${from}/${to}` },
            calls_affected: profile.hours.filter((b) => b.hour >= start + i * HOUR_MS && b.hour < start + (j + 1) * HOUR_MS).reduce((a, b) => a + b.calls, 0),
            confidence: 'high',
            risk: 'low',
            evidence: { from, to, hours, spend_nanousd: Math.round(spend), baseline_nanousd_per_hour: Math.round(baseline), excess_nanousd: Math.round(excess), top_feature: top },
            recommendation: 'Check what ran in those hours (deploy, loop, backfill) and put a budget alert on the feature.',
          },
          profile,
        ),
      );
      i = j;
    }
    // a few fixed hours a day is a schedule worth naming; high hours all day long are just the daily cycle
    const recurringHours = new Set(recurring.map((h) => new Date(start + h * HOUR_MS).getUTCHours()));
    const recurringDays = new Set(recurring.map((h) => Math.floor((start + h * HOUR_MS) / (DAY_HOURS * HOUR_MS)))).size;
    if (recurringDays >= MIN_SCHEDULE_DAYS && recurringHours.size <= MAX_SCHEDULE_HOURS) {
      findings.push(scheduleFinding(profile, start, recurring, byFeature, baseline));
    }
    return findings;
  },
};

/** The recurring high hours, once: which feature, at which hours of the day, on how many days. */
function scheduleFinding(profile: WorkloadProfile, start: number, hours: readonly number[], byFeature: Map<string, Float64Array>, baseline: number) {
  const feature = topFeatureOf(byFeature, hours);
  const utcHours = [...new Set(hours.map((h) => new Date(start + h * HOUR_MS).getUTCHours()))].sort((a, b) => a - b);
  const days = new Set(hours.map((h) => Math.floor((start + h * HOUR_MS) / (DAY_HOURS * HOUR_MS)))).size;
  const spend = hours.reduce((n, h) => n + (byFeature.get(feature)?.[h] ?? 0), 0);
  const at = utcHours.map((h) => `${String(h).padStart(2, '0')}:00`).join(', ');
  return insightFinding(
    {
      tool: 'cost_anomalies',
      family: 'cost',
      title: `Recurring schedule: ${feature || '(untagged)'} at ${at} UTC`,
      summary: `${feature || 'Untagged calls'} spend${days > 1 ? ` recurs on ${days} days` : 's'} at ${at} UTC (${formatUsd(spend)} in those hours, against a usual ${formatUsd(baseline)}/h): a schedule, compared with the same hours of other days rather than flagged as spikes.`,
      where: feature ? { group: 'schedule', feature } : { group: 'schedule' },
      calls_affected: profile.hours.filter((b) => b.feature === feature && hours.includes(Math.floor((b.hour - start) / HOUR_MS))).reduce((a, b) => a + b.calls, 0),
      confidence: days >= 7 ? 'high' : 'medium',
      risk: 'low',
      evidence: { schedule: true, feature, utc_hours: utcHours, days, hours: hours.length, spend_nanousd: Math.round(spend), baseline_nanousd_per_hour: Math.round(baseline) },
      recommendation: 'If this job is not latency-sensitive, run it through the batch API; put a budget alert on the feature with the schedule as its baseline.',
    },
    profile,
  );
}

// LEVERS L1: non-interactive features that could go through the provider's batch API.
import { HOUR_MS } from '../../profile/derive.js';
import type { HourBucket, SegmentProfile, WorkloadProfile } from '../../profile/types.js';
import { confidence, costOf, formatUsd, knownSegments, ratio, savingFinding, segmentLabel, segmentWhere, usageOf, type Tool } from '../shared.js';

export const BATCH_NAME = /eval|backfill|batch|nightly|index|offline|cron|report|digest|classif|embed|etl|sync/i;
const MAX_USER_SHARE = 0.1;
const BURST_FACTOR = 10;
const MIN_OFF_HOURS_SHARE = 0.5;

/** A schedule: a few fixed slots (hours of the day, or of the week) that recur in most periods and hold most calls. */
const SCHEDULE_PRESENCE = 0.8;
const SCHEDULE_CALL_SHARE = 0.9;
const MAX_SCHEDULE_SLOTS = 6;
const PERIODS = [
  { name: 'daily', hours: 24, min_periods: 3 },
  { name: 'weekly', hours: 168, min_periods: 2 },
] as const;

/** "daily" / "weekly" when the feature's calls recur at the same hours of each day / week, else null. */
export function scheduleOf(hours: readonly HourBucket[]): { period: 'daily' | 'weekly'; utc_hours: number[] } | null {
  if (hours.length === 0) return null;
  const total = hours.reduce((n, b) => n + b.calls, 0);
  // periods counted from the feature's first hour, so a job's first run starts its first period
  const first = hours[0]!.hour;
  for (const p of PERIODS) {
    const periodOf = (t: number) => Math.floor((t - first) / (p.hours * HOUR_MS));
    const slotOf = (t: number) => Math.floor((t - first) / HOUR_MS) % p.hours;
    const periods = periodOf(hours[hours.length - 1]!.hour) + 1;
    if (periods < p.min_periods) continue;
    const seen = new Map<number, Set<number>>();
    const callsIn = new Map<number, number>();
    for (const b of hours) {
      const slot = slotOf(b.hour);
      if (!seen.has(slot)) seen.set(slot, new Set());
      seen.get(slot)!.add(periodOf(b.hour));
      callsIn.set(slot, (callsIn.get(slot) ?? 0) + b.calls);
    }
    const slots = [...seen].filter(([, ps]) => ps.size >= SCHEDULE_PRESENCE * periods).map(([s]) => s).sort((a, b) => a - b);
    if (slots.length === 0 || slots.length > MAX_SCHEDULE_SLOTS) continue;
    const inSlots = slots.reduce((n, s) => n + (callsIn.get(s) ?? 0), 0);
    const utcHours = [...new Set(slots.map((s) => new Date(first + s * HOUR_MS).getUTCHours()))].sort((a, b) => a - b);
    if (inSlots >= SCHEDULE_CALL_SHARE * total) return { period: p.name, utc_hours: utcHours };
  }
  return null;
}

/** The hour buckets of each feature, in time order. */
function hoursByFeature(profile: WorkloadProfile): Map<string, HourBucket[]> {
  const out = new Map<string, HourBucket[]>();
  for (const b of profile.hours) {
    if (!out.has(b.feature)) out.set(b.feature, []);
    out.get(b.feature)!.push(b);
  }
  return out;
}

/**
 * Which batch signals a segment shows (empty when it is interactive). Streamed traffic is never batched; calls
 * that name end users are a weak counter-signal only: a schedule outweighs them.
 */
export function batchSignals(seg: SegmentProfile, schedule: ReturnType<typeof scheduleOf> = null): string[] {
  if (seg.streamed_calls > 0) return [];
  const signals: string[] = [];
  if (schedule) signals.push(`scheduled_${schedule.period}`);
  if (BATCH_NAME.test(seg.feature)) signals.push('name');
  const cpm = seg.calls_per_minute;
  if (cpm.max !== null && cpm.max >= BURST_FACTOR * Math.max(1, cpm.p50 ?? 0)) signals.push('bursty');
  if (ratio(seg.off_hours_calls, seg.calls) >= MIN_OFF_HOURS_SHARE) signals.push('off_hours');
  const userFacing = ratio(seg.user_calls, seg.calls) > MAX_USER_SHARE;
  // with end users, only a schedule is enough: a name, bursts or night traffic can be a runaway user session
  if (userFacing && !schedule) return [];
  return signals;
}

export const batchEligibility: Tool = {
  id: 'batch_eligibility',
  family: 'cost',
  description: 'Unstreamed features that recur on a daily/weekly schedule, are named like jobs, bursty or off-hours (end users only a weak counter-signal): batch API discount.',
  run(profile) {
    const findings = [];
    const byFeature = hoursByFeature(profile);
    for (const { seg, model } of knownSegments(profile)) {
      if (model.batch_discount <= 0) continue;
      const schedule = seg.feature ? scheduleOf(byFeature.get(seg.feature) ?? []) : null;
      const signals = batchSignals(seg, schedule);
      if (signals.length === 0) continue;
      const usage = usageOf(seg);
      const current = costOf(model, usage);
      const batched = costOf(model, { ...usage, batch: true });
      const saving = current - batched;
      // a job already on the batch API bills (as its source reports) at the batch price: nothing left to save
      if (saving <= 0 || seg.cost_nanousd <= batched + saving / 2) continue;
      findings.push(
        savingFinding(
          {
            tool: 'batch_eligibility',
            family: 'cost',
            title: `Send ${seg.feature || 'untagged calls'} through the batch API`,
            summary: `${segmentLabel(seg)} looks like a background job (${signals.join(', ')}): the batch API's ${Math.round(model.batch_discount * 100)}% discount saves ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.calls,
            confidence: confidence(seg.calls, 'high'),
            risk: 'low',
            latency_effect_ms: null,
            evidence: {
              signals,
              schedule,
              streamed_calls: seg.streamed_calls,
              user_calls: seg.user_calls,
              off_hours_calls: seg.off_hours_calls,
              calls_per_minute: seg.calls_per_minute,
              batch_discount: model.batch_discount,
              current_cost_nanousd: current,
              batch_cost_nanousd: batched,
            },
            recommendation: `Submit ${seg.feature || 'these calls'} as batch jobs (results within 24 h, usually < 1 h).`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

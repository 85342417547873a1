// LEVERS L1: non-interactive features that could go through the provider's batch API.
import type { SegmentProfile } from '../../profile/types.js';
import { confidence, costOf, formatUsd, knownSegments, ratio, savingFinding, segmentLabel, segmentWhere, usageOf, type Tool } from '../shared.js';

export const BATCH_NAME = /eval|backfill|batch|nightly|index|offline|cron|report|digest|classif|embed|etl|sync/i;
const MAX_USER_SHARE = 0.1;
const BURST_FACTOR = 10;
const MIN_OFF_HOURS_SHARE = 0.5;

/** Which batch signals a segment shows (empty when it is interactive). */
export function batchSignals(seg: SegmentProfile): string[] {
  if (seg.streamed_calls > 0 || ratio(seg.user_calls, seg.calls) > MAX_USER_SHARE) return [];
  const signals: string[] = [];
  if (BATCH_NAME.test(seg.feature)) signals.push('name');
  const cpm = seg.calls_per_minute;
  if (cpm.max !== null && cpm.max >= BURST_FACTOR * Math.max(1, cpm.p50 ?? 0)) signals.push('bursty');
  if (ratio(seg.off_hours_calls, seg.calls) >= MIN_OFF_HOURS_SHARE) signals.push('off_hours');
  return signals;
}

export const batchEligibility: Tool = {
  id: 'batch_eligibility',
  family: 'cost',
  description: 'Unstreamed, user-less features that are named like jobs, bursty or off-hours: batch API discount.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      if (model.batch_discount <= 0) continue;
      const signals = batchSignals(seg);
      if (signals.length === 0) continue;
      const usage = usageOf(seg);
      const current = costOf(model, usage);
      const batched = costOf(model, { ...usage, batch: true });
      const saving = current - batched;
      if (saving <= 0) continue;
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

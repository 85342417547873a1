// Combines saving findings without double counting: per segment, levers in LEVERS order on the residual.
import type { Finding } from '../../findings.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { ratio, segmentKey } from '../shared.js';

export const LEVER_STEPS = ['L7', 'L3', 'L4/L8', 'L2', 'L6', 'L5', 'L1'] as const;
export type LeverStep = (typeof LEVER_STEPS)[number];

/** Which step a saving tool belongs to, and whether it adds to the step or competes (max) within it. */
export const TOOL_LEVERS: Record<string, { step: LeverStep; combine: 'add' | 'max' }> = {
  retry_waste: { step: 'L7', combine: 'add' },
  exact_duplicates: { step: 'L3', combine: 'add' },
  near_duplicates: { step: 'L3', combine: 'add' },
  model_downgrade: { step: 'L4/L8', combine: 'max' },
  provider_switch: { step: 'L4/L8', combine: 'max' },
  prefix_caching: { step: 'L2', combine: 'max' },
  cache_ttl_tuning: { step: 'L2', combine: 'add' },
  cache_write_unread: { step: 'L2', combine: 'add' },
  context_bloat: { step: 'L6', combine: 'max' },
  history_window: { step: 'L6', combine: 'max' },
  output_length_caps: { step: 'L5', combine: 'max' },
  reasoning_token_share: { step: 'L5', combine: 'max' },
  batch_eligibility: { step: 'L1', combine: 'max' },
};

export interface SegmentSaving {
  feature: string;
  provider: string;
  model: string;
  cost_nanousd: number;
  saving_nanousd: number;
}

export interface CombinedSavings {
  combined_saving_nanousd: number;
  /** Plain sum of the combined findings' savings (what double counting would have claimed). */
  naive_sum_nanousd: number;
  per_step: Record<LeverStep, number>;
  per_segment: SegmentSaving[];
}

export function combineSavings(findings: readonly Finding[], profile: WorkloadProfile): CombinedSavings {
  const rates = new Map<string, Map<LeverStep, { add: number; max: number }>>();
  const costByKey = new Map(profile.segments.map((s) => [segmentKey({ feature: s.feature, provider: s.provider, model: s.model }), s.cost_nanousd]));
  let naive = 0;
  for (const f of findings) {
    const lever = TOOL_LEVERS[f.tool];
    if (!lever || f.kind !== 'saving' || f.saving_nanousd <= 0) continue;
    const k = segmentKey(f.where);
    const byStep = rates.get(k) ?? new Map();
    rates.set(k, byStep);
    const r = byStep.get(lever.step) ?? { add: 0, max: 0 };
    byStep.set(lever.step, r);
    const rate = Math.min(1, ratio(f.saving_nanousd, costByKey.get(k) ?? 0));
    if (lever.combine === 'add') r.add += rate;
    else r.max = Math.max(r.max, rate);
    naive += f.saving_nanousd;
  }
  const perStep = Object.fromEntries(LEVER_STEPS.map((s) => [s, 0])) as Record<LeverStep, number>;
  const perSegment: SegmentSaving[] = [];
  let combined = 0;
  for (const seg of profile.segments) {
    const byStep = rates.get(segmentKey({ feature: seg.feature, provider: seg.provider, model: seg.model }));
    if (!byStep || seg.cost_nanousd <= 0) continue;
    let residual = seg.cost_nanousd;
    for (const step of LEVER_STEPS) {
      const r = byStep.get(step);
      if (!r) continue;
      const saved = residual * Math.min(1, r.add + r.max);
      residual -= saved;
      perStep[step] += saved;
    }
    const saving = Math.round(seg.cost_nanousd - residual);
    combined += saving;
    perSegment.push({ feature: seg.feature, provider: seg.provider, model: seg.model, cost_nanousd: seg.cost_nanousd, saving_nanousd: saving });
  }
  for (const s of LEVER_STEPS) perStep[s] = Math.round(perStep[s]);
  perSegment.sort((a, b) => b.saving_nanousd - a.saving_nanousd);
  return { combined_saving_nanousd: combined, naive_sum_nanousd: naive, per_step: perStep, per_segment: perSegment };
}

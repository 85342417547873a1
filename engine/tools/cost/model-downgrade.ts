// LEVERS L4: features whose outputs are short enough for a cheaper stand-in model.
import { capabilityOf, measuredRank, substitutes, type CatalogModel } from '../../catalog/index.js';
import type { CallUsage } from '../../catalog/types.js';
import type { WorkloadProfile } from '../../profile/types.js';
import {
  MIN_CALLS,
  confidence,
  costOf,
  formatUsd,
  knownSegments,
  savingFinding,
  segmentLabel,
  segmentWhere,
  usageOf,
  type Tool,
} from '../shared.js';

export const DOWNGRADE_MAX_OUTPUT_P50 = 200;
export const DOWNGRADE_ADOPTION = 0.5;

/** Same provider first, then highest measured tier, then cheapest on this usage; context must fit the largest input. */
export function chooseSubstitute(current: CatalogModel, usage: CallUsage, maxInput: number): CatalogModel | undefined {
  const fits = substitutes(current).filter((m) => m.context_window > 0 && m.context_window >= maxInput);
  const sameProvider = fits.filter((m) => m.provider === current.provider);
  const pool = sameProvider.length > 0 ? sameProvider : fits;
  let best: CatalogModel | undefined;
  let bestCost = Infinity;
  for (const m of pool) {
    const cost = costOf(m, usage);
    const better = !best || measuredRank(m) > measuredRank(best) || (measuredRank(m) === measuredRank(best) && cost < bestCost);
    if (better) [best, bestCost] = [m, cost];
  }
  return best;
}

function latencyDelta(profile: WorkloadProfile, from: { provider: string; model: string }, to: CatalogModel): number | null {
  const cur = profile.models.find((m) => m.provider === from.provider && m.model === from.model)?.latency_ms.p50;
  const alt = profile.models.find((m) => m.known && m.model === to.id)?.latency_ms.p50;
  return cur == null || alt == null ? null : alt - cur;
}

export const modelDowngrade: Tool = {
  id: 'model_downgrade',
  family: 'cost',
  description: 'Segments with short outputs (p50 ≤ 200 tokens) on a model with a cheaper stand-in; half the traffic routed.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile, MIN_CALLS)) {
      const p50 = seg.output_tokens_dist.p50;
      if (p50 === null || p50 > DOWNGRADE_MAX_OUTPUT_P50) continue;
      const usage = usageOf(seg);
      const alt = chooseSubstitute(model, usage, seg.input_tokens_dist.max ?? 0);
      if (!alt) continue;
      const current = costOf(model, usage);
      const candidate = costOf(alt, usage);
      const saving = (current - candidate) * DOWNGRADE_ADOPTION;
      if (saving <= 0) continue;
      findings.push(
        savingFinding(
          {
            tool: 'model_downgrade',
            family: 'cost',
            title: `Route ${seg.feature || 'untagged calls'} from ${seg.model} to ${alt.id}`,
            summary: `${segmentLabel(seg)} returns short answers (p50 ${p50} tokens); sending half of it to ${alt.provider}/${alt.id} saves ${formatUsd(saving)} in the window.`,
            where: segmentWhere(seg),
            calls_affected: seg.calls,
            confidence: confidence(seg.calls, 'medium'),
            risk: 'medium',
            latency_effect_ms: latencyDelta(profile, seg, alt),
            evidence: {
              output_tokens_p50: p50,
              input_tokens_max: seg.input_tokens_dist.max,
              current_cost_nanousd: current,
              substitute: { provider: alt.provider, model: alt.id, tier: capabilityOf(alt).tier, capability_score: capabilityOf(alt).score, context_window: alt.context_window },
              current_capability: capabilityOf(model),
              substitute_cost_nanousd: candidate,
              adoption: DOWNGRADE_ADOPTION,
              formula: '(cost(current, U) − cost(substitute, U)) × adoption',
            },
            recommendation: `Route ${seg.feature || 'these calls'} to ${alt.provider}/${alt.id} (start with half the traffic, compare quality on an eval set).`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

// LEVERS L8: the same open-weights model served cheaper by another provider.
import { sameOpenModel, type CatalogModel } from '../../catalog/index.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { confidence, costOf, formatUsd, knownSegments, savingFinding, segmentLabel, segmentWhere, usageOf, type Tool } from '../shared.js';

function modelInputP99(profile: WorkloadProfile, provider: string, model: string): number {
  return profile.models.find((m) => m.provider === provider && m.model === model)?.input_tokens_dist.p99 ?? 0;
}

export const providerSwitch: Tool = {
  id: 'provider_switch',
  family: 'cost',
  description: 'Same open-weights model at a cheaper provider whose context fits the p99 input.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      const p99 = modelInputP99(profile, seg.provider, seg.model);
      const usage = usageOf(seg);
      const current = costOf(model, usage);
      let best: { alt: CatalogModel; cost: number } | undefined;
      for (const alt of sameOpenModel(model).filter((m) => m.context_window > 0 && m.context_window >= p99)) {
        const cost = costOf(alt, usage);
        if (!best || cost < best.cost) best = { alt, cost };
      }
      if (!best) continue;
      const saving = current - best.cost;
      if (saving <= 0) continue;
      const { alt } = best;
      findings.push(
        savingFinding(
          {
            tool: 'provider_switch',
            family: 'cost',
            title: `Serve ${model.open_model} from ${alt.provider} instead of ${seg.provider}`,
            summary: `${segmentLabel(seg)}: the same open weights cost ${formatUsd(best.cost)} at ${alt.provider} instead of ${formatUsd(current)} (same weights, possibly different precision).`,
            where: segmentWhere(seg),
            calls_affected: seg.calls,
            confidence: confidence(seg.calls, 'high'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: {
              open_model: model.open_model,
              input_tokens_p99: p99,
              current_cost_nanousd: current,
              alternative: { provider: alt.provider, model: alt.id, context_window: alt.context_window },
              alternative_cost_nanousd: best.cost,
              formula: 'cost(current, U) − cost(cheapest same-open-model alternative with context ≥ p99 input, U)',
            },
            recommendation: `Point ${seg.feature || 'these calls'} at ${alt.provider}/${alt.id}; check its precision and tokens/s first.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

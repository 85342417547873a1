// Supply researcher: what the org's biggest model's workload would cost on each candidate model, from the
// catalog (price, context window, capability tier), at the workload's real volume and token averages.
import { estimateWorkload, type EstimateResult } from '../../engine/catalog';
import { MONTH_DAYS } from '../../engine/findings';
import type { WorkloadProfile } from '../../engine/profile/types';

export interface Alternatives {
  provider: string;
  model: string;
  estimate: EstimateResult;
}

export function alternativesForTopModel(profile: WorkloadProfile, limit = 5): Alternatives | null {
  const top = profile.models.find((m) => m.known && m.calls > 0);
  if (!top || profile.window.days <= 0) return null;
  const estimate = estimateWorkload(
    {
      calls_per_month: Math.max(1, Math.round((top.calls * MONTH_DAYS) / profile.window.days)),
      avg_input_tokens: top.input_tokens / top.calls,
      avg_output_tokens: top.output_tokens / top.calls,
      cached_share: top.input_tokens > 0 ? top.cached_input_tokens / top.input_tokens : 0,
      batch_share: 0,
    },
    { current_model: top.model, current_provider: top.provider, limit },
  );
  return { provider: top.provider, model: top.model, estimate };
}

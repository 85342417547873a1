// LEVERS L3: calls a response cache would have answered — exact repeats and templated near-repeats.
import { confidence, formatPct, formatUsd, ratio, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

export const NEAR_DUP_HIT_RATE = 0.5;

export const exactDuplicates: Tool = {
  id: 'exact_duplicates',
  family: 'cache',
  description: 'Identical prompts (same prompt_hash, provider, model) within 24 h of an ok answer: exact response cache.',
  run(profile) {
    return profile.segments
      .filter((seg) => seg.exact_dup_calls > 0)
      .map((seg) =>
        savingFinding(
          {
            tool: 'exact_duplicates',
            family: 'cache',
            title: `Cache responses of ${seg.feature || 'untagged calls'}`,
            summary: `${seg.exact_dup_calls} calls (${formatPct(ratio(seg.exact_dup_calls, seg.calls))}) of ${segmentLabel(seg)} repeated a prompt answered in the previous 24 h; a response cache saves ${formatUsd(seg.exact_dup_cost_nanousd)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.exact_dup_calls,
            confidence: confidence(seg.exact_dup_calls, 'high'),
            risk: 'low',
            latency_effect_ms: seg.exact_dup_latency_ms > 0 ? -seg.exact_dup_latency_ms / seg.exact_dup_calls : null,
            evidence: {
              exact_dup_calls: seg.exact_dup_calls,
              exact_dup_cost_nanousd: seg.exact_dup_cost_nanousd,
              double_fire_calls: seg.double_fire_calls,
              top_prompts: profile.duplicate_prompts.filter((p) => p.provider === seg.provider && p.model === seg.model).slice(0, 5),
            },
            recommendation:
              seg.double_fire_calls > 0
                ? `Fix the client that fires the same request twice (${seg.double_fire_calls} within 2 s) and cache responses for 24 h.`
                : 'Enable the gateway exact-response cache (24 h TTL) for this feature.',
          },
          seg.exact_dup_cost_nanousd,
          profile,
        ),
      );
  },
};

export const nearDuplicates: Tool = {
  id: 'near_duplicates',
  family: 'cache',
  description: 'Same prompt but the last 512-token block, same length in blocks, within 24 h: semantic cache (50% hit haircut).',
  run(profile) {
    return profile.segments
      .filter((seg) => seg.near_dup_calls > 0)
      .map((seg) => {
        const saving = NEAR_DUP_HIT_RATE * seg.near_dup_cost_nanousd;
        return savingFinding(
          {
            tool: 'near_duplicates',
            family: 'cache',
            title: `Near-duplicate prompts in ${seg.feature || 'untagged calls'}`,
            summary: `${seg.near_dup_calls} calls of ${segmentLabel(seg)} differ from an earlier prompt only in their last block; a semantic cache could answer about half: ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.near_dup_calls,
            confidence: confidence(seg.near_dup_calls, 'low'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: { near_dup_calls: seg.near_dup_calls, near_dup_cost_nanousd: seg.near_dup_cost_nanousd, hit_rate: NEAR_DUP_HIT_RATE },
            recommendation: 'Try a semantic cache with a strict similarity threshold on this feature; measure precision before trusting hits.',
          },
          saving,
          profile,
        );
      });
  },
};

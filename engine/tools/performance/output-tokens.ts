// LEVERS L5: output tokens — long tails that a max_tokens cap trims, and reasoning that a lower effort trims.
import { MIN_CALLS, confidence, formatPct, formatUsd, knownSegments, perToken, ratio, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

const MIN_TAIL_SHARE = 0.05;
export const REASONING_MIN_SHARE = 0.5;
export const REASONING_CUT = 0.3;

export const outputLengthCaps: Tool = {
  id: 'output_length_caps',
  family: 'performance',
  description: 'Output long tails: capping max_tokens at the p95 saves the tokens above it.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile, MIN_CALLS)) {
      const over = seg.output_over_p95_tokens;
      if (over <= 0 || ratio(over, seg.ok_output_tokens) < MIN_TAIL_SHARE) continue;
      const cap = seg.output_tokens_dist.p95;
      const saving = over * perToken(model.output_per_m);
      findings.push(
        savingFinding(
          {
            tool: 'output_length_caps',
            family: 'performance',
            title: `Cap max_tokens at ${cap} for ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)}: ${formatPct(ratio(over, seg.ok_output_tokens))} of output tokens lie above the p95 (${cap}); a cap there saves up to ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.ok_calls,
            confidence: confidence(seg.ok_calls, 'medium'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: {
              output_tokens_dist: seg.output_tokens_dist,
              output_over_p95_tokens: over,
              ok_output_tokens: seg.ok_output_tokens,
              max_tokens_set_calls: seg.max_tokens_set_calls,
              hit_max_tokens_calls: seg.hit_max_tokens_calls,
              output_per_m: model.output_per_m,
              formula: 'Σ max(0, output − p95) × P_out (upper bound)',
            },
            recommendation: `Set max_tokens = ${cap} for ${seg.feature || 'these calls'} and ask for concise answers; watch truncation.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

export const reasoningTokenShare: Tool = {
  id: 'reasoning_token_share',
  family: 'performance',
  description: 'Segments where reasoning tokens are ≥ 50% of output: a lower reasoning effort cuts ~30% of them.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile, MIN_CALLS)) {
      const share = ratio(seg.reasoning_tokens, seg.output_tokens);
      if (share < REASONING_MIN_SHARE) continue;
      const saving = REASONING_CUT * seg.reasoning_tokens * perToken(model.output_per_m);
      findings.push(
        savingFinding(
          {
            tool: 'reasoning_token_share',
            family: 'performance',
            title: `Lower reasoning effort for ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)}: ${formatPct(share)} of output tokens are reasoning; cutting them by ${REASONING_CUT * 100}% saves ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.calls,
            confidence: confidence(seg.calls, 'low'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: { reasoning_tokens: seg.reasoning_tokens, output_tokens: seg.output_tokens, reasoning_share: share, cut: REASONING_CUT, output_per_m: model.output_per_m },
            recommendation: `Set reasoning effort low (or a thinking budget) for ${seg.feature || 'these calls'} and compare answers on an eval set.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

// LEVERS L6: prompts far larger than the answers they produce.
import { MIN_CALLS, confidence, formatUsd, knownSegments, perToken, ratio, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

export const BLOAT_MIN_RATIO = 20;
export const COMPRESSION_SAVED_SHARE = 0.5; // compression ratio c = 2 → 1 − 1/c

export const contextBloat: Tool = {
  id: 'context_bloat',
  family: 'performance',
  description: 'Input/output > 20 (not embeddings): compress or trim the uncached part of the prompt (c = 2).',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile, MIN_CALLS)) {
      if (model.modality === 'embedding') continue; // what is embedded is the product, not overhead
      const inOut = ratio(seg.input_tokens, Math.max(1, seg.output_tokens));
      if (inOut <= BLOAT_MIN_RATIO) continue;
      const uncached = seg.input_tokens - seg.cached_input_tokens;
      const saving = COMPRESSION_SAVED_SHARE * uncached * perToken(model.input_per_m);
      findings.push(
        savingFinding(
          {
            tool: 'context_bloat',
            family: 'performance',
            title: `Trim prompts of ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)} sends ${Math.round(inOut)} input tokens per output token; halving the uncached prompt saves ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.calls,
            confidence: confidence(seg.calls, 'low'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: {
              input_tokens: seg.input_tokens,
              output_tokens: seg.output_tokens,
              cached_input_tokens: seg.cached_input_tokens,
              input_output_ratio: inOut,
              compression_saved_share: COMPRESSION_SAVED_SHARE,
              input_per_m: model.input_per_m,
            },
            recommendation: 'Retrieve fewer/shorter chunks, drop unused instructions or compress the prompt (LLMLingua); keep the cached prefix intact.',
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

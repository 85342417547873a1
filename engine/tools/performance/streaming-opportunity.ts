// LEVERS L11: user-facing calls waiting for the whole answer instead of streaming it.
import { confidence, ratio, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

const MIN_USER_SHARE = 0.5;
const MIN_NON_STREAMED_SHARE = 0.5;
const MIN_P50_MS = 2000;

export const streamingOpportunity: Tool = {
  id: 'streaming_opportunity',
  family: 'performance',
  description: 'User-facing, mostly unstreamed segments with p50 latency > 2 s: perceived latency drops to TTFT.',
  run(profile) {
    const findings = [];
    for (const seg of profile.segments) {
      const p50 = seg.latency_non_streamed_ms.p50;
      if (p50 === null || p50 <= MIN_P50_MS) continue;
      if (ratio(seg.user_calls, seg.calls) < MIN_USER_SHARE || ratio(seg.non_streamed_calls, seg.calls) < MIN_NON_STREAMED_SHARE) continue;
      const model = profile.models.find((m) => m.provider === seg.provider && m.model === seg.model);
      const ttft = model?.ttft_streamed_ms.p50 ?? model?.ttft_ms.p50 ?? null;
      if (ttft === null || ttft >= p50) continue;
      const effect = -(p50 - ttft);
      findings.push(
        savingFinding(
          {
            tool: 'streaming_opportunity',
            family: 'performance',
            title: `Stream ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)}: users wait ${p50} ms (p50) for the full answer; streaming shows the first token after ≈ ${ttft} ms.`,
            where: segmentWhere(seg),
            calls_affected: seg.non_streamed_calls,
            confidence: confidence(seg.non_streamed_calls, 'medium'),
            risk: 'low',
            latency_effect_ms: effect,
            evidence: { latency_non_streamed_ms: seg.latency_non_streamed_ms, ttft_estimate_ms: ttft, user_calls: seg.user_calls, non_streamed_calls: seg.non_streamed_calls },
            recommendation: `Set stream: true for ${seg.feature || 'these calls'} and render tokens as they arrive.`,
          },
          0,
          profile,
        ),
      );
    }
    return findings;
  },
};

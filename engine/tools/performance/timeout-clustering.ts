// LEVERS L7(d): latencies piling up at a round client time-out.
import { confidence, insightFinding, ratio, segmentLabel, segmentWhere, type Tool } from '../shared.js';

const MIN_CALLS_AT_LIMIT = 5;
const MIN_SHARE = 0.01;

export const timeoutClustering: Tool = {
  id: 'timeout_clustering',
  family: 'performance',
  description: 'Segments whose latencies cluster at a round client time-out (10/30/60/120/300/600 s).',
  run(profile) {
    const findings = [];
    for (const seg of profile.segments) {
      const clusters = seg.latency_at_limit.filter((l) => l.calls >= MIN_CALLS_AT_LIMIT && ratio(l.calls, seg.calls) >= MIN_SHARE);
      const worst = clusters.sort((a, b) => b.calls - a.calls)[0];
      if (!worst) continue;
      findings.push(
        insightFinding(
          {
            tool: 'timeout_clustering',
            family: 'performance',
            title: `${worst.limit_s} s time-out cluster in ${seg.feature || 'untagged calls'}`,
            summary: `${worst.calls} calls of ${segmentLabel(seg)} end ${worst.limit_s}–${worst.limit_s + 1} s after they start: a client time-out is cutting them off (${seg.timeout_calls} time-out statuses).`,
            where: segmentWhere(seg),
            calls_affected: worst.calls,
            confidence: confidence(worst.calls * 20),
            risk: 'low',
            evidence: { clusters, timeout_calls: seg.timeout_calls, latency_ms: seg.latency_ms },
            recommendation: 'Stream or cap max_tokens so answers finish before the time-out, or raise the client time-out; do not retry time-outs blindly.',
          },
          profile,
        ),
      );
    }
    return findings;
  },
};

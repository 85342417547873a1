// Latency and time-to-first-token percentiles per model.
import { confidence, insightFinding, modelWhere, type Tool } from '../shared.js';

export const latencyPercentiles: Tool = {
  id: 'latency_percentiles',
  family: 'performance',
  description: 'Latency p50/p95/p99 and TTFT p50/p95/p99 of ok calls, per model.',
  run(profile) {
    return profile.models
      .filter((m) => m.latency_ms.count > 0 || m.ttft_ms.count > 0)
      .map((m) =>
        insightFinding(
          {
            tool: 'latency_percentiles',
            family: 'performance',
            title: `Latency of ${m.provider}/${m.model}`,
            summary:
              `p50 ${m.latency_ms.p50 ?? '–'} ms, p95 ${m.latency_ms.p95 ?? '–'} ms, p99 ${m.latency_ms.p99 ?? '–'} ms` +
              (m.ttft_ms.count > 0 ? `; time to first token p50 ${m.ttft_ms.p50} ms, p95 ${m.ttft_ms.p95} ms.` : '.'),
            where: modelWhere(m),
            calls_affected: Math.max(m.latency_ms.count, m.ttft_ms.count),
            confidence: confidence(m.latency_ms.count),
            risk: 'low',
            evidence: { latency_ms: m.latency_ms, ttft_ms: m.ttft_ms, ttft_streamed_ms: m.ttft_streamed_ms },
            recommendation: 'Track these per model; the latency findings below say which ones to move.',
          },
          profile,
        ),
      );
  },
};

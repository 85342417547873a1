// LEVERS L7(a): failed calls that were billed anyway.
import { confidence, formatUsd, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

export const retryWaste: Tool = {
  id: 'retry_waste',
  family: 'performance',
  description: 'Failed calls billed for output (status ≠ ok, output > 0), with the retries they caused.',
  run(profile) {
    return profile.segments
      .filter((seg) => seg.billed_failed_calls > 0)
      .map((seg) =>
        savingFinding(
          {
            tool: 'retry_waste',
            family: 'performance',
            title: `Billed failures in ${seg.feature || 'untagged calls'}`,
            summary: `${seg.billed_failed_calls} calls of ${segmentLabel(seg)} failed after generating output and still cost ${formatUsd(seg.billed_failed_cost_nanousd)}; ${seg.retry_calls} retries followed failures.`,
            where: segmentWhere(seg),
            calls_affected: seg.billed_failed_calls,
            confidence: confidence(seg.billed_failed_calls, 'high'),
            risk: 'low',
            latency_effect_ms: seg.retry_calls > 0 ? -seg.retry_wait_ms / seg.retry_calls : null,
            evidence: {
              billed_failed_calls: seg.billed_failed_calls,
              billed_failed_cost_nanousd: seg.billed_failed_cost_nanousd,
              retry_calls: seg.retry_calls,
              retry_wait_ms: seg.retry_wait_ms,
              timeout_calls: seg.timeout_calls,
              error_calls: seg.error_calls,
            },
            recommendation: 'Fix the cause of the failures (time-outs, cancellations), stream long answers and cap max_tokens so calls finish.',
          },
          seg.billed_failed_cost_nanousd,
          profile,
        ),
      );
  },
};

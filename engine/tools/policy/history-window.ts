// LEVERS L6: chat sessions that resend an ever-growing history.
import { confidence, formatPct, formatUsd, knownSegments, perToken, ratio, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';
import { HISTORY_WINDOW_TOKENS } from '../../profile/derive.js';

export const MIN_FOLLOWUPS = 10;
export const MIN_GROWING_SHARE = 0.5;

export const historyWindow: Tool = {
  id: 'history_window',
  family: 'policy',
  description: `Sessions whose input grows turn after turn: a ${HISTORY_WINDOW_TOKENS}-token history window.`,
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      if (seg.followup_calls < MIN_FOLLOWUPS || ratio(seg.growing_calls, seg.followup_calls) < MIN_GROWING_SHARE) continue;
      const saving = seg.history_excess_tokens * perToken(model.input_per_m);
      if (saving <= 0) continue;
      findings.push(
        savingFinding(
          {
            tool: 'history_window',
            family: 'policy',
            title: `Window the chat history of ${seg.feature || 'untagged calls'}`,
            summary: `${formatPct(ratio(seg.growing_calls, seg.followup_calls))} of follow-up turns of ${segmentLabel(seg)} resend a longer history; keeping the last ${HISTORY_WINDOW_TOKENS} tokens saves ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.growing_calls,
            confidence: confidence(seg.growing_calls, 'medium'),
            risk: 'medium',
            latency_effect_ms: null,
            evidence: {
              followup_calls: seg.followup_calls,
              growing_calls: seg.growing_calls,
              history_excess_tokens: seg.history_excess_tokens,
              window_tokens: HISTORY_WINDOW_TOKENS,
              input_per_m: model.input_per_m,
            },
            recommendation: `Keep the last ${HISTORY_WINDOW_TOKENS} tokens of history (summarise older turns) for ${seg.feature || 'these calls'}.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

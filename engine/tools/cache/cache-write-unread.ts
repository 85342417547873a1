// LEVERS L2: explicit cache writes (Anthropic) that no later call read within 5 minutes.
import { cachePrices, confidence, formatUsd, knownSegments, savingFinding, segmentLabel, segmentWhere, type Tool } from '../shared.js';

export const cacheWriteUnread: Tool = {
  id: 'cache_write_unread',
  family: 'cache',
  description: 'Cache writes never read within 5 min: the write premium is pure waste.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      const prices = cachePrices(model);
      if (!prices || prices.writePremium <= 0 || seg.cache_write_unread_tokens <= 0) continue;
      const saving = seg.cache_write_unread_tokens * prices.writePremium;
      findings.push(
        savingFinding(
          {
            tool: 'cache_write_unread',
            family: 'cache',
            title: `Unread cache writes in ${seg.feature || 'untagged calls'}`,
            summary: `${seg.cache_write_unread_calls} calls of ${segmentLabel(seg)} wrote ${seg.cache_write_unread_tokens} tokens to the prompt cache that nothing read; the write premium cost ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: seg.cache_write_unread_calls,
            confidence: confidence(seg.cache_write_unread_calls, 'high'),
            risk: 'low',
            latency_effect_ms: null,
            evidence: {
              cache_write_calls: seg.cache_write_calls,
              cache_write_unread_calls: seg.cache_write_unread_calls,
              cache_write_unread_tokens: seg.cache_write_unread_tokens,
              write_premium_nanousd_per_token: prices.writePremium,
            },
            recommendation: 'Move the cache_control breakpoint to the part that really repeats, or drop it for one-off prompts.',
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

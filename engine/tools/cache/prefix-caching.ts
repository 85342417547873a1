// LEVERS L2: provider prompt (prefix) caching — potential per segment and the TTL choice.
import { CACHE_TTLS_S } from '../../profile/types.js';
import {
  cachePrices,
  confidence,
  formatUsd,
  knownSegments,
  minTokensBucket,
  prefixCacheSaving,
  prefixStats,
  savingFinding,
  segmentLabel,
  segmentWhere,
  ttlBucket,
  type Tool,
} from '../shared.js';

const [TTL_5M, TTL_1H] = CACHE_TTLS_S;

export const prefixCaching: Tool = {
  id: 'prefix_caching',
  family: 'cache',
  description: 'Repeated prompt prefixes not billed as cached, priced with the provider rules (minimum, TTL, write premium).',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      const prices = cachePrices(model);
      if (!prices || prices.cachedRead >= prices.input || seg.prefix_calls === 0) continue;
      const ttl = ttlBucket(model);
      const min = minTokensBucket(model);
      const saving = prefixCacheSaving(seg, prices, ttl, min);
      if (saving <= 0) continue;
      const st = prefixStats(seg, ttl, min);
      findings.push(
        savingFinding(
          {
            tool: 'prefix_caching',
            family: 'cache',
            title: `Cache the shared prompt prefix of ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)}: ${st.gap_tokens} repeated prefix tokens (within ${ttl / 60} min, ≥ ${min} tokens) were billed at the full input price; caching them saves ${formatUsd(saving)}.`,
            where: segmentWhere(seg),
            calls_affected: st.hit_calls,
            confidence: confidence(st.hit_calls, 'high'),
            risk: 'low',
            latency_effect_ms: null,
            evidence: {
              ttl_s: ttl,
              min_tokens: min,
              prefix: st,
              explicit_writes: prices.explicit,
              input_nanousd_per_token: prices.input,
              cached_nanousd_per_token: prices.cachedRead,
              write_premium_nanousd_per_token: prices.writePremium,
              formula: 'gap_tokens × (P_in − P_cr) − extra_write_tokens × write_premium',
            },
            recommendation: prices.explicit
              ? `Put static instructions, tools and documents first and mark them with cache_control for ${seg.feature || 'these calls'}.`
              : `Put static content first and dynamic values last (and set prompt_cache_key) so ${seg.provider} caches the prefix automatically.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

export const cacheTtlTuning: Tool = {
  id: 'cache_ttl_tuning',
  family: 'cache',
  description: 'Explicit caches (Anthropic): 1 h TTL (2× write) against 5 min (1.25×), incremental saving.',
  run(profile) {
    const findings = [];
    for (const { seg, model } of knownSegments(profile)) {
      const prices = cachePrices(model);
      if (!prices?.explicit || seg.prefix_calls === 0) continue;
      const min = minTokensBucket(model);
      const save5 = prefixCacheSaving(seg, prices, TTL_5M, min);
      const save1h = prefixCacheSaving(seg, prices, TTL_1H, min);
      const saving = save1h - Math.max(0, save5);
      if (save1h <= Math.max(0, save5) || saving <= 0) continue;
      findings.push(
        savingFinding(
          {
            tool: 'cache_ttl_tuning',
            family: 'cache',
            title: `Use the 1 h cache TTL for ${seg.feature || 'untagged calls'}`,
            summary: `${segmentLabel(seg)}: prefixes come back after more than 5 min; a 1 h TTL (2× write) saves ${formatUsd(saving)} more than the 5 min TTL.`,
            where: segmentWhere(seg),
            calls_affected: prefixStats(seg, TTL_1H, min).hit_calls,
            confidence: confidence(prefixStats(seg, TTL_1H, min).hit_calls, 'medium'),
            risk: 'low',
            latency_effect_ms: null,
            evidence: {
              min_tokens: min,
              saving_5m_nanousd: Math.round(save5),
              saving_1h_nanousd: Math.round(save1h),
              prefix_5m: prefixStats(seg, TTL_5M, min),
              prefix_1h: prefixStats(seg, TTL_1H, min),
            },
            recommendation: `Set cache_control ttl "1h" on the static prefix of ${seg.feature || 'these calls'}.`,
          },
          saving,
          profile,
        ),
      );
    }
    return findings;
  },
};

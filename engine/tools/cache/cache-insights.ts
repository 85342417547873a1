// Prompt-cache facts per model: realised vs potential cached share, and prefixes below the provider minimum.
import type { CatalogModel } from '../../catalog/index.js';
import type { CacheMinTokens, ModelProfile, WorkloadProfile } from '../../profile/types.js';
import { cachePrices, catalogModelOf, confidence, formatPct, insightFinding, minTokensBucket, modelWhere, prefixStats, ratio, ttlBucket, type Tool } from '../shared.js';

export const MIN_PREFIX_SHORTFALL = 0.1;

function repeatTokens(profile: WorkloadProfile, m: ModelProfile, catalog: CatalogModel, min: CacheMinTokens): number {
  let sum = 0;
  for (const s of profile.segments) if (s.provider === m.provider && s.model === m.model) sum += prefixStats(s, ttlBucket(catalog), min).repeat_tokens;
  return sum;
}

function cachedModels(profile: WorkloadProfile) {
  const out: { m: ModelProfile; catalog: CatalogModel }[] = [];
  for (const m of profile.models) {
    const catalog = catalogModelOf(m);
    if (catalog && cachePrices(catalog)) out.push({ m, catalog });
  }
  return out;
}

export const cacheHitRate: Tool = {
  id: 'cache_hit_rate',
  family: 'cache',
  description: 'Per model: share of input billed as cached against the share a prompt cache could serve.',
  run(profile) {
    const findings = [];
    for (const { m, catalog } of cachedModels(profile)) {
      const potential = repeatTokens(profile, m, catalog, minTokensBucket(catalog));
      if (potential === 0 && m.cached_input_tokens === 0) continue;
      findings.push(
        insightFinding(
          {
            tool: 'cache_hit_rate',
            family: 'cache',
            title: `Prompt-cache hit rate of ${m.provider}/${m.model}`,
            summary: `${formatPct(ratio(m.cached_input_tokens, m.input_tokens))} of input tokens were billed as cached; repeated prefixes make ${formatPct(ratio(potential, m.input_tokens))} cacheable.`,
            where: modelWhere(m),
            calls_affected: m.calls,
            confidence: confidence(m.calls),
            risk: 'low',
            evidence: { input_tokens: m.input_tokens, cached_input_tokens: m.cached_input_tokens, cacheable_repeat_tokens: potential, ttl_s: ttlBucket(catalog), min_tokens: minTokensBucket(catalog) },
            recommendation: 'Close the gap with the prefix-caching findings.',
          },
          profile,
        ),
      );
    }
    return findings;
  },
};

export const cacheMinPrefix: Tool = {
  id: 'cache_min_prefix',
  family: 'cache',
  description: 'Repeated prefixes shorter than the provider minimum (e.g. 4096 on Haiku 4.5): caching is silently skipped.',
  run(profile) {
    const findings = [];
    for (const { m, catalog } of cachedModels(profile)) {
      const min = minTokensBucket(catalog);
      if (min <= 512) continue;
      const all = repeatTokens(profile, m, catalog, 512);
      const eligible = repeatTokens(profile, m, catalog, min);
      const short = all - eligible;
      if (all === 0 || ratio(short, all) < MIN_PREFIX_SHORTFALL) continue;
      findings.push(
        insightFinding(
          {
            tool: 'cache_min_prefix',
            family: 'cache',
            title: `Prefixes under the ${catalog.cache_min_tokens}-token cache minimum on ${m.model}`,
            summary: `${formatPct(ratio(short, all))} of repeated prefix tokens on ${m.provider}/${m.model} come from prefixes shorter than ${min} tokens, which the provider does not cache.`,
            where: modelWhere(m),
            calls_affected: m.calls,
            confidence: confidence(m.calls),
            risk: 'low',
            evidence: { repeat_tokens_at_512: all, repeat_tokens_at_minimum: eligible, min_tokens: min, provider_min_tokens: catalog.cache_min_tokens },
            recommendation: 'Merge the static parts into one longer prefix, or use a model with a lower caching minimum for this traffic.',
          },
          profile,
        ),
      );
    }
    return findings;
  },
};

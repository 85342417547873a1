// Fallback chains for models that fail often: same weights elsewhere, else a same-tier stand-in at another provider.
import { measuredRank, sameOpenModel, substitutes, type CatalogModel } from '../../catalog/index.js';
import { catalogModelOf, confidence, formatPct, insightFinding, modelWhere, ratio, type Tool } from '../shared.js';

export const FALLBACK_MIN_CALLS = 20;
export const FALLBACK_MIN_ERROR_SHARE = 0.02;

/** The model to fall back to: cheapest same-open-model alternative, else the highest measured tier, cheapest substitute at another provider. */
export function fallbackFor(m: CatalogModel): CatalogModel | undefined {
  const same = sameOpenModel(m).filter((c) => c.provider !== m.provider)[0];
  if (same) return same;
  return substitutes(m)
    .filter((c) => c.provider !== m.provider)
    .sort((a, b) => measuredRank(b) - measuredRank(a))[0];
}

export const fallbackChains: Tool = {
  id: 'fallback_chains',
  family: 'policy',
  description: 'Models with ≥ 2% failed calls: a fallback chain to another provider.',
  run(profile) {
    const findings = [];
    for (const m of profile.models) {
      if (m.calls < FALLBACK_MIN_CALLS || ratio(m.error_calls, m.calls) < FALLBACK_MIN_ERROR_SHARE) continue;
      const catalog = catalogModelOf(m);
      const fallback = catalog ? fallbackFor(catalog) : undefined;
      const existing = profile.segments.filter((s) => s.provider === m.provider && s.model === m.model).reduce((a, s) => a + s.fallback_calls, 0);
      const chain = [{ provider: m.provider, model: m.model }, ...(fallback ? [{ provider: fallback.provider, model: fallback.id }] : [])];
      findings.push(
        insightFinding(
          {
            tool: 'fallback_chains',
            family: 'policy',
            title: `Fallback chain for ${m.provider}/${m.model}`,
            summary:
              `${formatPct(ratio(m.error_calls, m.calls))} of calls to ${m.provider}/${m.model} failed (${m.status_429_calls} rate-limited, ${m.timeout_calls} time-outs)` +
              (fallback ? `; fall back to ${fallback.provider}/${fallback.id}.` : '; no catalog model can stand in at another provider.'),
            where: modelWhere(m),
            calls_affected: m.error_calls,
            confidence: confidence(m.calls, 'medium'),
            risk: 'low',
            evidence: { error_calls: m.error_calls, status_429_calls: m.status_429_calls, timeout_calls: m.timeout_calls, existing_fallback_calls: existing, chain },
            recommendation: fallback
              ? `Configure the gateway to retry failed ${m.model} calls once on ${fallback.provider}/${fallback.id}, with backoff.`
              : 'Retry with exponential backoff and jitter; consider a second provider.',
          },
          profile,
        ),
      );
    }
    return findings;
  },
};

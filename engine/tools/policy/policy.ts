// The gateway policy the optimizer proposes and the gateway enforces: ordered rules, first match wins.
import * as z from 'zod';

const modelRef = z.object({ provider: z.string().min(1).max(100), model: z.string().min(1).max(200) }).strict();
const share = z.number().min(0).max(1);

export const policyRule = z
  .object({
    id: z.string().min(1).max(200),
    /** Fields left out match anything; feature '' matches untagged calls. */
    match: z
      .object({ feature: z.string().max(200).optional(), provider: z.string().max(100).optional(), model: z.string().max(200).optional() })
      .strict(),
    /** Send `route_share` (default all) of the matching calls to this model. */
    route_to: modelRef.optional(),
    route_share: share.optional(),
    /** Output cap (max_tokens). */
    max_tokens: z.number().int().min(1).max(10_000_000).optional(),
    /** Provider prompt caching on (static prefix first, cache_control where explicit). */
    prompt_cache: z.boolean().optional(),
    /** Exact response cache, seconds. */
    response_cache_ttl_s: z.number().int().min(1).max(30 * 86_400).optional(),
    /** Share of matching calls sent through the batch API. */
    batch_share: share.optional(),
    /** Models to try, in order, when the call fails. */
    fallbacks: z.array(modelRef).max(5).optional(),
  })
  .strict();

export const gatewayPolicy = z
  .object({
    version: z.literal(1),
    rules: z.array(policyRule).max(1000),
    budget_usd_month: z.number().finite().min(0).optional(),
    /** Per end user, per UTC day. */
    user_daily_quota_usd: z.number().finite().min(0).optional(),
  })
  .strict();

export type ModelRef = z.infer<typeof modelRef>;
export type PolicyRule = z.infer<typeof policyRule>;
export type GatewayPolicy = z.infer<typeof gatewayPolicy>;

/** First rule matching a call's (feature, provider, model), or undefined. */
export function matchRule(policy: GatewayPolicy, feature: string, provider: string, model: string): PolicyRule | undefined {
  return policy.rules.find(
    (r) =>
      (r.match.feature === undefined || r.match.feature === feature) &&
      (r.match.provider === undefined || r.match.provider === provider) &&
      (r.match.model === undefined || r.match.model === model),
  );
}

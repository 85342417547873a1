// Turns the saving findings into one gateway policy: a rule per segment (route, cap, caches, batch),
// fallbacks per model, the budget and the user quota.
import type { Finding } from '../../findings.js';
import type { WorkloadProfile } from '../../profile/types.js';
import { DOWNGRADE_ADOPTION } from '../cost/model-downgrade.js';
import { insightFinding, segmentKey, type Tool, type ToolContext } from '../shared.js';
import type { GatewayPolicy, ModelRef, PolicyRule } from './policy.js';

export const RESPONSE_CACHE_TTL_S = 86_400;

function modelRefIn(evidence: Record<string, unknown>, field: string): ModelRef | undefined {
  const v = evidence[field] as { provider?: unknown; model?: unknown } | undefined;
  return typeof v?.provider === 'string' && typeof v.model === 'string' ? { provider: v.provider, model: v.model } : undefined;
}

function numberIn(evidence: Record<string, unknown>, ...path: string[]): number | undefined {
  let v: unknown = evidence;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function applyFinding(rule: PolicyRule, f: Finding, routeSaving: { value: number }): void {
  switch (f.tool) {
    case 'model_downgrade':
    case 'provider_switch': {
      const to = modelRefIn(f.evidence, f.tool === 'model_downgrade' ? 'substitute' : 'alternative');
      if (!to || f.saving_nanousd <= routeSaving.value) return;
      routeSaving.value = f.saving_nanousd;
      rule.route_to = to;
      rule.route_share = f.tool === 'model_downgrade' ? DOWNGRADE_ADOPTION : 1;
      return;
    }
    case 'output_length_caps': {
      const cap = numberIn(f.evidence, 'output_tokens_dist', 'p95');
      if (cap !== undefined && cap >= 1) rule.max_tokens = Math.round(cap);
      return;
    }
    case 'exact_duplicates':
      rule.response_cache_ttl_s = RESPONSE_CACHE_TTL_S;
      return;
    case 'prefix_caching':
    case 'cache_ttl_tuning':
      rule.prompt_cache = true;
      return;
    case 'batch_eligibility':
      rule.batch_share = 1;
      return;
  }
}

export function synthesizePolicy(profile: WorkloadProfile, ctx: Pick<ToolContext, 'findings' | 'budget_usd_month'>): GatewayPolicy {
  const bySegment = new Map<string, Finding[]>();
  for (const f of ctx.findings) {
    if (f.kind !== 'saving' || f.saving_nanousd <= 0 || !f.where.provider || !f.where.model) continue;
    const k = segmentKey(f.where);
    bySegment.set(k, [...(bySegment.get(k) ?? []), f]);
  }
  const fallbacks = new Map<string, ModelRef[]>();
  for (const f of ctx.findings) {
    if (f.tool !== 'fallback_chains') continue;
    const chain = (f.evidence.chain as ModelRef[] | undefined) ?? [];
    if (chain.length > 1) fallbacks.set(`${f.where.provider}\u0000${f.where.model}`, chain.slice(1));
  }

  const rules: PolicyRule[] = [];
  for (const seg of profile.segments) {
    const found = bySegment.get(segmentKey({ feature: seg.feature, provider: seg.provider, model: seg.model }));
    const chain = fallbacks.get(`${seg.provider}\u0000${seg.model}`);
    if (!found && !chain) continue;
    const rule: PolicyRule = { id: `${seg.feature || 'untagged'}@${seg.provider}/${seg.model}`, match: { feature: seg.feature, provider: seg.provider, model: seg.model } };
    const routeSaving = { value: 0 };
    for (const f of found ?? []) applyFinding(rule, f, routeSaving);
    if (chain) rule.fallbacks = chain;
    if (Object.keys(rule).length > 2) rules.push(rule);
  }

  const policy: GatewayPolicy = { version: 1, rules };
  const budget = ctx.budget_usd_month ?? numberIn(ctx.findings.find((f) => f.tool === 'budget_guardrails')?.evidence ?? {}, 'suggested_budget_usd_month');
  if (budget !== undefined) policy.budget_usd_month = budget;
  const quota = numberIn(ctx.findings.find((f) => f.tool === 'user_quotas')?.evidence ?? {}, 'quota_nanousd_per_user_day');
  if (quota !== undefined) policy.user_daily_quota_usd = Math.round(quota / 1e4) / 1e5;
  return policy;
}

export const routingPolicy: Tool = {
  id: 'routing_policy',
  family: 'policy',
  description: 'A gateway policy (rules feature→model, max_tokens caps, caches, batch, fallbacks, budget, quota) from the findings.',
  run(profile, ctx) {
    const policy = synthesizePolicy(profile, ctx);
    if (policy.rules.length === 0) return [];
    const matched = profile.segments.filter((s) => policy.rules.some((r) => r.match.feature === s.feature && r.match.provider === s.provider && r.match.model === s.model));
    return [
      insightFinding(
        {
          tool: 'routing_policy',
          family: 'policy',
          title: 'Proposed gateway policy',
          summary: `${policy.rules.length} rules covering ${matched.length} feature/model groups: routing, output caps, caching, batch and fallbacks from the findings.`,
          where: { group: 'all' },
          calls_affected: matched.reduce((a, s) => a + s.calls, 0),
          confidence: 'medium',
          risk: 'medium',
          evidence: { policy },
          recommendation: 'Review the rules, simulate them (what_if_simulation), then activate the policy on the gateway.',
        },
        profile,
      ),
    ];
  },
};

// The four tiers of the seeds (free, early, mid, enterprise) and the limits enforced server-side.
// Pure data with no Worker types: ingestion, agents, the gateway and Node benchmarks import it.

export const TIERS = ['free', 'early', 'mid', 'enterprise'] as const;
/** Same names as `Auth['tier']` (workers/lib/services.ts); assigning one to the other is type-checked. */
export type Tier = (typeof TIERS)[number];

/** No tier may run more than this many agent runs at once per user (DESIGN.md "The agents"). */
export const MAX_CONCURRENT_RUNS = 5;

export interface TierLimits {
  /** Agent runs a user may start per UTC day. */
  runs_per_day: number;
  /** Agent runs of one user in flight at once (never above MAX_CONCURRENT_RUNS). */
  concurrent_runs: number;
  /** LLM call records the org may ingest per UTC calendar month. */
  ingested_calls_per_month: number;
  /** Days an ingested call stays queryable (the llm_calls TTL). */
  retention_days: number;
  /** Users in the org. */
  seats: number;
  /** Active API keys of the org. */
  api_keys: number;
  /** Authenticated requests per minute, per user and per API key. */
  requests_per_minute: number;
}

export interface TierDefinition {
  tier: Tier;
  /** The customer segment, by monthly AI spend in USD (seeds); null max = no upper bound. */
  monthly_ai_spend_usd: { min: number; max: number | null };
  pricing: string;
  /** Features this tier adds to those of the tiers below it (seeds: tier-specific endpoints). */
  adds_features: string[];
  limits: TierLimits;
}

export const TIER_DEFINITIONS: Record<Tier, TierDefinition> = {
  free: {
    tier: 'free',
    monthly_ai_spend_usd: { min: 0, max: 1_000 },
    pricing: 'free',
    adds_features: ['chat_analysis', 'quick_wins', 'sample_analysis'],
    limits: {
      runs_per_day: 20,
      concurrent_runs: 2,
      ingested_calls_per_month: 100_000,
      retention_days: 7,
      seats: 3,
      api_keys: 2,
      requests_per_minute: 120,
    },
  },
  early: {
    tier: 'early',
    monthly_ai_spend_usd: { min: 1_000, max: 10_000 },
    pricing: '20% of realized savings',
    adds_features: ['full_optimization_suite', 'usage_dashboard', 'savings_report'],
    limits: {
      runs_per_day: 200,
      concurrent_runs: 3,
      ingested_calls_per_month: 2_000_000,
      retention_days: 30,
      seats: 10,
      api_keys: 10,
      requests_per_minute: 300,
    },
  },
  mid: {
    tier: 'mid',
    monthly_ai_spend_usd: { min: 10_000, max: 100_000 },
    pricing: '20% of realized savings + platform fee',
    adds_features: ['advanced_analytics', 'gateway_policies'],
    limits: {
      runs_per_day: 1_000,
      concurrent_runs: MAX_CONCURRENT_RUNS,
      ingested_calls_per_month: 20_000_000,
      retention_days: 90,
      seats: 50,
      api_keys: 50,
      requests_per_minute: 600,
    },
  },
  enterprise: {
    tier: 'enterprise',
    monthly_ai_spend_usd: { min: 100_000, max: null },
    pricing: 'negotiated share of realized savings + SLA',
    adds_features: ['custom_integrations', 'bulk_optimization', 'sla_compliance', 'dedicated_support'],
    limits: {
      runs_per_day: 10_000,
      concurrent_runs: MAX_CONCURRENT_RUNS,
      ingested_calls_per_month: 500_000_000,
      retention_days: 365,
      seats: 1_000,
      api_keys: 500,
      requests_per_minute: 1_200,
    },
  },
};

export function tierLimits(tier: Tier): TierLimits {
  return TIER_DEFINITIONS[tier].limits;
}

/** Every feature of a tier: its own and those of the tiers below it. */
export function tierFeatures(tier: Tier): string[] {
  return TIERS.slice(0, TIERS.indexOf(tier) + 1).flatMap((t) => TIER_DEFINITIONS[t].adds_features);
}

/** True when `tier` includes everything of `required` (tiers are ordered free < early < mid < enterprise). */
export function tierAtLeast(tier: Tier, required: Tier): boolean {
  return TIERS.indexOf(tier) >= TIERS.indexOf(required);
}

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

// The optimizer tool registry: 30 pure tools in five families, run in this order (policy and
// reporting tools read the findings of the tools before them).
import type { Finding, ToolFamily } from '../findings.js';
import type { WorkloadProfile } from '../profile/types.js';
import { cacheHitRate, cacheMinPrefix } from './cache/cache-insights.js';
import { cacheWriteUnread } from './cache/cache-write-unread.js';
import { exactDuplicates, nearDuplicates } from './cache/duplicates.js';
import { cacheTtlTuning, prefixCaching } from './cache/prefix-caching.js';
import { batchEligibility } from './cost/batch-eligibility.js';
import { costAnomalies } from './cost/cost-anomalies.js';
import { modelDowngrade } from './cost/model-downgrade.js';
import { providerSwitch } from './cost/provider-switch.js';
import { spendBreakdown } from './cost/spend-breakdown.js';
import { contextBloat } from './performance/context-bloat.js';
import { latencyPercentiles } from './performance/latency-percentiles.js';
import { outputLengthCaps, reasoningTokenShare } from './performance/output-tokens.js';
import { rateLimitStorms } from './performance/rate-limit-storms.js';
import { retryWaste } from './performance/retry-waste.js';
import { streamingOpportunity } from './performance/streaming-opportunity.js';
import { timeoutClustering } from './performance/timeout-clustering.js';
import { budgetGuardrails } from './policy/budget-guardrails.js';
import { fallbackChains } from './policy/fallback-chains.js';
import { historyWindow } from './policy/history-window.js';
import { routingPolicy } from './policy/routing-policy.js';
import { userQuotas } from './policy/user-quotas.js';
import { whatIfSimulation } from './policy/what-if.js';
import { dataQuality } from './reporting/data-quality.js';
import { roiEstimate } from './reporting/roi.js';
import { savingsReport } from './reporting/savings-report.js';
import { usageTrend } from './reporting/usage-trend.js';
import { DEFAULT_CONTEXT, type Tool, type ToolContext } from './shared.js';

export type { Tool, ToolContext } from './shared.js';
export { combineSavings, type CombinedSavings } from './reporting/combine.js';
export { simulatePolicy, type SimulationResult, type RuleOutcome } from './policy/simulate.js';
export { gatewayPolicy, type GatewayPolicy, type PolicyRule } from './policy/policy.js';
export { synthesizePolicy } from './policy/routing-policy.js';

export const TOOLS: readonly Tool[] = [
  spendBreakdown,
  costAnomalies,
  modelDowngrade,
  providerSwitch,
  batchEligibility,
  latencyPercentiles,
  streamingOpportunity,
  timeoutClustering,
  rateLimitStorms,
  retryWaste,
  outputLengthCaps,
  reasoningTokenShare,
  contextBloat,
  prefixCaching,
  cacheTtlTuning,
  cacheWriteUnread,
  exactDuplicates,
  nearDuplicates,
  cacheHitRate,
  cacheMinPrefix,
  budgetGuardrails,
  userQuotas,
  historyWindow,
  fallbackChains,
  routingPolicy,
  whatIfSimulation,
  savingsReport,
  roiEstimate,
  usageTrend,
  dataQuality,
];

export const TOOL_IDS: readonly string[] = TOOLS.map((t) => t.id);

export interface RunOptions extends Partial<Omit<ToolContext, 'findings'>> {
  /** Run only these tools (ids); the others' findings are then not available to policy/reporting tools. */
  only?: readonly string[];
  families?: readonly ToolFamily[];
}

/** A saving finding worth showing: enough money, or a latency gain. */
function worthKeeping(f: Finding, minUsdMonth: number): boolean {
  if (f.kind !== 'saving') return true;
  return f.saving_usd_month >= minUsdMonth || (f.latency_effect_ms !== null && f.latency_effect_ms < 0);
}

/** Runs the tools in registry order; each sees the findings kept so far. */
export function runAllTools(profile: WorkloadProfile, opts: RunOptions = {}): Finding[] {
  const ctx: ToolContext = {
    ...DEFAULT_CONTEXT,
    ...(opts.budget_usd_month !== undefined ? { budget_usd_month: opts.budget_usd_month } : {}),
    ...(opts.engineer_hourly_usd !== undefined ? { engineer_hourly_usd: opts.engineer_hourly_usd } : {}),
    ...(opts.min_saving_usd_month !== undefined ? { min_saving_usd_month: opts.min_saving_usd_month } : {}),
    findings: [],
  };
  const findings: Finding[] = [];
  for (const tool of TOOLS) {
    if (opts.only && !opts.only.includes(tool.id)) continue;
    if (opts.families && !opts.families.includes(tool.family)) continue;
    for (const f of tool.run(profile, { ...ctx, findings })) if (worthKeeping(f, ctx.min_saving_usd_month)) findings.push(f);
  }
  return findings;
}

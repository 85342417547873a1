// Follow-up questions such as "what if only the summarize feature moves to a cheaper model?": builds a
// gateway policy for that scope and replays the window's traffic under it with the engine's simulator.
// The scope comes from the question, else from the thread's previous answer (its top saving's feature).
import { findModel, substitutes } from '../../engine/catalog';
import { nanoToUsd } from '../../engine/telemetry/record';
import { perMonthUsd, pctOf, type Finding } from '../../engine/findings';
import type { WorkloadProfile } from '../../engine/profile/types';
import type { GatewayPolicy } from '../../engine/tools/policy/policy';
import { simulatePolicy } from '../../engine/tools';
import type { TriageResult } from './triage';

export interface WhatIfResult {
  feature: string | null;
  target: { provider: string; model: string } | null;
  /** Why no simulation ran (no such feature, no cheaper model…). */
  skipped: string | null;
  before_usd: number;
  after_usd: number;
  saving_usd_month: number;
  saving_pct_of_feature: number;
  calls: number;
  policy: GatewayPolicy | null;
}

const skipped = (feature: string | null, why: string): WhatIfResult => ({ feature, target: null, skipped: why, before_usd: 0, after_usd: 0, saving_usd_month: 0, saving_pct_of_feature: 0, calls: 0, policy: null });

/** The target model: the one the user named, else the downgrade the optimizer proposed, else the cheapest stand-in. */
function targetFor(profile: WorkloadProfile, feature: string, named: string | undefined, findings: readonly Finding[]) {
  if (named) {
    const m = findModel(named);
    return m ? { provider: m.provider, model: m.id } : null;
  }
  const downgrade = findings.find((f) => f.tool === 'model_downgrade' && f.where.feature === feature)?.evidence.substitute as { provider: string; model: string } | undefined;
  if (downgrade) return { provider: downgrade.provider, model: downgrade.model };
  const main = profile.segments.filter((s) => s.feature === feature).sort((a, b) => b.cost_nanousd - a.cost_nanousd)[0];
  const current = main ? findModel(main.model, main.provider) : undefined;
  const alt = current ? substitutes(current)[0] : undefined;
  return alt ? { provider: alt.provider, model: alt.id } : null;
}

export function whatIf(profile: WorkloadProfile, scope: TriageResult['scope'], findings: readonly Finding[], previousFeature: string | null): WhatIfResult {
  const feature = scope.feature ?? previousFeature;
  if (!feature) return skipped(null, 'name the feature to move, e.g. "what if the summarize feature moves to gpt-4o-mini?"');
  const segments = profile.segments.filter((s) => s.feature === feature);
  if (segments.length === 0) return skipped(feature, `no calls tagged with feature "${feature}" in this window`);
  const target = targetFor(profile, feature, scope.target_model, findings);
  if (!target) return skipped(feature, scope.target_model ? `unknown model "${scope.target_model}"` : 'no cheaper model can stand in for this feature');
  const policy: GatewayPolicy = {
    version: 1,
    rules: segments.map((s) => ({ id: `what-if:${feature}@${s.provider}/${s.model}`, match: { feature, provider: s.provider, model: s.model }, route_to: target })),
  };
  const sim = simulatePolicy(profile, policy);
  return {
    feature,
    target,
    skipped: null,
    before_usd: nanoToUsd(sim.before_nanousd),
    after_usd: nanoToUsd(sim.after_nanousd),
    saving_usd_month: perMonthUsd(sim.saving_nanousd, profile.window.days),
    saving_pct_of_feature: pctOf(sim.saving_nanousd, sim.before_nanousd),
    calls: segments.reduce((n, s) => n + s.calls, 0),
    policy,
  };
}

// Replays the window under the proposed gateway policy.
import { gatewayPolicy } from './policy.js';
import { simulatePolicy } from './simulate.js';
import { formatUsd, insightFinding, type Tool } from '../shared.js';

export const whatIfSimulation: Tool = {
  id: 'what_if_simulation',
  family: 'policy',
  description: 'Before/after cost of the window replayed under the proposed gateway policy, per rule.',
  run(profile, ctx) {
    const proposed = ctx.findings.find((f) => f.tool === 'routing_policy')?.evidence.policy;
    const parsed = gatewayPolicy.safeParse(proposed);
    if (!parsed.success) return [];
    const sim = simulatePolicy(profile, parsed.data);
    return [
      insightFinding(
        {
          tool: 'what_if_simulation',
          family: 'policy',
          title: 'What-if: the proposed policy over the window',
          summary: `Replayed under the proposed policy the window costs ${formatUsd(sim.after_nanousd)} instead of ${formatUsd(sim.before_nanousd)} (${formatUsd(sim.saving_nanousd)} less).`,
          where: { group: 'all' },
          calls_affected: sim.per_rule.reduce((a, r) => a + r.calls, 0),
          confidence: 'medium',
          risk: 'medium',
          evidence: { ...sim },
          recommendation: 'Drop rules whose quality risk is not worth their saving, then activate the rest.',
        },
        profile,
      ),
    ];
  },
};

// Automatic rollback: after each ledger entry of a policy, compare its arms; when both have enough calls and
// the treated arm's error rate (or mean latency) regresses past the policy's thresholds against the control
// arm, the policy is set to `rolled_back` and the gateway stops applying it.
import { and, eq, sql } from 'drizzle-orm';
import { gatewayPolicies } from '../../db/schema';
import type { Stores } from '../auth/stores';
import { log } from '../../common/logger';
import { invalidateGatewayConfig, type ActivePolicy } from './config';

interface ArmHealth {
  calls: number;
  error_rate: number;
  mean_latency_ms: number;
}

export function regression(p: ActivePolicy['canary'], treated: ArmHealth, control: ArmHealth): string | null {
  if (treated.calls < p.min_calls || control.calls < p.min_calls) return null;
  if (treated.error_rate - control.error_rate > p.max_error_rate_increase) {
    return `treated error rate ${(treated.error_rate * 100).toFixed(1)}% vs control ${(control.error_rate * 100).toFixed(1)}% (threshold +${(p.max_error_rate_increase * 100).toFixed(1)} points)`;
  }
  if (control.mean_latency_ms > 0 && treated.mean_latency_ms / control.mean_latency_ms > p.max_latency_ratio) {
    return `treated mean latency ${Math.round(treated.mean_latency_ms)} ms vs control ${Math.round(control.mean_latency_ms)} ms (threshold ×${p.max_latency_ratio})`;
  }
  return null;
}

export async function checkCanary(stores: Stores, orgId: string, policy: ActivePolicy): Promise<void> {
  const r = await stores.db().execute<{ arm: string; calls: number; error_rate: number; mean_latency_ms: number }>(sql`
    select arm, count(*)::int as calls, avg((status <> 'ok')::int)::float8 as error_rate, avg(latency_ms)::float8 as mean_latency_ms
    from savings_ledger where org_id = ${orgId} and policy_id = ${policy.id} group by arm`);
  const arm = (name: string): ArmHealth => r.rows.find((x) => x.arm === name) ?? { calls: 0, error_rate: 0, mean_latency_ms: 0 };
  const reason = regression(policy.canary, arm('treated'), arm('control'));
  if (!reason) return;
  const rolled = await stores
    .db()
    .update(gatewayPolicies)
    .set({ status: 'rolled_back', rollback_reason: reason, deactivated_at: new Date() })
    .where(and(eq(gatewayPolicies.id, policy.id), eq(gatewayPolicies.org_id, orgId), eq(gatewayPolicies.status, 'active')))
    .returning({ id: gatewayPolicies.id });
  if (rolled.length === 0) return;
  await invalidateGatewayConfig(stores, orgId);
  log('warn', 'gateway policy rolled back by its canary', { org_id: orgId, policy_id: policy.id, reason });
}

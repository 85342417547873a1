// Realized savings from the ledger, two ways:
//   counterfactual — Σ over treated calls of (what the original request would have cost − what was paid),
//                    both at catalog prices for the usage the call actually had;
//   control arm    — the difference in mean cost per call, treated − control, with a 95 % confidence
//                    interval: Welch's standard error √(s²_t/n_t + s²_c/n_c), ± 1.96 (normal approximation,
//                    fine from a few dozen calls per arm). The control arm is a deterministic-hash random
//                    holdout, so the difference measures what the policy changed, tokens and all.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/postgres';

export const Z_95 = 1.959964;

export interface ArmSummary {
  calls: number;
  cost_usd: number;
  mean_cost_per_call_usd: number | null;
  error_rate: number | null;
  mean_latency_ms: number | null;
}

export interface SavingsGroup {
  key: string;
  treated: ArmSummary;
  control: ArmSummary;
  /** Counterfactual: Σ (original cost − paid) over treated calls. */
  realized_savings_usd: number;
  /** Mean cost per call, treated − control (negative: the policy saves), and its 95 % interval. */
  difference_per_call_usd: number | null;
  ci95_per_call_usd: [number, number] | null;
}

type ArmRow = {
  key: string;
  arm: 'treated' | 'control';
  calls: number;
  cost_nanousd: number;
  mean_nanousd: number;
  var_nanousd: number | null;
  error_rate: number;
  mean_latency_ms: number;
  saving_nanousd: number;
};

export type GroupBy = 'all' | 'rule' | 'key' | 'feature' | 'day' | 'policy';

const GROUP_SQL: Record<GroupBy, SQL> = {
  all: sql`'all'`,
  rule: sql`rule_id`,
  key: sql`coalesce(api_key_id, '')`,
  feature: sql`feature`,
  day: sql`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`,
  policy: sql`policy_id`,
};

/** Mean difference (a − b) and its 95 % interval from two samples' sizes, means and variances. */
export function welchInterval(a: { n: number; mean: number; variance: number }, b: { n: number; mean: number; variance: number }): { diff: number; ci95: [number, number] } | null {
  if (a.n < 2 || b.n < 2) return null;
  const diff = a.mean - b.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  return { diff, ci95: [diff - Z_95 * se, diff + Z_95 * se] };
}

const arm = (r: ArmRow | undefined): ArmSummary =>
  r
    ? { calls: r.calls, cost_usd: r.cost_nanousd / 1e9, mean_cost_per_call_usd: r.mean_nanousd / 1e9, error_rate: r.error_rate, mean_latency_ms: r.mean_latency_ms }
    : { calls: 0, cost_usd: 0, mean_cost_per_call_usd: null, error_rate: null, mean_latency_ms: null };

export interface SavingsFilter {
  org_id: string;
  policy_id?: string;
  end_user?: string;
  from?: Date;
  to?: Date;
}

export async function savingsGroups(db: Db, f: SavingsFilter, groupBy: GroupBy = 'all'): Promise<SavingsGroup[]> {
  const key = GROUP_SQL[groupBy];
  const r = await db.execute<ArmRow>(sql`
    select ${key} as key, arm, count(*)::int as calls,
           sum(actual_nanousd)::float8 as cost_nanousd,
           avg(actual_nanousd)::float8 as mean_nanousd,
           var_samp(actual_nanousd)::float8 as var_nanousd,
           avg((status <> 'ok')::int)::float8 as error_rate,
           avg(latency_ms)::float8 as mean_latency_ms,
           sum(counterfactual_nanousd - actual_nanousd)::float8 as saving_nanousd
    from savings_ledger
    where org_id = ${f.org_id}
      ${f.policy_id ? sql`and policy_id = ${f.policy_id}` : sql``}
      ${f.end_user !== undefined ? sql`and end_user = ${f.end_user}` : sql``}
      ${f.from ? sql`and created_at >= ${f.from.toISOString()}` : sql``}
      ${f.to ? sql`and created_at < ${f.to.toISOString()}` : sql``}
    group by 1, 2 order by 1`);
  const keys = [...new Set(r.rows.map((x) => x.key))];
  return keys.map((k) => {
    const t = r.rows.find((x) => x.key === k && x.arm === 'treated');
    const c = r.rows.find((x) => x.key === k && x.arm === 'control');
    const interval = t && c ? welchInterval({ n: t.calls, mean: t.mean_nanousd, variance: t.var_nanousd ?? 0 }, { n: c.calls, mean: c.mean_nanousd, variance: c.var_nanousd ?? 0 }) : null;
    return {
      key: k,
      treated: arm(t),
      control: arm(c),
      realized_savings_usd: (t?.saving_nanousd ?? 0) / 1e9,
      difference_per_call_usd: interval ? interval.diff / 1e9 : null,
      ci95_per_call_usd: interval ? [interval.ci95[0] / 1e9, interval.ci95[1] / 1e9] : null,
    };
  });
}

/** The org's realized (counterfactual) savings in a period, USD. */
export async function realizedSavingsUsd(db: Db, orgId: string, from: Date): Promise<number> {
  const r = await db.execute<{ saving: number | null }>(sql`
    select sum(counterfactual_nanousd - actual_nanousd)::float8 as saving from savings_ledger
    where org_id = ${orgId} and arm = 'treated' and created_at >= ${from.toISOString()}`);
  return (r.rows[0]?.saving ?? 0) / 1e9;
}

export const METHOD =
  'realized = Σ over treated calls of (cost of the original request − cost paid), both at catalog prices for the usage the call had; ' +
  'difference_per_call = mean cost per call of the treated arm − the control arm (a deterministic-hash random holdout kept on the original behaviour), ' +
  '95% interval = difference ± 1.96·√(s²_treated/n_treated + s²_control/n_control) (Welch, normal approximation).';

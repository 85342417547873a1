// The savings ledger's queries (engine/realized-savings.ts: what the figures mean and how the interval is computed).
import { sql, type SQL } from 'drizzle-orm';
import { welchInterval, type ArmSummary, type LedgerSummary, type SavingsGroup } from '../engine/realized-savings';
import type { Db } from './postgres';

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

/** The ledger entries a filter selects (always one org's). */
const entriesOf = (f: SavingsFilter): SQL => sql`org_id = ${f.org_id}
      ${f.policy_id ? sql`and policy_id = ${f.policy_id}` : sql``}
      ${f.end_user !== undefined ? sql`and end_user = ${f.end_user}` : sql``}
      ${f.from ? sql`and created_at >= ${f.from.toISOString()}` : sql``}
      ${f.to ? sql`and created_at < ${f.to.toISOString()}` : sql``}`;

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
    where ${entriesOf(f)}
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

/** The ledger over [from, to) for the agent: all rules together, per rule and per feature, and its first and last entry. */
export async function ledgerSummary(db: Db, orgId: string, from: number | null, to: number | null): Promise<LedgerSummary> {
  const f: SavingsFilter = { org_id: orgId, ...(from !== null ? { from: new Date(from) } : {}), ...(to !== null ? { to: new Date(to) } : {}) };
  const [all, byRule, byFeature, span] = await Promise.all([
    savingsGroups(db, f, 'all'),
    savingsGroups(db, f, 'rule'),
    savingsGroups(db, f, 'feature'),
    db.execute<{ first_ms: number | null; last_ms: number | null }>(sql`
      select (extract(epoch from min(created_at)) * 1000)::float8 as first_ms, (extract(epoch from max(created_at)) * 1000)::float8 as last_ms
      from savings_ledger where ${entriesOf(f)}`),
  ]);
  const bySaving = (a: SavingsGroup, b: SavingsGroup) => b.realized_savings_usd - a.realized_savings_usd || (a.key < b.key ? -1 : 1);
  return {
    from,
    to,
    first_at: span.rows[0]?.first_ms ?? null,
    last_at: span.rows[0]?.last_ms ?? null,
    total: all[0] ?? null,
    by_rule: byRule.sort(bySaving),
    by_feature: byFeature.sort(bySaving),
  };
}

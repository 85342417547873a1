// What an org has used against its tier limits, counted from the records: Postgres (users, API keys, runs)
// and ClickHouse (llm_calls). Quotas are per UTC day and UTC calendar month.
import { sql } from 'drizzle-orm';
import { dependencyUnavailable } from '../lib/errors';
import type { Services } from '../lib/services';
import { tierLimits, type Tier, type TierLimits } from '../../engine/tiers';

export interface OrgUsage {
  seats: number;
  api_keys: number;
  runs_today: number;
  runs_in_flight: number;
  ingested_calls_this_month: number;
}

export function utcDayStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function utcMonthStart(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

async function postgresCounts(s: Pick<Services, 'db'>, orgId: string) {
  const r = await s.db().execute<Omit<OrgUsage, 'ingested_calls_this_month'>>(sql`
    select
      (select count(*)::int from users where org_id = ${orgId}) as seats,
      (select count(*)::int from api_keys where org_id = ${orgId} and revoked_at is null) as api_keys,
      (select count(*)::int from runs where org_id = ${orgId} and created_at >= ${utcDayStart().toISOString()}) as runs_today,
      (select count(*)::int from runs where org_id = ${orgId} and status in ('queued', 'running')) as runs_in_flight`);
  return r.rows[0]!;
}

async function ingestedThisMonth(s: Pick<Services, 'clickhouse'>, orgId: string): Promise<number> {
  try {
    const res = await s.clickhouse().query({
      query: 'SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String} AND ingested_at >= toStartOfMonth(now(\'UTC\'))',
      query_params: { org: orgId },
      format: 'JSONEachRow',
    });
    const [row] = await res.json<{ n: string }>();
    return Number(row?.n ?? 0);
  } catch {
    throw dependencyUnavailable('clickhouse', 'usage counts are unavailable right now (clickhouse); retry shortly');
  }
}

export async function orgUsage(s: Pick<Services, 'db' | 'clickhouse'>, orgId: string): Promise<OrgUsage> {
  const [counts, ingested] = await Promise.all([postgresCounts(s, orgId), ingestedThisMonth(s, orgId)]);
  return { ...counts, ingested_calls_this_month: ingested };
}

export interface UsageLine {
  limit: keyof TierLimits;
  used: number;
  allowed: number;
}

/** Usage next to the limit it counts against. */
export function usageLines(tier: Tier, u: OrgUsage): UsageLine[] {
  const l = tierLimits(tier);
  return [
    { limit: 'seats', used: u.seats, allowed: l.seats },
    { limit: 'api_keys', used: u.api_keys, allowed: l.api_keys },
    { limit: 'runs_per_day', used: u.runs_today, allowed: l.runs_per_day },
    { limit: 'ingested_calls_per_month', used: u.ingested_calls_this_month, allowed: l.ingested_calls_per_month },
  ];
}

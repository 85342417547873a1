// The monthly ingested-calls limit of the org's tier, counted in Redis per org per UTC month.
// Redis down = fail open: ingestion goes on and the outage is logged (the calls are still stored).
import { tierLimits } from '../auth/tiers';
import { ApiError } from '../lib/errors';
import { log } from '../lib/logger';
import type { Auth, Services } from '../lib/services';

const KEY_TTL_S = 40 * 86_400;

export function monthlyCounterKey(orgId: string, now = new Date()): string {
  return `ingest:calls:${orgId}:${now.toISOString().slice(0, 7)}`;
}

const nextMonth = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));

/** 429 `limit_exceeded` when `incoming` more calls would pass the org's monthly limit. */
export async function checkMonthlyQuota(s: Services, auth: Auth, incoming: number, now = new Date()): Promise<void> {
  const allowed = tierLimits(auth.tier).ingested_calls_per_month;
  let used: number;
  try {
    used = Number((await s.redis().get<number>(monthlyCounterKey(auth.org_id, now))) ?? 0);
  } catch {
    log('warn', 'redis unreachable: monthly ingest limit not enforced', { org_id: auth.org_id });
    return;
  }
  if (used + incoming <= allowed) return;
  throw new ApiError('limit_exceeded', `the ${auth.tier} tier allows ${allowed} ingested calls per month; ${Math.max(0, allowed - used)} remain this month`, {
    limit: 'ingested_calls_per_month',
    tier: auth.tier,
    allowed,
    used,
    requested: incoming,
    remaining: Math.max(0, allowed - used),
    resets_at: nextMonth(now).toISOString(),
  });
}

/** Adds newly stored calls to this month's count. */
export async function countIngested(s: Services, orgId: string, calls: number, now = new Date()): Promise<void> {
  if (calls <= 0) return;
  const key = monthlyCounterKey(orgId, now);
  try {
    const p = s.redis().pipeline();
    p.incrby(key, calls);
    p.expire(key, KEY_TTL_S);
    await p.exec();
  } catch {
    log('warn', 'redis unreachable: ingested calls not counted', { org_id: orgId, calls });
  }
}

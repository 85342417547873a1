// The monthly ingested-calls limit of the org's tier, counted in Redis per org per UTC month.
// Redis down = fail open: ingestion goes on and the outage is logged (the calls are still stored).
import { tierLimits } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import type { Auth, Services } from '../lib/services';

const KEY_TTL_S = 40 * 86_400;

export function monthlyCounterKey(orgId: string, now = new Date()): string {
  return `ingest:calls:${orgId}:${now.toISOString().slice(0, 7)}`;
}

export interface Quota {
  tier: Auth['tier'];
  allowed: number;
  /** Calls counted this month; null when Redis could not say (the limit is then not enforced). */
  used: number | null;
  resets_at: string;
}

export async function monthlyQuota(s: Services, auth: Auth, now = new Date()): Promise<Quota> {
  const allowed = tierLimits(auth.tier).ingested_calls_per_month;
  const resets_at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  try {
    const used = Number((await s.redis().get<number>(monthlyCounterKey(auth.org_id, now))) ?? 0);
    return { tier: auth.tier, allowed, used, resets_at };
  } catch {
    log('warn', 'redis unreachable: monthly ingest limit not enforced', { org_id: auth.org_id });
    return { tier: auth.tier, allowed, used: null, resets_at };
  }
}

/** 429 `limit_exceeded` when `incoming` more calls would pass the monthly limit. */
export function ensureRoom(q: Quota, incoming: number): void {
  if (q.used === null || q.used + incoming <= q.allowed) return;
  const remaining = Math.max(0, q.allowed - q.used);
  throw new ApiError('limit_exceeded', `the ${q.tier} tier allows ${q.allowed} ingested calls per month; ${remaining} remain this month`, {
    limit: 'ingested_calls_per_month',
    tier: q.tier,
    allowed: q.allowed,
    used: q.used,
    requested: incoming,
    remaining,
    resets_at: q.resets_at,
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

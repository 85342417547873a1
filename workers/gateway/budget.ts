// The monthly budget of an active policy, enforced before the call: the call's maximum cost is reserved
// (INCRBY) and given back when that would pass the limit, then the reservation is settled to the actual
// cost afterwards. Concurrent calls cannot overshoot: each sees the others' reservations.
import type { Redis } from '../../db/redis';
import { GatewayError } from './errors';

const TTL_S = 40 * 86_400;

export const budgetKey = (orgId: string, now = new Date()) => `gw:budget:${orgId}:${now.toISOString().slice(0, 7)}`;

export interface Reservation {
  key: string;
  reserved: number;
}

export async function reserveBudget(redis: Redis, orgId: string, limitNano: number, amountNano: number): Promise<Reservation> {
  const key = budgetKey(orgId);
  let total: number;
  try {
    total = await redis.incrby(key, amountNano);
    if (total === amountNano) void redis.expire(key, TTL_S).catch(() => {});
  } catch {
    // A budget that cannot be checked is not enforced by letting calls through.
    throw new GatewayError(503, 'api_error', 'budget_unavailable', 'the budget store (Redis) is unreachable; retry shortly');
  }
  if (total > limitNano) {
    await redis.decrby(key, amountNano).catch(() => {});
    throw new GatewayError(429, 'insufficient_quota', 'budget_exceeded', `the monthly gateway budget of $${(limitNano / 1e9).toFixed(2)} would be exceeded by this call`);
  }
  return { key, reserved: amountNano };
}

export async function settleBudget(redis: Redis, r: Reservation, actualNano: number): Promise<void> {
  const delta = Math.round(actualNano) - r.reserved;
  if (delta !== 0) await redis.incrby(r.key, delta).catch(() => {});
}

export async function spentThisMonth(redis: Redis, orgId: string): Promise<number> {
  return Number((await redis.get<number>(budgetKey(orgId)).catch(() => 0)) ?? 0);
}

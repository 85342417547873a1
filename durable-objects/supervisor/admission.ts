// Admission of a run: at most MAX_CONCURRENT_RUNS per user across all threads, and the tier's runs per day.
// Both in one atomic Redis script: a sorted set of leases (a crashed run's lease expires, so it never holds
// a slot for ever) and a per-day counter.
import { openRedis } from '../../db/redis';
import { isTier, tierLimits } from '../../engine/tiers';
import type { Refusal } from './contract';

export const LEASE_MS = 10 * 60_000;

const ACQUIRE = `
local active, daily = KEYS[1], KEYS[2]
local now, limit, member, expiry, perDay = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', active, '-inf', now)
if redis.call('ZCARD', active) >= limit then return {0, redis.call('ZCARD', active)} end
local used = tonumber(redis.call('GET', daily) or '0')
if perDay >= 0 and used >= perDay then return {-1, used} end
redis.call('ZADD', active, expiry, member)
redis.call('PEXPIRE', active, ${LEASE_MS * 2})
redis.call('INCR', daily)
redis.call('EXPIRE', daily, 172800)
return {1, used + 1}`;

export type Admission = { ok: true; lease: string } | { ok: false; refusal: Refusal };

const activeKey = (userId: string) => `runs:active:${userId}`;
const dailyKey = (userId: string, now: number) => `runs:day:${userId}:${new Date(now).toISOString().slice(0, 10)}`;

export async function admitRun(env: Env, req: { user_id: string; tier: string; run_id: string }, now = Date.now()): Promise<Admission> {
  const limits = tierLimits(isTier(req.tier) ? req.tier : 'free');
  let reply: [number, number];
  try {
    reply = (await openRedis(env).eval(ACQUIRE, [activeKey(req.user_id), dailyKey(req.user_id, now)], [
      String(now),
      String(limits.concurrent_runs),
      req.run_id,
      String(now + LEASE_MS),
      String(limits.runs_per_day),
    ])) as [number, number];
  } catch {
    return { ok: false, refusal: { code: 'dependency_unavailable', message: 'cannot check run limits right now; try again shortly' } };
  }
  if (reply[0] === 1) return { ok: true, lease: req.run_id };
  if (reply[0] === 0) {
    return {
      ok: false,
      refusal: {
        code: 'concurrency_limit',
        message: `you already have ${limits.concurrent_runs} runs in progress; wait for one to finish or cancel one`,
        details: { limit: limits.concurrent_runs },
      },
    };
  }
  return {
    ok: false,
    refusal: { code: 'daily_limit', message: `the ${req.tier} tier allows ${limits.runs_per_day} runs per day`, details: { limit: limits.runs_per_day, used: reply[1] } },
  };
}

/** Extends a live run's lease (called at every step). */
export async function renewRun(env: Env, userId: string, lease: string, now = Date.now()): Promise<void> {
  await openRedis(env).zaddExisting(activeKey(userId), now + LEASE_MS, lease).catch(() => {});
}

export async function releaseRun(env: Env, userId: string, lease: string): Promise<void> {
  // If Redis is down the lease simply expires.
  await openRedis(env).zrem(activeKey(userId), lease).catch(() => {});
}

// Rate limits (@upstash/ratelimit, sliding window on Redis). When Redis is unreachable they fail open:
// the request goes through and the outage is logged; authentication never depends on them.
import { Ratelimit } from '@upstash/ratelimit';
import type { Context } from 'hono';
import { ApiError } from '../lib/errors';
import { log } from '../lib/logger';
import { waitUntil, type AppEnv } from '../lib/services';
import { tierLimits, type Tier } from './tiers';

type Duration = Parameters<typeof Ratelimit.slidingWindow>[1];

export interface RateRule {
  name: string;
  limit: number;
  window: Duration;
}

/** Failed sign-in attempts per email and client IP. */
export const LOGIN_RULE: RateRule = { name: 'login', limit: 10, window: '15 m' };
/** Sign-ups per client IP. */
export const REGISTER_RULE: RateRule = { name: 'register', limit: 20, window: '1 h' };
/** Authenticated requests per user or per API key, by the org's tier. */
export const requestRule = (tier: Tier): RateRule => ({ name: 'api', limit: tierLimits(tier).requests_per_minute, window: '1 m' });

export function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

function limiter(c: Context<AppEnv>, rule: RateRule): Ratelimit {
  return new Ratelimit({
    redis: c.get('services').redis(),
    limiter: Ratelimit.slidingWindow(rule.limit, rule.window),
    prefix: `rl:${rule.name}`,
    ephemeralCache: false,
    timeout: 2_000,
  });
}

function limited(rule: RateRule, limit: number, reset: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
  return new ApiError(
    'rate_limited',
    `too many requests; retry in ${retryAfter} s`,
    { limit, window: rule.window, retry_after_s: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
}

/** Counts one request of `identifier` against `rule`; throws 429 `rate_limited` with Retry-After when over. */
export async function enforceRateLimit(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  let result: Awaited<ReturnType<Ratelimit['limit']>>;
  try {
    result = await limiter(c, rule).limit(identifier);
  } catch {
    log('warn', 'redis unreachable: rate limit not enforced', { rule: rule.name });
    return;
  }
  waitUntil(c, result.pending);
  if (result.reason === 'timeout') log('warn', 'redis timed out: rate limit not enforced', { rule: rule.name });
  if (result.success) return;
  throw limited(rule, result.limit, result.reset);
}

/**
 * A budget of failures (sign-in attempts): 429 when `identifier` has none left, without spending any. Only
 * `countFailure` spends, so someone who signs in successfully on many devices is never locked out.
 */
export async function ensureFailuresLeft(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  let left: Awaited<ReturnType<Ratelimit['getRemaining']>>;
  try {
    left = await limiter(c, rule).getRemaining(identifier);
  } catch {
    log('warn', 'redis unreachable: rate limit not enforced', { rule: rule.name });
    return;
  }
  if (left.remaining <= 0) throw limited(rule, left.limit, left.reset);
}

export const countFailure = (c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> => enforceRateLimit(c, rule, identifier).catch(() => {});

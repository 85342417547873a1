// Rate limits: a sliding window on Redis (the weighted two-window counter, one EVAL per check). When Redis is
// unreachable or slower than TIMEOUT_MS they fail open: the request goes through and the outage is logged;
// authentication never depends on them.
import type { Context } from 'hono';
import { ApiError } from '../lib/errors';
import { log } from '../lib/logger';
import type { AppEnv } from '../lib/services';
import { tierLimits, type Tier } from './tiers';

type Duration = `${number} ${'s' | 'm' | 'h'}`;

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

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const TIMEOUT_MS = 2_000;

function durationMs(d: Duration): number {
  const [n, unit] = d.split(' ') as [string, keyof typeof UNIT_MS];
  return Number(n) * UNIT_MS[unit];
}

// KEYS: this window's counter, the previous window's. ARGV: limit, now (ms), window (ms), 1 to spend or 0 to
// only read. The previous window counts for the part of it the sliding window still covers. Answers
// {allowed (1/0), remaining after this request}; a refused request spends nothing.
const SLIDING_WINDOW = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit, now, window, spend = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local used = math.floor((1 - (now % window) / window) * previous) + current
if spend == 0 then return {1, limit - used} end
if used >= limit then return {0, 0} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], window * 2 + 1000) end
return {1, limit - used - 1}
`;

interface Verdict {
  allowed: boolean;
  remaining: number;
  /** When the current window ends (ms since epoch). */
  reset: number;
}

/** The rule's verdict for `identifier`, or null when Redis failed or timed out (logged: the caller lets it through). */
async function check(c: Context<AppEnv>, rule: RateRule, identifier: string, spend: boolean): Promise<Verdict | null> {
  const window = durationMs(rule.window);
  const now = Date.now();
  const bucket = Math.floor(now / window);
  const key = (b: number) => `rl:${rule.name}:${identifier}:${b}`;
  let cancelTimeout = () => {};
  const timeout = new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS);
    cancelTimeout = () => clearTimeout(timer);
  });
  try {
    const answer = await Promise.race([c.get('services').redis().eval<string[], [number, number]>(SLIDING_WINDOW, [key(bucket), key(bucket - 1)], [String(rule.limit), String(now), String(window), spend ? '1' : '0']), timeout]);
    if (answer === 'timeout') {
      log('warn', 'redis timed out: rate limit not enforced', { rule: rule.name });
      return null;
    }
    return { allowed: answer[0] === 1, remaining: answer[1], reset: (bucket + 1) * window };
  } catch {
    log('warn', 'redis unreachable: rate limit not enforced', { rule: rule.name });
    return null;
  } finally {
    cancelTimeout();
  }
}

function limited(rule: RateRule, reset: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
  return new ApiError(
    'rate_limited',
    `too many requests; retry in ${retryAfter} s`,
    { limit: rule.limit, window: rule.window, retry_after_s: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
}

/** Counts one request of `identifier` against `rule`; throws 429 `rate_limited` with Retry-After when over. */
export async function enforceRateLimit(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  const verdict = await check(c, rule, identifier, true);
  if (verdict && !verdict.allowed) throw limited(rule, verdict.reset);
}

/**
 * A budget of failures (sign-in attempts): 429 when `identifier` has none left, without spending any. Only
 * `countFailure` spends, so someone who signs in successfully on many devices is never locked out.
 */
export async function ensureFailuresLeft(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  const verdict = await check(c, rule, identifier, false);
  if (verdict && verdict.remaining <= 0) throw limited(rule, verdict.reset);
}

export const countFailure = (c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> => enforceRateLimit(c, rule, identifier).catch(() => {});

// Rate limits: a sliding window on Redis (the weighted two-window counter, one EVAL per check). When Redis is
// unreachable or slower than TIMEOUT_MS they fail open: the request goes through and the outage is logged;
// authentication never depends on them.
import type { Context } from 'hono';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import { waitUntil, type AppEnv } from '../lib/services';
import { tierLimits, type Tier } from '../../engine/tiers';

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

// KEYS: this window's counter, the previous window's. ARGV: limit, now (ms), window (ms), how many requests to
// spend (0: only read). The previous window counts for the part of it the sliding window still covers.
// Answers {allowed (1/0), remaining after these requests}; a refused batch spends nothing.
const SLIDING_WINDOW = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit, now, window, spend = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local used = math.floor((1 - (now % window) / window) * previous) + current
if spend == 0 then return {1, limit - used} end
if used + spend > limit then return {0, 0} end
if redis.call('INCRBY', KEYS[1], spend) == spend then redis.call('PEXPIRE', KEYS[1], window * 2 + 1000) end
return {1, limit - used - spend}
`;

interface Verdict {
  allowed: boolean;
  remaining: number;
  /** When the current window ends (ms since epoch). */
  reset: number;
}

/** The rule's verdict for `identifier`, or null when Redis failed or timed out (logged: the caller lets it through). */
async function check(c: Context<AppEnv>, rule: RateRule, identifier: string, spend: number): Promise<Verdict | null> {
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
    const answer = await Promise.race([c.get('services').redis().eval<string[], [number, number]>(SLIDING_WINDOW, [key(bucket), key(bucket - 1)], [String(rule.limit), String(now), String(window), String(spend)]), timeout]);
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
  const verdict = await check(c, rule, identifier, 1);
  if (verdict && !verdict.allowed) throw limited(rule, verdict.reset);
}

/**
 * What this isolate last learned of a request budget (the fewest requests left seen in the current window)
 * and the requests it admitted without waiting for their count: `queued` not yet sent, `unconfirmed` not yet
 * answered (queued included); `flush` is the pending batched count.
 */
interface Known {
  remaining: number;
  reset: number;
  at: number;
  queued: number;
  unconfirmed: number;
  flush: Promise<void> | null;
}
const known = new Map<string, Known>();
const KNOWN_MAX = 10_000;
/** A budget learned longer ago than this is checked in Redis before the request goes on. */
const KNOWN_FRESH_MS = 5_000;
/** Share of the limit kept as headroom: below it every request waits for its count. */
const HEADROOM = 0.1;
/** Requests admitted within this long are counted in Redis together (one INCRBY of their number). */
const COUNT_BATCH_MS = 100;

function learn(key: string, result: Verdict): void {
  const k = known.get(key);
  const remaining = result.allowed ? result.remaining : 0;
  if (!k) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(key, { remaining, reset: result.reset, at: Date.now(), queued: 0, unconfirmed: 0, flush: null });
    return;
  }
  // Within a window the count only grows: keep the lowest answer (counts may return out of order).
  k.remaining = k.reset === result.reset ? Math.min(k.remaining, remaining) : remaining;
  k.reset = result.reset;
  k.at = Date.now();
}

function countLater(c: Context<AppEnv>, rule: RateRule, identifier: string, key: string, k: Known): Promise<void> {
  k.queued++;
  k.unconfirmed++;
  k.flush ??= new Promise((resolve) => setTimeout(resolve, COUNT_BATCH_MS)).then(async () => {
    const n = k.queued;
    k.queued = 0;
    k.flush = null;
    try {
      const result = await check(c, rule, identifier, n);
      if (result) learn(key, result);
    } finally {
      k.unconfirmed -= n;
    }
  });
  return k.flush;
}

/**
 * The per-user / per-key request limit on the hot path. While this isolate knows (from a count at most
 * KNOWN_FRESH_MS old) that more than HEADROOM of the limit is left beyond the requests it admitted
 * unconfirmed, the request goes on at once and is counted in the background, batched with the others of the
 * next COUNT_BATCH_MS (no Redis round trip on its path, one count per batch); near the limit, or without a
 * fresh count, it waits for its own count as enforceRateLimit does. Within one isolate the limit holds
 * exactly; isolates sharing a key can pass it by what they admit in one KNOWN_FRESH_MS (a batch Redis refuses
 * for that reason is not counted either).
 */
export async function enforceRequestLimit(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  const key = `${rule.name}:${rule.limit}:${identifier}`;
  const k = known.get(key);
  const now = Date.now();
  if (k && now < k.reset && now - k.at < KNOWN_FRESH_MS && k.remaining - k.unconfirmed > Math.max(2, rule.limit * HEADROOM)) {
    waitUntil(c, countLater(c, rule, identifier, key, k));
    return;
  }
  const result = await check(c, rule, identifier, 1);
  if (!result) return;
  learn(key, result);
  if (!result.allowed) throw limited(rule, result.reset);
}

/**
 * A budget of failures (sign-in attempts): 429 when `identifier` has none left, without spending any. Only
 * `countFailure` spends, so someone who signs in successfully on many devices is never locked out.
 */
export async function ensureFailuresLeft(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  const verdict = await check(c, rule, identifier, 0);
  if (verdict && verdict.remaining <= 0) throw limited(rule, verdict.reset);
}

export const countFailure = (c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> => enforceRateLimit(c, rule, identifier).catch(() => {});

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

type LimitResult = Awaited<ReturnType<Ratelimit['limit']>>;

/** Counts `n` requests of `identifier` against `rule` in Redis; null when Redis is unreachable (fail open). */
async function count(c: Context<AppEnv>, rule: RateRule, identifier: string, n = 1): Promise<LimitResult | null> {
  let result: LimitResult;
  try {
    result = await limiter(c, rule).limit(identifier, n === 1 ? undefined : { rate: n });
  } catch {
    log('warn', 'redis unreachable: rate limit not enforced', { rule: rule.name });
    return null;
  }
  waitUntil(c, result.pending);
  if (result.reason === 'timeout') log('warn', 'redis timed out: rate limit not enforced', { rule: rule.name });
  return result;
}

/** Counts one request of `identifier` against `rule`; throws 429 `rate_limited` with Retry-After when over. */
export async function enforceRateLimit(c: Context<AppEnv>, rule: RateRule, identifier: string): Promise<void> {
  const result = await count(c, rule, identifier);
  if (result && !result.success) throw limited(rule, result.limit, result.reset);
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

function learn(key: string, result: LimitResult): void {
  const k = known.get(key);
  const remaining = result.success ? result.remaining : 0;
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
      const result = await count(c, rule, identifier, n);
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
  const result = await count(c, rule, identifier);
  if (!result) return;
  learn(key, result);
  if (!result.success) throw limited(rule, result.limit, result.reset);
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

// Upstash Redis over REST: rate limits, caches, revocation lists.
import { Redis } from '@upstash/redis/cloudflare';

export interface RedisEnv {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

export function openRedis(env: RedisEnv): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // Fail fast: callers decide what a Redis outage means (rate limits fail open, revocation fails closed).
    retry: { retries: 1, backoff: () => 50 },
  });
}

// Auth hot paths, measured with the Worker's own modules in Node:
//  - access-token verification (jose HS256 + our claim checks) and signing, per second;
//  - API-key look-up against the real local stack (Postgres through the Neon relay, Redis through the
//    Upstash REST adapter): cold (Redis miss → Postgres → cache fill) vs warm (Redis hit).
// Run: npx tsx bench/auth.ts  (or npm run bench -- auth). Last line: {"bench":"auth",…}.
import { neonConfig } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { openDb } from '../db/postgres';
import { openRedis } from '../db/redis';
import { apiKeys, orgs } from '../db/schema';
import { startStack } from '../scripts/local-stack/stack';
import { migratePostgres } from '../scripts/migrate';
import { generateApiKey, lookupApiKey } from '../workers/auth/api-keys';
import { sha256Hex } from '../workers/auth/secrets';
import { signAccessToken, verifyAccessToken } from '../workers/auth/tokens';
import { newId } from '../common/ids';

const KEYS = 200;
const JWT_SECONDS = 2;
const env = { JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789', JWT_ISSUER: 'netra-apex', JWT_AUDIENCE: 'netra-apex-api' };

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: round(at(0.5)), p95: round(at(0.95)), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function perSecond(seconds: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op(); // warm-up
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await op();
    n++;
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

async function jwtFigures() {
  const subject = { user_id: newId('usr'), org_id: newId('org'), tier: 'mid' as const, role: 'owner' as const, session_id: newId('rtk') };
  const { token } = await signAccessToken(env, subject);
  const verified = await verifyAccessToken(env, token);
  if (!verified.ok) throw new Error('bench token does not verify');
  const verify = await perSecond(JWT_SECONDS, () => verifyAccessToken(env, token));
  const sign = await perSecond(JWT_SECONDS, () => signAccessToken(env, subject));
  return { jwt_verify_per_s: verify, jwt_sign_per_s: sign };
}

async function keyLookupFigures() {
  const dataDir = await mkdtemp(join(tmpdir(), 'netra-bench-auth-'));
  const stack = await startStack({ dataDir, pgDatabase: 'netra_bench', redisDb: 2, redisToken: `bench-${crypto.randomUUID()}` });
  neonConfig.webSocketConstructor = WebSocket;
  const pg = openDb({ DATABASE_URL: stack.databaseUrl, NEON_WS_PROXY: stack.neonWsProxy });
  const redis = openRedis({ UPSTASH_REDIS_REST_URL: stack.upstashUrl, UPSTASH_REDIS_REST_TOKEN: stack.upstashToken });
  const stores = { db: () => pg.db, redis: () => redis };
  const orgId = newId('org');
  try {
    await migratePostgres(stack.databaseUrl);
    await pg.db.insert(orgs).values({ id: orgId, name: 'bench', tier: 'mid' });
    const keys = await Promise.all(Array.from({ length: KEYS }, () => generateApiKey()));
    await pg.db.insert(apiKeys).values(keys.map((k, i) => ({ id: newId('key'), org_id: orgId, name: `bench ${i}`, prefix: k.prefix, key_hash: k.hash, scopes: ['read'] })));
    await redis.del(...(await Promise.all(keys.map(async (k) => `auth:key:${await sha256Hex(k.key)}`))));
    // Warm the connection pool and the Redis adapter before timing.
    for (let i = 0; i < 20; i++) await lookupApiKey(stores, keys[i]!.key);
    const cold: number[] = [];
    const warm: number[] = [];
    for (const k of keys.slice(20)) {
      let t = performance.now();
      const miss = await lookupApiKey(stores, k.key);
      cold.push(performance.now() - t);
      t = performance.now();
      const hit = await lookupApiKey(stores, k.key);
      warm.push(performance.now() - t);
      if (miss?.cached !== false || hit?.cached !== true) throw new Error('expected a Redis miss then a hit');
    }
    return { key_lookup_cold_ms: summary(cold), key_lookup_warm_ms: summary(warm), key_lookups: cold.length };
  } finally {
    await pg.db.delete(orgs).where(eq(orgs.id, orgId)).catch(() => {});
    await pg.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const jwt = await jwtFigures();
console.log(`access token (HS256): verify ${jwt.jwt_verify_per_s}/s, sign ${jwt.jwt_sign_per_s}/s`);
const keys = await keyLookupFigures();
console.log(`API key look-up over ${keys.key_lookups} keys: cold (Redis miss → Postgres) p50 ${keys.key_lookup_cold_ms.p50} ms p95 ${keys.key_lookup_cold_ms.p95} ms; warm (Redis hit) p50 ${keys.key_lookup_warm_ms.p50} ms p95 ${keys.key_lookup_warm_ms.p95} ms`);
console.log(JSON.stringify({ bench: 'auth', node: process.version, ...jwt, ...keys }));

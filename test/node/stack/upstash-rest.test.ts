// The Upstash REST adapter against real Redis, through @upstash/redis and @upstash/ratelimit themselves.
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRedis } from '../../../scripts/local-stack/redis';
import { startUpstashRest } from '../../../scripts/local-stack/upstash-rest';
import { waitFor, which } from '../../../scripts/local-stack/util';
import { freePort } from '../../../scripts/local-stack/util';
import { startUpstashFixture, type UpstashFixture } from '../../support/upstash-fixture';

const hasRedisServer = Boolean(await which('redis-server'));
const token = 'test-token';
const prefix = `stack-test:${process.pid}:`;
let fixture: UpstashFixture;
let url: string;
let redis: Redis;

async function post(command: unknown[]): Promise<unknown> {
  return (await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(command) })).json();
}

beforeAll(async () => {
  fixture = await startUpstashFixture(token, prefix);
  url = fixture.url;
  redis = new Redis({ url, token, retry: false });
});

afterAll(() => fixture?.stop());

describe('Upstash REST on Redis', () => {
  it('sets and gets strings, including ones that look like base64, and JSON values', async () => {
    await redis.set(`${prefix}b64`, 'aGVsbG8=');
    expect(await redis.get(`${prefix}b64`)).toBe('aGVsbG8=');
    await redis.set(`${prefix}text`, 'héllo ✓');
    expect(await redis.get(`${prefix}text`)).toBe('héllo ✓');
    await redis.set(`${prefix}obj`, { a: 1, b: ['x'] }, { ex: 60 });
    expect(await redis.get(`${prefix}obj`)).toEqual({ a: 1, b: ['x'] });
    expect(await redis.get(`${prefix}absent`)).toBeNull();
  });

  it('reads hashes', async () => {
    await redis.hset(`${prefix}h`, { name: 'ada', n: 3 });
    expect(await redis.hgetall(`${prefix}h`)).toEqual({ name: 'ada', n: 3 });
  });

  it('runs pipelines and transactions', async () => {
    const p = redis.pipeline();
    p.set(`${prefix}p`, 'v');
    p.incr(`${prefix}counter`);
    p.get(`${prefix}p`);
    expect(await p.exec()).toEqual(['OK', 1, 'v']);

    const tx = redis.multi();
    tx.incr(`${prefix}counter`);
    tx.lpush(`${prefix}list`, 'a', 'b');
    tx.lrange(`${prefix}list`, 0, -1);
    expect(await tx.exec()).toEqual([2, 2, ['b', 'a']]);
  });

  it('reports Redis errors', async () => {
    await redis.set(`${prefix}word`, 'abc');
    await expect(redis.incr(`${prefix}word`)).rejects.toThrow(/not an integer/);
  });

  it('runs @upstash/ratelimit sliding windows', async () => {
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, '10 s'), prefix: `${prefix}rl` });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await limiter.limit('user-1')).success);
    expect(outcomes).toEqual([true, true, true, false, false]);
    expect((await limiter.limit('user-2')).success).toBe(true);
  });

  it('runs a script with a #!lua flags line by EVAL, then by the original script\'s SHA', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn ARGV[1]';
    const sha = createHash('sha1').update(script).digest('hex');
    expect(await post(['EVAL', script, 0, 'first'])).toEqual({ result: 'first' });
    expect(await post(['EVALSHA', sha, 0, 'again'])).toEqual({ result: 'again' });
  });

  it('answers plain JSON without the base64 header', async () => {
    await redis.set(`${prefix}plain`, 'plain');
    expect(await post(['GET', `${prefix}plain`])).toEqual({ result: 'plain' });
  });

  it.skipIf(!hasRedisServer)('answers 500 while Redis is down, and recovers when it is back', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'stack-upstash-'));
    let own = await ensureRedis({ port, dataDir });
    const adapter = await startUpstashRest({ redisUrl: own.url, token });
    const adapterUrl = `http://127.0.0.1:${adapter.port}`;
    const ping = () => fetch(adapterUrl, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '["PING"]' });
    try {
      expect(await (await ping()).json()).toEqual({ result: 'PONG' });
      await own.stop?.();
      const down = await ping();
      expect(down.status).toBe(500);
      expect(await down.json()).toHaveProperty('error');
      own = await ensureRedis({ port, dataDir });
      await waitFor(async () => (await ping()).ok, 10_000, 'the adapter to reconnect');
    } finally {
      await adapter.close();
      await own.stop?.();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a wrong token with 401', async () => {
    const res = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer wrong' }, body: JSON.stringify(['PING']) });
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty('error');
    await expect(new Redis({ url, token: 'wrong', retry: false }).get(`${prefix}b64`)).rejects.toThrow();
  });
});

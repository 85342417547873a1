// The Worker's Redis client (db/redis.ts) over the Upstash REST adapter on real Redis. @upstash/redis is the
// independent reference: what one client writes, the other must read back the same, since both run against
// the same production data during a deploy.
import { Redis as UpstashRedis } from '@upstash/redis';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, RedisError, type Redis } from '../../../db/redis';
import { listen } from '../../../scripts/local-stack/util';
import { startUpstashFixture, type UpstashFixture } from '../../support/upstash-fixture';

const token = 'client-test-token';
const prefix = `redis-client-test:${process.pid}:`;
let fixture: UpstashFixture;
let url: string;
let ours: Redis;
let reference: UpstashRedis;

beforeAll(async () => {
  fixture = await startUpstashFixture(token, prefix);
  url = fixture.url;
  ours = openRedis({ UPSTASH_REDIS_REST_URL: `${url}/`, UPSTASH_REDIS_REST_TOKEN: token });
  reference = new UpstashRedis({ url, token, retry: false });
});

afterAll(() => fixture?.stop());

describe('db/redis against @upstash/redis on the same Redis', () => {
  const values: [string, unknown][] = [
    ['object', { org: 'o1', scopes: ['gateway'], n: 3, nested: { ok: true } }],
    ['text', 'héllo ✓'],
    ['leading-zero', '007'],
    ['number', 42],
    ['big', 123456789012],
    ['json-looking-text', '{not json'],
  ];

  it.each(values)('a %s written by either client reads back the same from both', async (name, value) => {
    await ours.set(`${prefix}ours:${name}`, value);
    await reference.set(`${prefix}ref:${name}`, value);
    for (const key of [`${prefix}ours:${name}`, `${prefix}ref:${name}`]) {
      expect(await ours.get(key)).toEqual(await reference.get(key));
    }
    expect(await ours.get(`${prefix}ours:${name}`)).toEqual(value);
  });

  it('a missing key is null; mget and getdel decode each value; getdel removes it', async () => {
    expect(await ours.get(`${prefix}missing`)).toBeNull();
    await reference.set(`${prefix}m1`, { a: 1 });
    await reference.set(`${prefix}m2`, 'plain');
    expect(await ours.mget(`${prefix}m1`, `${prefix}missing`, `${prefix}m2`)).toEqual([{ a: 1 }, null, 'plain']);
    expect(await ours.getdel(`${prefix}m1`)).toEqual({ a: 1 });
    expect(await reference.get(`${prefix}m1`)).toBeNull();
  });

  it('set with ex expires; with nx it answers null when the key exists and keeps the old value', async () => {
    expect(await ours.set(`${prefix}ttl`, 1, { ex: 100 })).toBe('OK');
    const ttl = await reference.ttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await ours.set(`${prefix}nx`, 'first', { nx: true, ex: 60 })).toBe('OK');
    expect(await ours.set(`${prefix}nx`, 'second', { nx: true, ex: 60 })).toBeNull();
    expect(await reference.get(`${prefix}nx`)).toBe('first');
  });

  it('counters, expiry, sets, sorted-set updates and deletes', async () => {
    expect(await ours.incrby(`${prefix}c`, 5)).toBe(5);
    expect(await ours.decrby(`${prefix}c`, 2)).toBe(3);
    expect(await ours.expire(`${prefix}c`, 50)).toBe(1);
    expect(await ours.expire(`${prefix}nothing`, 50)).toBe(0);
    await ours.pipeline().sadd(`${prefix}s`, 't1', 't2').sadd(`${prefix}s`, 't2').expire(`${prefix}s`, 60).exec();
    expect((await ours.smembers(`${prefix}s`)).sort()).toEqual(['t1', 't2']);
    await reference.zadd(`${prefix}z`, { score: 10, member: 'lease' });
    expect(await ours.zaddExisting(`${prefix}z`, 99, 'lease')).toBe(0); // XX: an update adds nothing
    expect(await ours.zaddExisting(`${prefix}z`, 99, 'other')).toBe(0);
    expect(await reference.zrange(`${prefix}z`, 0, -1, { withScores: true })).toEqual(['lease', 99]);
    expect(await ours.zrem(`${prefix}z`, 'lease')).toBe(1);
    expect(await ours.del(`${prefix}c`, `${prefix}s`, `${prefix}absent`)).toBe(2);
    expect(await ours.ping()).toBe('PONG');
  });

  it('a pipeline runs in one request and answers each reply decoded', async () => {
    const replies = await ours.pipeline().set(`${prefix}p`, { x: 1 }, { ex: 60 }).incrby(`${prefix}pc`, 7).del(`${prefix}p`).exec();
    expect(replies).toEqual(['OK', 7, 1]);
  });

  it('eval passes keys and arguments and returns the script reply', async () => {
    const script = `redis.call('SET', KEYS[1], ARGV[1]) return {tonumber(ARGV[2]) + 1, redis.call('GET', KEYS[1])}`;
    expect(await ours.eval(script, [`${prefix}e`], ['stored', '41'])).toEqual([42, 'stored']);
  });

  it('a Redis error reply throws a RedisError naming the command, never its arguments', async () => {
    await ours.set(`${prefix}str`, 'secret-ticket-claims');
    const err = await ours.incrby(`${prefix}str`, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisError);
    expect((err as Error).message).toMatch(/^redis incrby/);
    expect((err as Error).message).not.toContain(prefix);
    const failed = await ours.pipeline().set(`${prefix}ok`, 1).incrby(`${prefix}str`, 1).exec().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RedisError);
  });

  it('a wrong token is an error, and an unreachable server throws after one retry', async () => {
    const wrong = openRedis({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: 'nope' });
    await expect(wrong.get(`${prefix}x`)).rejects.toThrow(/HTTP 401/);
    const down = openRedis({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: token });
    await expect(down.ping()).rejects.toThrow();
  });

  it('a network error is retried once: a server that drops the first connection still answers', async () => {
    let connections = 0;
    const flaky: Server = createServer((req, res) => {
      connections += 1;
      if (connections === 1) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'PONG' }));
    });
    const port = await listen(flaky, 0, '127.0.0.1');
    try {
      const client = openRedis({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${port}`, UPSTASH_REDIS_REST_TOKEN: token });
      expect(await client.ping()).toBe('PONG');
      expect(connections).toBe(2);
    } finally {
      flaky.close();
    }
  });

  it('an answer that is not JSON is an error, not a crash', async () => {
    const garbage: Server = createServer((_req, res) => void res.writeHead(502).end('<html>bad gateway</html>'));
    const port = await listen(garbage, 0, '127.0.0.1');
    try {
      const client = openRedis({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${port}`, UPSTASH_REDIS_REST_TOKEN: token });
      await expect(client.get('k')).rejects.toThrow(/HTTP 502, not JSON/);
    } finally {
      garbage.close();
    }
  });
});

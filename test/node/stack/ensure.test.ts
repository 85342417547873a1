// Finding the local Postgres and Redis: DATABASE_URL / REDIS_URL first, then the default ports, a clear
// error when nothing is there, and a redis-server child of our own when none runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDatabase, ensurePostgres } from '../../../scripts/local-stack/postgres';
import { ensureRedis } from '../../../scripts/local-stack/redis';
import { portOpen, which } from '../../../scripts/local-stack/util';
import { freePort } from '../../../scripts/local-stack/util';

const hasClusters = Boolean(await which('pg_lsclusters'));
const hasRedisServer = Boolean(await which('redis-server'));
const redisOnDefaultPort = await portOpen('127.0.0.1', 6379);
const postgresOnDefaultPort = await portOpen('127.0.0.1', 5432);
const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('ensurePostgres / ensureDatabase', () => {
  it.skipIf(!postgresOnDefaultPort)('falls back from an unreachable DATABASE_URL to 127.0.0.1, and honours a reachable one', async () => {
    process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const local = await ensurePostgres();
    expect(local.url).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(local.stop).toBeUndefined();
    process.env.DATABASE_URL = 'postgres://postgres@localhost:5432/template1';
    expect((await ensurePostgres()).url).toBe(process.env.DATABASE_URL);
  });

  it.skipIf(!hasClusters)('says what to do when no server is there', async () => {
    delete process.env.DATABASE_URL;
    await expect(ensurePostgres({ port: await freePort() })).rejects.toThrow(/No PostgreSQL found.*apt-get install -y postgresql.*DATABASE_URL/);
  });

  it('creates a database once', async () => {
    const { url } = await ensurePostgres();
    const name = `stack_test_ensure_${process.pid}`;
    const dbUrl = await ensureDatabase(url, name);
    expect(await ensureDatabase(url, name)).toBe(dbUrl);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    expect((await client.query('select current_database() as db')).rows).toEqual([{ db: name }]);
    await client.end();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database "${name}"`);
    await admin.end();
  });
});

describe('ensureRedis', () => {
  it.skipIf(!redisOnDefaultPort)('uses a reachable REDIS_URL', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:6379';
    expect(await ensureRedis()).toEqual({ url: 'redis://127.0.0.1:6379' });
  });

  it.skipIf(!hasRedisServer)('starts redis-server when nothing answers, and stops it', async () => {
    delete process.env.REDIS_URL;
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'stack-redis-'));
    const handle = await ensureRedis({ port, dataDir });
    try {
      expect(handle.url).toBe(`redis://127.0.0.1:${port}`);
      const client = createClient({ url: handle.url });
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await client.close();
    } finally {
      await handle.stop?.();
      await rm(dataDir, { recursive: true, force: true });
    }
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  });
});

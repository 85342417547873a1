// The whole local stack: every URL it hands out works with the production client, ClickHouse can be
// stopped and restarted with its data, and a second stack on the same data dir is refused.
import { createClient } from '@clickhouse/client-web';
import { neonConfig, Pool } from '@neondatabase/serverless';
import { Redis } from '@upstash/redis';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { startStack, type LocalStack, type StackOptions } from '../../../scripts/local-stack/stack';

const options = (dataDir: string): StackOptions => ({
  dataDir,
  pgDatabase: `stack_test_full_${process.pid}`,
  redisDb: 2,
  redisToken: 'stack-test-token',
});
let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stack-full-'));
  stack = await startStack(options(dataDir));
});

afterAll(async () => {
  const databaseUrl = stack?.databaseUrl;
  await stack?.stop();
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`drop database if exists "stack_test_full_${process.pid}" with (force)`);
    await admin.end();
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('startStack', () => {
  it('hands out working URLs for every store', async () => {
    const direct = new pg.Client({ connectionString: stack.databaseUrl });
    await direct.connect();
    expect((await direct.query('select current_database() as db')).rows).toEqual([{ db: `stack_test_full_${process.pid}` }]);
    await direct.end();

    neonConfig.webSocketConstructor = ws;
    neonConfig.wsProxy = (host, port) => `${stack.neonWsProxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    const pool = new Pool({ connectionString: stack.databaseUrl });
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await pool.end();

    const res = await fetch(stack.neonHttpEndpoint, {
      method: 'POST',
      headers: { 'Neon-Connection-String': stack.databaseUrl, 'Neon-Array-Mode': 'true', 'Neon-Raw-Text-Output': 'true' },
      body: JSON.stringify({ query: 'select $1::int as n', params: ['7'] }),
    });
    expect(await res.json()).toMatchObject({ rows: [['7']], rowCount: 1, command: 'SELECT' });

    const redis = new Redis({ url: stack.upstashUrl, token: stack.upstashToken, retry: false });
    await redis.set(`stack-test:${process.pid}`, 'ok', { ex: 60 });
    expect(await redis.get(`stack-test:${process.pid}`)).toBe('ok');

    expect(await (await fetch(`${stack.clickhouseUrl}/ping`)).text()).toBe('Ok.\n');
  });

  it('stops and restarts ClickHouse on the same port with its data', async () => {
    const ch = createClient({ url: stack.clickhouseUrl });
    await ch.command({ query: 'CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n' });
    await ch.insert({ table: 'kept', values: [{ n: 1 }, { n: 2 }], format: 'JSONEachRow' });
    await stack.clickhouse.stop();
    await expect(fetch(`${stack.clickhouseUrl}/ping`)).rejects.toThrow();
    await stack.clickhouse.start();
    const rs = await ch.query({ query: 'SELECT sum(n) AS s FROM kept', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ s: '3' }]);
    await ch.close();
  });

  it('refuses a second stack on the same data dir', async () => {
    await expect(startStack(options(dataDir))).rejects.toThrow(`local stack already running (pid ${process.pid})`);
  });

  it('refuses a data dir held by another live process', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'stack-lock-'));
    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(join(otherDir, 'stack.pid'), String(sleeper.pid));
      await expect(startStack(options(otherDir))).rejects.toThrow(`local stack already running (pid ${sleeper.pid})`);
    } finally {
      sleeper.kill();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('releases its lock on stop, and takes over one left by a dead process', async () => {
    const lockFile = join(dataDir, 'stack.pid');
    await stack.stop();
    expect(existsSync(lockFile)).toBe(false);
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(lockFile, String(gone.pid));
    stack = await startStack(options(dataDir));
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });
});

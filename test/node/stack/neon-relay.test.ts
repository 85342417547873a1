// The Neon relay against real Postgres, through @neondatabase/serverless itself: Pool over WebSocket and
// neon() over HTTP, including transactions and Postgres errors.
import { neon, neonConfig, NeonDbError, Pool } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { startNeonRelay } from '../../../scripts/local-stack/neon-relay';
import { ensureDatabase, ensurePostgres } from '../../../scripts/local-stack/postgres';
import type { RunningServer } from '../../../scripts/local-stack/util';

const dbName = `stack_test_neon_${process.pid}`;
let serverUrl: string;
let dbUrl: string;
let relay: RunningServer;

beforeAll(async () => {
  serverUrl = (await ensurePostgres()).url;
  dbUrl = await ensureDatabase(serverUrl, dbName);
  relay = await startNeonRelay();
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${relay.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.fetchEndpoint = `http://127.0.0.1:${relay.port}/sql`;
  const setup = new pg.Client({ connectionString: dbUrl });
  await setup.connect();
  await setup.query('create table items (id serial primary key, name text not null, meta jsonb, at timestamptz default now())');
  await setup.end();
});

afterAll(async () => {
  await relay?.close();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
});

describe('Neon Pool over the WebSocket relay', () => {
  it('runs a parameterized query', async () => {
    const pool = new Pool({ connectionString: dbUrl });
    try {
      const { rows } = await pool.query('select $1::int + 1 as n, $2::text as s', [41, 'hé']);
      expect(rows).toEqual([{ n: 42, s: 'hé' }]);
    } finally {
      await pool.end();
    }
  });

  it('commits and rolls back transactions', async () => {
    const pool = new Pool({ connectionString: dbUrl });
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query("insert into items (name) values ('rolled back')");
      await client.query('rollback');
      await client.query('begin');
      await client.query("insert into items (name, meta) values ('kept', $1)", [{ a: 1 }]);
      await client.query('commit');
      const { rows } = await client.query('select name, meta from items order by id');
      expect(rows).toEqual([{ name: 'kept', meta: { a: 1 } }]);
    } finally {
      client.release();
      await pool.end();
    }
  });
});

describe('neon() over SQL-over-HTTP', () => {
  it('runs parameterized queries with parsed types', async () => {
    const sql = neon(dbUrl);
    const [row] = await sql`select ${5}::int * 2 as v, ${'a\tb'}::text as s, now() as t, null::text as nothing, '{"k":[1]}'::jsonb as j`;
    expect(row).toMatchObject({ v: 10, s: 'a\tb', nothing: null, j: { k: [1] } });
    expect(row?.t).toBeInstanceOf(Date);
    expect(await sql.query('select $1::bigint as big', ['9007199254740993'])).toEqual([{ big: '9007199254740993' }]);
  });

  it('returns full results and array mode', async () => {
    const sql = neon(dbUrl, { fullResults: true, arrayMode: true });
    const result = await sql`select 1 as a, 'x' as b`;
    expect(result.rows).toEqual([[1, 'x']]);
    expect(result.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(result.command).toBe('SELECT');
    expect(result.rowCount).toBe(1);
  });

  it('runs a transaction and rolls it back when a query fails', async () => {
    const sql = neon(dbUrl);
    const [inserted, counted] = await sql.transaction([
      sql`insert into items (name) values (${'from http'}) returning name`,
      sql`select count(*)::int as n from items where name = ${'from http'}`,
    ]);
    expect(inserted).toEqual([{ name: 'from http' }]);
    expect(counted).toEqual([{ n: 1 }]);

    await expect(sql.transaction([sql`insert into items (name) values ('lost')`, sql`select * from no_such_table`])).rejects.toMatchObject({
      code: '42P01',
    });
    expect(await sql`select count(*)::int as n from items where name = 'lost'`).toEqual([{ n: 0 }]);
  });

  it('applies the transaction options', async () => {
    const sql = neon(dbUrl);
    const [[mode]] = (await sql.transaction(
      [sql`select current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro`],
      { isolationLevel: 'Serializable', readOnly: true },
    )) as [[{ iso: string; ro: string }]];
    expect(mode).toEqual({ iso: 'serializable', ro: 'on' });
  });

  it('reports Postgres errors with their fields', async () => {
    const sql = neon(dbUrl);
    const err = await sql`insert into items (name) values (null)`.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err).toMatchObject({ code: '23502', column: 'name', table: 'items', severity: 'ERROR' });
  });
});

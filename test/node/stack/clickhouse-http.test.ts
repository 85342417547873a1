// The ClickHouse HTTP server on chdb, through @clickhouse/client-web itself: DDL, JSONEachRow inserts,
// query parameters, settings, typed errors, and data that survives a stop/start on the same port.
import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client-web';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttp } from '../../../scripts/local-stack/clickhouse-http';
import type { RunningServer } from '../../../scripts/local-stack/util';

let dataDir: string;
let server: RunningServer;
let url: string;
let ch: ClickHouseClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stack-clickhouse-'));
  server = await startClickHouseHttp({ dataDir });
  url = `http://127.0.0.1:${server.port}`;
  ch = createClient({ url, username: 'default', password: '' });
  await ch.command({
    query: `CREATE TABLE events (id UInt64, name String, tags Array(String), at DateTime64(3, 'UTC'))
            ENGINE = MergeTree ORDER BY id`,
  });
});

afterAll(async () => {
  await ch?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ClickHouse HTTP on chdb', () => {
  it('answers /ping and the client ping', async () => {
    expect(await (await fetch(`${url}/ping`)).text()).toBe('Ok.\n');
    expect((await ch.ping()).success).toBe(true);
  });

  it('inserts JSONEachRow and reads it back with query parameters', async () => {
    await ch.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: [
        { id: 1, name: "it's\ta tab", tags: ["o'k", 'back\\slash'], at: '2026-01-02 03:04:05.678' },
        { id: '18446744073709551615', name: 'max', tags: [], at: 0 },
      ],
    });
    const rs = await ch.query({
      query: 'SELECT id, name, tags, at FROM events WHERE name IN ({names:Array(String)}) OR id = {id:UInt64} ORDER BY id',
      query_params: { names: ["it's\ta tab"], id: '18446744073709551615' },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([
      { id: '1', name: "it's\ta tab", tags: ["o'k", 'back\\slash'], at: '2026-01-02 03:04:05.678' },
      { id: '18446744073709551615', name: 'max', tags: [], at: '1970-01-01 00:00:00.000' },
    ]);
    const one = await ch.query({ query: 'SELECT {s:String} AS s, {n:Nullable(UInt8)} AS n', query_params: { s: "a'b\\c\nd", n: null }, format: 'JSONEachRow' });
    expect(await one.json()).toEqual([{ s: "a'b\\c\nd", n: null }]);
  });

  it('applies settings to one query only, and the database param', async () => {
    const withSetting = await ch.query({ query: "SELECT getSetting('max_threads') AS t", format: 'JSONEachRow', clickhouse_settings: { max_threads: 1 } });
    expect(await withSetting.json()).toEqual([{ t: 1 }]);
    const without = await ch.query({ query: "SELECT getSetting('max_threads') AS t", format: 'JSONEachRow' });
    expect((await without.json<{ t: number }>())[0]?.t).not.toBe(1);

    await ch.command({ query: 'CREATE DATABASE IF NOT EXISTS other' });
    const other = createClient({ url, database: 'other' });
    const rs = await other.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ db: 'other' }]);
    await other.close();
    const back = await ch.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' });
    expect(await back.json()).toEqual([{ db: 'default' }]);
  });

  it('reports typed errors', async () => {
    const syntax = await ch.query({ query: 'SELEC 1' }).catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(ClickHouseError);
    expect(syntax).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    await expect(ch.query({ query: 'SELECT * FROM missing_table' })).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    await expect(ch.query({ query: 'SELECT {n:UInt8}', query_params: { n: 'nope' } })).rejects.toMatchObject({ code: '457' });

    const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT * FROM missing_table')}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await res.text()).toMatch(/^Code: 60\. DB::Exception: /);
  });

  it('sends the ClickHouse response headers', async () => {
    const res = await fetch(`${url}/?query_id=q-1&default_format=JSONCompact`, { method: 'POST', body: 'SELECT count() FROM events' });
    expect(res.headers.get('x-clickhouse-format')).toBe('JSONCompact');
    expect(res.headers.get('x-clickhouse-query-id')).toBe('q-1');
    expect(JSON.parse(res.headers.get('x-clickhouse-summary') ?? '{}')).toHaveProperty('read_rows');
    expect((await res.json()) as unknown).toMatchObject({ data: [['2']] });
  });

  it('serves concurrent queries one at a time', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await ch.query({ query: 'SELECT {i:UInt32} AS i', query_params: { i }, format: 'JSONEachRow' })).json()),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [{ i }]));
  });

  it('keeps the data across a stop and a start on the same port', async () => {
    const port = server.port;
    await server.close();
    await expect(ch.query({ query: 'SELECT 1' })).rejects.toThrow();
    server = await startClickHouseHttp({ port, dataDir });
    expect(server.port).toBe(port);
    const rs = await ch.query({ query: 'SELECT count() AS n, toTypeName(count()) AS t FROM events', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: '2', t: 'UInt64' }]);
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { openClickHouse } from '../../../db/clickhouse';
import { insertRows, toCallRow } from '../../../db/telemetry-writer';
import { EXACT_DUP, NEAR_DUP, RETRY, SESSION, UNREAD, derived } from '../../../db/workload-profile/rules';
import { scopeParams } from '../../../db/workload-profile/sql';
import { byTimeThenId, deriveColumns, invalidReason } from '../../../engine/profile/derive';
import { migrateClickHouse } from '../../../scripts/migrate';
import { startClickHouseHttp } from '../../../scripts/local-stack/clickhouse-http';
import { generateCalls } from './tmpgen';

it('debug', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dbg-'));
  const server = await startClickHouseHttp({ dataDir: dir });
  const url = `http://127.0.0.1:${server.port}`;
  await migrateClickHouse(url);
  const ch = openClickHouse({ CLICKHOUSE_URL: url }, 60_000);
  const w = generateCalls(1, 3000, 3);
  await insertRows(ch, 'llm_calls', w.calls.map((c) => toCallRow(c, { org_id: 'o', retention_days: 30, api_key_id: null, ingested_at: Date.now() })));
  const valid = w.calls.filter((c) => !invalidReason(c)).sort(byTimeThenId);
  const d = deriveColumns(valid);
  const params = scopeParams('o', { from: 0, to: 8e15 }, 20);
  const rs = await ch.query({ query: `SELECT request_id, exact_dup, near_dup, near_prev_ts, retry, followup, growing, write_unread FROM (${derived([EXACT_DUP, NEAR_DUP, RETRY, SESSION, UNREAD])})`, query_params: params, format: 'JSONEachRow' });
  const rows = new Map((await rs.json<Record<string, unknown>>()).map((r) => [r.request_id as string, r]));
  let bad = 0;
  valid.forEach((c, i) => {
    const r = rows.get(c.request_id)!;
    const diffs: string[] = [];
    if (Number(r.exact_dup) !== d.exactDup[i]) diffs.push('exact');
    if (Number(r.near_dup) !== d.nearDup[i]) diffs.push('near');
    if (Number(r.retry) !== d.retry[i]) diffs.push('retry');
    if (Number(r.followup) !== d.followup[i]) diffs.push('followup');
    if (Number(r.growing) !== d.growing[i]) diffs.push('growing');
    if (Number(r.write_unread) !== d.writeUnread[i]) diffs.push('unread');
    if (diffs.length && bad++ < 2) {
      console.log(diffs, c.request_id, c.timestamp, c.provider, c.model, c.status, c.prefix_hashes, c.prompt_hash, r);
      const n = c.prefix_hashes.length;
      for (const o of valid) if (o.provider === c.provider && o.model === c.model && o.prefix_hashes.length === n && o.prefix_hashes[n - 2] === c.prefix_hashes[n - 2]) console.log('  same key', o.request_id, o.timestamp, o.status, o.prefix_hashes);
    }
  });
  console.log('bad', bad, 'of', valid.length);
  await ch.close();
  await server.close();
}, 120_000);

// Times SQL variants over the probe server's data with the profile's real params: npx tsx bench/.probe/q.ts file.sql…
import { createClient } from '@clickhouse/client-web';
import { readFileSync } from 'node:fs';
import { loadProfileParams } from '../../db/workload-profile';
const url = /URL (\S+)/.exec(readFileSync('/tmp/probe.log', 'utf8'))![1]!;
const ch = createClient({ url, request_timeout: 600_000, clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
const START = Date.UTC(2026, 2, 1);
const params = await loadProfileParams(ch, 'bench_1m', { from: START, to: START + 31 * 86_400_000 });
const cur = await (await ch.query({ query: "SELECT groupArray(hour) AS h, groupArray(gen) AS g FROM call_facts_hours FINAL WHERE org_id = 'bench_1m'", format: 'JSONEachRow' })).json<{ h: number[]; g: string[] }>();
void cur;
const mod = await import(process.argv[2]!);
for (const [name, sql] of Object.entries(mod.QUERIES as Record<string, string>)) {
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const rows = await (await ch.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json();
    times.push(Math.round(performance.now() - t));
    n = rows.length;
  }
  console.log(name, times.join('/'), 'ms', n, 'rows');
}
await ch.close();

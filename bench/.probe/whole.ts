import { createClient } from '@clickhouse/client-web';
import { readFileSync } from 'node:fs';
import { loadWorkloadProfile } from '../../db/workload-profile';
import { ensureCallFacts } from '../../db/call-facts';
const url = /URL (\S+)/.exec(readFileSync('/tmp/probe.log', 'utf8'))![1]!;
const ch = createClient({ url, request_timeout: 600_000, clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
const START = Date.UTC(2026, 2, 1);
const window = { from: START, to: START + 31 * 86_400_000 };
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  const r = await ensureCallFacts(ch, 'bench_1m');
  const e = performance.now() - t;
  t = performance.now();
  await loadWorkloadProfile(ch, 'bench_1m', window);
  console.log(`ensure ${Math.round(e)} (${r.rebuilt_hours} rebuilt), profile ${Math.round(performance.now() - t)}`);
}
await ch.close();

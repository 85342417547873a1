// usage: node exp-tmp.mjs setup | node exp-tmp.mjs run <idx|file.sql> [explain]
import { Session } from 'chdb';
import { readFileSync, existsSync } from 'node:fs';
const s = new Session('/tmp/benchdata');
const quote = (v) => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const fmt = (v) => Array.isArray(v) ? `[${v.map((x) => quote(x)).join(',')}]` : String(v);
function setParams(p) { s.query(`SET ${Object.entries(p).map(([k, v]) => `param_${k} = ${quote(fmt(v))}`).join(', ')}`); }
const mode = process.argv[2];
if (mode === 'setup') {
  const mig = readFileSync('migrations/clickhouse/0001_llm_calls.sql', 'utf8');
  s.query(mig);
  const n = Number(process.argv[3] ?? 1e6);
  for (let f = 0; f < n; f += 1e6) {
    setParams({ org: 'bench_1m', start: Date.UTC(2026, 2, 1), span: 30 * 86400000, n, from_n: f, count: Math.min(1e6, n - f) });
    s.query(readFileSync('/tmp/generate.sql', 'utf8') + ' SETTINGS max_partitions_per_insert_block = 1000');
  }
  s.query('OPTIMIZE TABLE llm_calls FINAL');
  console.log(s.query('SELECT count() FROM llm_calls', 'TSV'));
} else {
  const qs = JSON.parse(readFileSync('/tmp/queries.json', 'utf8'));
  const arg = process.argv[3];
  const base = qs[1].params;
  const params = { ...base, unknown_p: ['acme'], unknown_m: ['acme-llm-7b'] };
  setParams(params);
  const sql = existsSync(arg) ? readFileSync(arg, 'utf8') : qs[Number(arg)].query;
  const t = Date.now();
  const out = s.query((process.argv[4] === 'explain' ? 'EXPLAIN PIPELINE ' : '') + sql, 'JSONEachRow');
  console.log(`${Date.now() - t} ms, ${out.length} bytes`);
  if (process.argv[4]) console.log(out.slice(0, 6000));
}
s.close();

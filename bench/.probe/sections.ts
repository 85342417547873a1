import { createClient } from '@clickhouse/client-web';
import { readFileSync } from 'node:fs';
import { findModel } from '../../engine/catalog/index';
import { ensureCallFacts } from '../../db/call-facts';
import { loadProfileParams, loadWorkloadProfile } from '../../db/workload-profile';
import { loadHours, loadRateLimitMinutes } from '../../db/workload-profile/buckets';
import { loadDuplicatePrompts } from '../../db/workload-profile/duplicates';
import { loadModels } from '../../db/workload-profile/models';
import { loadPrefixCache } from '../../db/workload-profile/prefix';
import { loadRetryMinutes } from '../../db/workload-profile/retries';
import { loadDataQuality } from '../../db/workload-profile/quality';
import { loadSegments } from '../../db/workload-profile/segments';
import { loadUsers } from '../../db/workload-profile/users';
const url = /URL (\S+)/.exec(readFileSync('/tmp/probe.log', 'utf8'))![1]!;
const ch = createClient({ url, request_timeout: 600_000, clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
const org = process.argv[2] ?? 'bench_1m';
const START = Date.UTC(2026, 2, 1);
const window = { from: START, to: START + 31 * 86_400_000, source: process.argv[3] };
const isKnown = (p: string, m: string) => findModel(m, p) !== undefined;
for (let rep = 0; rep < 2; rep++) {
  let t = performance.now();
  await ensureCallFacts(ch, org);
  console.log('ensure', Math.round(performance.now() - t));
  t = performance.now();
  const params = await loadProfileParams(ch, org, window);
  console.log('params', Math.round(performance.now() - t));
  const parts: [string, () => Promise<unknown>][] = [
    ['models', () => loadModels(ch, params, isKnown)],
    ['duplicates', () => loadDuplicatePrompts(ch, params)],
    ['retries', () => loadRetryMinutes(ch, params)],
    ['segments', () => loadSegments(ch, params, isKnown)],
    ['prefix', () => loadPrefixCache(ch, params)],
    ['hours', () => loadHours(ch, params)],
    ['rate_limit_minutes', () => loadRateLimitMinutes(ch, params)],
    ['users', () => loadUsers(ch, params)],
    ['data_quality', () => loadDataQuality(ch, params)],
  ];
  const out: string[] = [];
  for (const [name, run] of parts) {
    const s = performance.now();
    await run();
    out.push(`${name} ${Math.round(performance.now() - s)}`);
  }
  console.log(out.join(' | '));
  t = performance.now();
  await loadWorkloadProfile(ch, org, window);
  console.log('whole profile', Math.round(performance.now() - t));
}
await ch.close();

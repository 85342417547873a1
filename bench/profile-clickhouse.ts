// The ClickHouse workload profile (db/workload-profile.ts, read from the call facts db/call-facts.ts builds)
// over 100k, 1M and 10M stored calls: a real ClickHouse engine (chdb behind its HTTP interface, temp data
// dir, in a child process: bench/lib/clickhouse-child.ts), the real migrations, rows generated inside
// ClickHouse (bench/lib/generated-calls.ts).
//
//   npx tsx bench/profile-clickhouse.ts                 100k, 1M and 10M
//   npx tsx bench/profile-clickhouse.ts 1m,3m           other sizes (k / m suffixes)
//   npx tsx bench/profile-clickhouse.ts 1m --sections   also times each section's query on its own
//
// Prints one line per size and, last, {"bench":"profile_clickhouse","ms_1m":…,"ms_10m":…}: per size the time
// the ingest path's call-facts build took (facts_build_ms_<size>), then — once ClickHouse's merges and deletes
// are done — the wall time of loadWorkloadProfile over all the calls (ms_<size>: its freshness check
// included; the window the agent asks by default, whose ends have no call near them, so it reads rollups
// alone), of a second call (ms_<size>_again), of the last 7 days (ms_<size>_last_week: a start with calls
// before it, its first day from the facts), and ratio_<size> = ms_<size> / the first size's.
import { createClient } from '@clickhouse/client-web';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCallFacts } from '../db/call-facts';
import { loadProfileParams, loadWorkloadProfile } from '../db/workload-profile';
import { loadHours, loadRateLimitMinutes } from '../db/workload-profile/buckets';
import { loadDuplicatePrompts } from '../db/workload-profile/duplicates';
import { loadCallSums } from '../db/workload-profile/call-sums';
import { loadModelDistributions } from '../db/workload-profile/models';
import { loadPrefixCache } from '../db/workload-profile/prefix';
import { loadSegmentDistributions } from '../db/workload-profile/segments';
import { loadUsers } from '../db/workload-profile/users';
import { startClickHouseChild } from './lib/clickhouse-child';
import { insertGeneratedCalls } from './lib/generated-calls';
import { migrateClickHouse } from '../scripts/migrate';

const START = Date.UTC(2026, 2, 1);
const DAYS = 30;
const SPAN_MS = DAYS * 86_400_000;

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}: use e.g. 100k, 1m, 3m`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1));
}
const label = (n: number) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

const args = process.argv.slice(2);
const sections = args.includes('--sections');
const sizes = (args.find((a) => !a.startsWith('--')) ?? '100k,1m,10m').split(',').map(parseSize);

/** Waits (up to 120 s) until ClickHouse runs no merge and no mutation; returns the seconds waited. */
async function settle(client: typeof ch): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    const [busy] = await (
      await client.query({
        query: 'SELECT (SELECT count() FROM system.merges) + (SELECT count() FROM system.mutations WHERE NOT is_done) AS n',
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    if (Number(busy?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return (performance.now() - started) / 1000;
}

const dataDir = await mkdtemp(join(tmpdir(), 'bench-profile-ch-'));
const server = await startClickHouseChild(dataDir);
const url = server.url;
// chdb answers one query at a time; the profile sends its queries together, so a later one would wait for
// its response headers longer than Node's fetch allows (300 s) at 10M rows. Send them one after another.
let queue: Promise<unknown> = Promise.resolve();
const serialFetch: typeof fetch = (input, init) => {
  const sent = queue.then(() => fetch(input, init));
  queue = sent.catch(() => undefined);
  return sent;
};
const ch = createClient({
  url,
  fetch: serialFetch,
  request_timeout: 3_600_000,
  clickhouse_settings: { output_format_json_quote_64bit_integers: 1, send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '60000' },
});
const figures: Record<string, number> = {};
try {
  await migrateClickHouse(url);
  for (const n of sizes) {
    const org = `bench_${label(n)}`;
    let t = performance.now();
    await insertGeneratedCalls(ch, org, n, START, SPAN_MS);
    const insertMs = performance.now() - t;
    // What the ingest path does after a flush: bring the org's call facts up to date (here: every day).
    t = performance.now();
    const built = await ensureCallFacts(ch, org);
    const factsMs = performance.now() - t;
    figures[`facts_build_ms_${label(n)}`] = Math.round(factsMs);
    // A question comes later than the ingest: let the merges and deletes the build started finish first.
    const settledS = await settle(ch);
    const window = { from: START, to: START + SPAN_MS + 86_400_000 };
    t = performance.now();
    const profile = await loadWorkloadProfile(ch, org, window);
    const ms = performance.now() - t;
    figures[`ms_${label(n)}`] = Math.round(ms);
    t = performance.now();
    await loadWorkloadProfile(ch, org, window);
    figures[`ms_${label(n)}_again`] = Math.round(performance.now() - t);
    // A named period: its start has calls within the rules' reach before it, so its first day is read from the facts.
    t = performance.now();
    await loadWorkloadProfile(ch, org, { from: window.to - 7 * 86_400_000, to: window.to });
    figures[`ms_${label(n)}_last_week`] = Math.round(performance.now() - t);
    const seg = profile.segments.reduce((a, s) => ({ dup: a.dup + s.exact_dup_calls, near: a.near + s.near_dup_calls, retry: a.retry + s.retry_calls }), { dup: 0, near: 0, retry: 0 });
    console.log(
      `${label(n)} calls (${profile.totals.calls} in the profile; inserted in ${(insertMs / 1000).toFixed(1)} s, ` +
        `call facts of ${built.rebuilt_hours} hours built in ${(factsMs / 1000).toFixed(1)} s, settled ${settledS.toFixed(1)} s later): ` +
        `profile ${(ms / 1000).toFixed(2)} s, again ${(figures[`ms_${label(n)}_again`]! / 1000).toFixed(2)} s, ` +
        `last 7 days ${(figures[`ms_${label(n)}_last_week`]! / 1000).toFixed(2)} s — ` +
        `${profile.segments.length} segments, ${profile.hours.length} hour buckets, ${profile.rate_limit_minutes.length} 429 minutes, ` +
        `exact dups ${seg.dup}, near dups ${seg.near}, retries ${seg.retry}`,
    );
    if (sections) {
      const params = await loadProfileParams(ch, org, window);
      const parts: [string, () => Promise<unknown>][] = [
        ['call_sums', () => loadCallSums(ch, params)],
        ['model_distributions', () => loadModelDistributions(ch, params)],
        ['segment_distributions', () => loadSegmentDistributions(ch, params)],
        ['prefix', () => loadPrefixCache(ch, params)],
        ['hours', () => loadHours(ch, params)],
        ['rate_limit_minutes', () => loadRateLimitMinutes(ch, params)],
        ['duplicate_prompts', () => loadDuplicatePrompts(ch, params)],
        ['users', () => loadUsers(ch, params)],
      ];
      for (const [name, run] of parts) {
        const s = performance.now();
        await run();
        console.log(`  ${name}: ${((performance.now() - s) / 1000).toFixed(2)} s`);
      }
    }
  }
} finally {
  await ch.close();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
const base = figures[`ms_${label(sizes[0]!)}`];
if (base) for (const n of sizes.slice(1)) if (figures[`ms_${label(n)}`] !== undefined) figures[`ratio_${label(n)}`] = Number((figures[`ms_${label(n)}`]! / base).toFixed(2));
console.log(JSON.stringify({ bench: 'profile_clickhouse', ...figures }));

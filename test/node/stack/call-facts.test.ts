// The call facts (db/call-facts.ts) follow llm_calls as it changes: after every change below the ClickHouse
// profile still equals the in-process reference over the calls as they stand (whole window, a sub-window,
// one source), only the hours a change can reach are rebuilt, and unchanged data rebuilds nothing. Changes:
// calls added to one day, rows replaced by newer versions, a call whose timestamp moved to another day,
// costs rewritten in place (ALTER TABLE … UPDATE, as a recompute does), and another org's rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCallFacts } from '../../../db/call-facts';
import type { ClickHouseClient } from '../../../db/clickhouse';
import { dataCoverage } from '../../../db/coverage';
import { MINUTE_ROLLUP } from '../../../db/workload-profile/buckets';
import { CALL_ROLLUP } from '../../../db/workload-profile/call-rollup';
import { PREFIX_ROLLUP } from '../../../db/workload-profile/prefix';
import { insertRows, toCallRow } from '../../../db/telemetry-writer';
import { loadWorkloadProfile } from '../../../db/workload-profile';
import { buildProfile } from '../../../engine/profile/reference';
import type { LlmCall } from '../../../engine/telemetry/record';
import { DAY, HOUR, START, generateCalls, inScope } from '../../support/edge-workload';
import { migratedClickHouse } from '../../support/migrated-clickhouse';

const ORG = 'org_facts';
const OTHER = 'org_facts_other';
let store: Awaited<ReturnType<typeof migratedClickHouse>>;
let ch: ClickHouseClient;
/** The org's calls as they stand: the latest version of each request id. */
const current = new Map<string, LlmCall>();
let ingestedAt = Date.now() - 10 * HOUR;

async function insert(org: string, calls: readonly LlmCall[]): Promise<void> {
  ingestedAt += 1_000; // each batch a newer version than the last
  const rows = calls.map((c) => toCallRow(c, { org_id: org, retention_days: 3650, api_key_id: null, ingested_at: ingestedAt }));
  await insertRows(ch, 'llm_calls', rows);
  if (org === ORG) for (const c of calls) current.set(c.request_id, c);
}

const DAYS = 4;
const WINDOWS: [string, number, number, string?][] = [
  ['whole', START - DAY, START + (DAYS + 3) * DAY],
  ['sub-window', START + DAY + 5 * HOUR + 17, START + 3 * DAY - 3],
  ['one source', START, START + (DAYS + 3) * DAY, 'otlp'],
  ['unbounded', -Infinity, Infinity],
];

async function expectAgreement(): Promise<void> {
  const calls = [...current.values()];
  for (const [, from, to, source] of WINDOWS) {
    const scoped = inScope(calls, from, to, source);
    const actual = await loadWorkloadProfile(ch, ORG, { from, to, ...(source !== undefined ? { source } : {}) });
    expect(actual).toStrictEqual(buildProfile(scoped, { from, to }));
  }
  await expectCoverage();
}

/** dataCoverage (read from the hourly rollups) against plain counts of the calls as they stand, org-wide and for one source. */
async function expectCoverage(): Promise<void> {
  for (const source of [undefined, 'otlp']) {
    const calls = [...current.values()].filter((c) => source === undefined || c.source === source);
    const count = (f: (c: LlmCall) => boolean) => calls.filter(f).length;
    const ts = calls.map((c) => c.timestamp);
    const [min, max] = [Math.min(...ts), Math.max(...ts)];
    const coverage = await dataCoverage(ch, ORG, source);
    expect({ ...coverage, fingerprint: '' }).toStrictEqual({
      calls: calls.length,
      days: (Math.floor(max / 1000) - Math.floor(min / 1000)) / 86_400,
      with_latency: count((c) => c.latency_ms !== null),
      with_feature: count((c) => (c.feature ?? '') !== ''),
      with_prompt_hash: count((c) => (c.prompt_hash ?? '') !== ''),
      with_prefix_or_cache: count((c) => c.prefix_hashes.length > 0 || c.cached_input_tokens > 0),
      with_user: count((c) => (c.user ?? '') !== ''),
      with_ttft: count((c) => c.ttft_ms !== null),
      features: [...new Set(calls.map((c) => c.feature ?? '').filter((f) => f !== ''))].sort(),
      from_ms: min,
      to_ms: max,
      fingerprint: '',
    });
  }
}

const dayOf = (ts: number) => Math.floor(ts / DAY);
const hourOf = (ts: number) => Math.floor(ts / HOUR);

/** Copies of `calls` with `change` applied. */
const changed = (calls: LlmCall[], change: (c: LlmCall) => Partial<LlmCall>) => calls.map((c) => ({ ...c, ...change(c) }));

beforeAll(async () => {
  store = await migratedClickHouse('call-facts');
  ch = store.ch;
  await insert(ORG, generateCalls(21, 2_500, DAYS).calls);
});

afterAll(async () => {
  await store?.stop();
});

describe('call facts follow llm_calls', () => {
  it('are built for every hour with calls, then rebuilt for none while nothing changes', async () => {
    const hours = new Set([...current.values()].map((c) => hourOf(c.timestamp)));
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(hours.size);
    await expectAgreement();
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(0);
  });

  it('calls added to a day rebuild the hours whose calls they may neighbour: 1 h before to 24 h after theirs', async () => {
    const day1 = [...current.values()].filter((c) => c.timestamp >= START + DAY && c.timestamp < START + 2 * DAY);
    // Duplicates and retries of that day's calls a few seconds later, and fresh calls.
    const added = [
      ...changed(day1.slice(0, 40), (c) => ({ request_id: `${c.request_id}_again`, timestamp: Math.min(c.timestamp + 1_500, START + 2 * DAY - 1) })),
      ...changed(generateCalls(22, 300, 1).calls, (c) => ({ timestamp: START + DAY + (c.timestamp - START) })),
    ].filter((c) => dayOf(c.timestamp) === dayOf(START + DAY));
    expect(added.length).toBeGreaterThan(250);
    await insert(ORG, added);
    const touched = new Set(added.map((c) => hourOf(c.timestamp)));
    const reached = new Set<number>();
    for (const c of current.values()) {
      const h = hourOf(c.timestamp);
      for (let d = h - 24; d <= h + 1; d++) if (touched.has(d)) reached.add(h);
    }
    expect(reached.size).toBeLessThan(new Set([...current.values()].map((c) => hourOf(c.timestamp))).size);
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(reached.size);
    await expectAgreement();
  });

  it('a newer version of rows (other status, tokens, prompt) replaces them', async () => {
    const some = [...current.values()].filter((_, i) => i % 25 === 0);
    await insert(ORG, changed(some, (c) => ({ status: c.status === 'ok' ? '429' : 'ok', input_tokens: c.input_tokens + 600, prompt_hash: 'replaced' })));
    await expectAgreement();
  });

  it('a call moved to another day is counted once, on its new day', async () => {
    const moved = [...current.values()].filter((c) => dayOf(c.timestamp) === dayOf(START)).slice(0, 30);
    await insert(ORG, changed(moved, (c) => ({ timestamp: c.timestamp + 3 * DAY })));
    await ensureCallFacts(ch, ORG);
    const p = await loadWorkloadProfile(ch, ORG, { from: WINDOWS[0]![1], to: WINDOWS[0]![2] });
    expect(p.data_quality.records).toBe(current.size);
    await expectAgreement();
  });

  it('costs rewritten in place are read again', async () => {
    const ids = [...current.values()].filter((c, i) => i % 7 === 0 && c.cost_nanousd != null).map((c) => c.request_id);
    await ch.command({
      query: `ALTER TABLE llm_calls UPDATE cost_nanousd = cost_nanousd + 1000 WHERE org_id = {org:String} AND has({ids:Array(String)}, request_id)`,
      query_params: { org: ORG, ids },
      clickhouse_settings: { mutations_sync: '2' },
    });
    for (const id of ids) {
      const c = current.get(id)!;
      current.set(id, { ...c, cost_nanousd: c.cost_nanousd! + 1000 });
    }
    await expectAgreement();
  });

  it('the rollup tables hold a column for every sum of their spec', async () => {
    for (const spec of [CALL_ROLLUP, PREFIX_ROLLUP, MINUTE_ROLLUP]) {
      const rs = await ch.query({ query: 'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String}', query_params: { t: spec.table }, format: 'JSONEachRow' });
      const columns = new Map((await rs.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]));
      for (const [name] of spec.sums) expect(columns.get(name), `${spec.table}.${name}`).toBe('Int64');
    }
  });

  it('an hour built with other rollups is rebuilt, and only it', async () => {
    const hour = hourOf([...current.values()][0]!.timestamp);
    const rs = await ch.query({
      query: 'SELECT * EXCEPT layout FROM call_facts_hours FINAL WHERE org_id = {org:String} AND hour = {hour:Int32}',
      query_params: { org: ORG, hour },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<Record<string, unknown> & { gen: string }>();
    // The same facts named again under a later generation, as a build with another layout (0: before rollups) left them.
    await ch.insert({ table: 'call_facts_hours', values: [{ ...row, gen: (BigInt(row!.gen) + 1n).toString(), layout: 0 }], format: 'JSONEachRow' });
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(1);
    await expectAgreement();
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(0);
  });

  it('the coverage fingerprint changes with the calls, and only then', async () => {
    const before = (await dataCoverage(ch, ORG)).fingerprint;
    expect((await dataCoverage(ch, ORG)).fingerprint).toBe(before);
    const [c] = [...current.values()];
    await insert(ORG, [{ ...c!, request_id: `${c!.request_id}_fp`, timestamp: c!.timestamp + 1 }]);
    expect((await dataCoverage(ch, ORG)).fingerprint).not.toBe(before);
    await expectAgreement();
  });

  it("another org's calls leave this org's facts alone", async () => {
    // A merge that drops superseded versions changes an hour's fingerprint (it counts every stored version):
    // merge them all first, so only the other org's insert could change anything.
    await ch.command({ query: 'OPTIMIZE TABLE llm_calls FINAL', clickhouse_settings: { mutations_sync: '2' } });
    await ensureCallFacts(ch, ORG);
    await insert(OTHER, [...current.values()].slice(0, 500).map((c) => ({ ...c, status: '429', feature: 'leak' })));
    expect((await ensureCallFacts(ch, ORG)).rebuilt_hours).toBe(0);
    await expectAgreement();
  });
});

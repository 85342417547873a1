// The ClickHouse workload profile (db/workload-profile.ts) agrees exactly with the in-process reference
// (engine/profile/reference.ts buildProfile) over the same calls: a real ClickHouse (chdb behind its HTTP
// interface), the real migrations, rows written by db/telemetry-writer.ts, and seeded workloads built to
// hit every rule of engine/profile/derive.ts at and around its thresholds — exact and near duplicates,
// double fires, retries after 429 / errors with fallbacks, sessions that grow past the history window,
// prefix reuse across both cache TTLs (hashes repeated inside a call, chains that break midway, the same
// hashes on another model), cache writes read and unread, unknown models, missing costs, latencies at
// round time-outs, ties on the timestamp, invalid rows, superseded row versions (FINAL) and a second org
// whose rows share request ids and hashes with the first and must not leak in. Then the same agreement over
// the synthetic workload generator (engine/synthetic generateWorkload), and a 100k-call run with timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '../../../db/clickhouse';
import { insertRows, toCallRow, type LlmCallRow } from '../../../db/telemetry-writer';
import { loadProfileParams, loadWorkloadProfile } from '../../../db/workload-profile';
import { buildProfile } from '../../../engine/profile/reference';
import { generateWorkload } from '../../../engine/synthetic/index';
import type { LlmCall } from '../../../engine/telemetry/record';
import { DAY, HOUR, START, generateCalls, inScope, type Workload } from '../../support/edge-workload';
import { migratedClickHouse } from '../../support/migrated-clickhouse';

let clickhouse: Awaited<ReturnType<typeof migratedClickHouse>>;
let ch: ClickHouseClient;

async function insert(org: string, calls: readonly LlmCall[], ingestedAt: number): Promise<void> {
  const rows: LlmCallRow[] = calls.map((c) => toCallRow(c, { org_id: org, retention_days: 3650, api_key_id: null, ingested_at: ingestedAt }));
  for (let i = 0; i < rows.length; i += 20_000) await insertRows(ch, 'llm_calls', rows.slice(i, i + 20_000));
}

/** Stores a workload for `org` (older superseded versions first) and returns the calls as they stand. */
async function store(org: string, w: Workload): Promise<LlmCall[]> {
  const now = Date.now();
  await insert(org, w.superseded, now - HOUR);
  await insert(org, w.calls, now);
  await insert(org, w.calls.slice(0, 50), now); // a re-sent batch: the same rows again
  return w.calls;
}

beforeAll(async () => {
  clickhouse = await migratedClickHouse('profile-agreement');
  ch = clickhouse.ch;
});

afterAll(async () => {
  await clickhouse?.stop();
});

describe('loadWorkloadProfile (ClickHouse) = buildProfile (reference)', () => {
  it('the generator reaches every rule', () => {
    const calls = generateCalls(1, 3_000, 3).calls;
    const p = buildProfile(inScope(calls, START, START + 4 * DAY), { from: START, to: START + 4 * DAY });
    const sum = (k: keyof (typeof p.segments)[number]) => p.segments.reduce((s, x) => s + Number(x[k]), 0);
    for (const k of ['exact_dup_calls', 'double_fire_calls', 'near_dup_calls', 'retry_calls', 'retry_after_429_calls', 'fast_retry_after_429_calls',
      'fallback_calls', 'cache_write_unread_calls', 'followup_calls', 'growing_calls', 'history_excess_tokens', 'hit_max_tokens_calls', 'billed_failed_calls',
      'off_hours_calls'] as const) {
      expect(sum(k), k).toBeGreaterThan(0);
    }
    expect(sum('cache_write_calls')).toBeGreaterThan(sum('cache_write_unread_calls'));
    for (const i of [0, 2, 3, 5]) {
      const st = p.segments.map((s) => s.prefix_cache[i]!);
      expect(st.reduce((s, x) => s + x.hit_calls, 0), `prefix ${i}`).toBeGreaterThan(0);
      expect(st.reduce((s, x) => s + x.write_tokens, 0), `prefix ${i}`).toBeGreaterThan(0);
    }
    expect(p.segments.flatMap((s) => s.latency_at_limit).some((l) => l.calls > 0)).toBe(true);
    expect(p.data_quality.invalid_calls).toBe(6);
    expect(p.data_quality.unknown_model_calls).toBeGreaterThan(0);
    expect(p.data_quality.missing_cost_calls).toBeGreaterThan(0);
    expect(p.rate_limit_minutes.length).toBeGreaterThan(0);
    expect(p.duplicate_prompts.length).toBe(20);
    expect(p.users.top_user_days.length).toBe(20);
  });

  for (const seed of [1, 2, 3]) {
    describe(`seed ${seed}`, () => {
      const orgA = `org_a${seed}`;
      const orgB = `org_b${seed}`;
      let calls: LlmCall[];

      beforeAll(async () => {
        const a = generateCalls(seed, 3_000, 3);
        calls = await store(orgA, a);
        // The other org: its own workload over the same hash pools, plus copies of A's request ids.
        const b = generateCalls(seed + 1_000, 1_500, 3);
        b.calls.push(...a.calls.slice(0, 300).map((c) => ({ ...c, status: '429', feature: 'leak' })));
        await store(orgB, b);
      });

      const windows: [string, number, number, string?][] = [
        ['the whole workload', START - DAY, START + 5 * DAY],
        ['a sub-window (cuts sessions, retries and reuse at its edges)', START + 6 * HOUR + 123, START + 2 * DAY - 7],
        ['one source', START, START + 4 * DAY, 'otlp'],
        ['a sub-window of one source', START + 12 * HOUR, START + 36 * HOUR, 'api'],
        ['an empty window', START - 10 * DAY, START - 9 * DAY],
        // No call near the start (the end): those hours are read from the rollups alone (sql.ts withQuietEnds).
        ['from before the first call to inside the workload', START - DAY, START + 2 * DAY - 7],
        ['from inside the workload to after the last call', START + 6 * HOUR + 123, START + 5 * DAY],
      ];
      for (const [name, from, to, source] of windows) {
        it(name, async () => {
          const expected = buildProfile(inScope(calls, from, to, source), { from, to });
          const actual = await loadWorkloadProfile(ch, orgA, { from, to, ...(source !== undefined ? { source } : {}) });
          expect(actual).toStrictEqual(expected);
        });
      }

      it("the calls' own span, first to just after the last, as the agent asks by default (both ends mid-hour)", async () => {
        const from = Math.min(...calls.map((c) => c.timestamp));
        const to = Math.max(...calls.map((c) => c.timestamp)) + 1;
        expect(await loadWorkloadProfile(ch, orgA, { from, to })).toStrictEqual(buildProfile(inScope(calls, from, to), { from, to }));
      });

      it('reads an end from the rollups alone exactly when no call lies within the rules\' reach outside it', async () => {
        // What each window's ends are, worked out from the calls here: any call (of the source) within 24 h before
        // the start keeps the start an edge; any within 1 h after the end keeps the end one.
        const near = (from: number, to: number, source?: string) => {
          const own = calls.filter((c) => source === undefined || c.source === source);
          return [own.some((c) => c.timestamp >= from - DAY && c.timestamp < from), own.some((c) => c.timestamp >= to && c.timestamp < to + HOUR)];
        };
        for (const [name, from, to, source] of windows) {
          const params = await loadProfileParams(ch, orgA, { from, to, ...(source !== undefined ? { source } : {}) });
          const [before, after] = near(from, to, source);
          expect(params.interior_lo === params.from_hour, `${name}: start read from rollups`).toBe(!before);
          expect(params.interior_hi === params.to_hour, `${name}: end read from rollups`).toBe(!after);
        }
      });

      it('differs from the reference over all the org calls only by the out-of-window records', async () => {
        const from = START + DAY;
        const to = START + 2 * DAY;
        const expected = buildProfile(calls, { from, to });
        const actual = await loadWorkloadProfile(ch, orgA, { from, to });
        const outside = calls.filter((c) => c.timestamp < from || c.timestamp >= to);
        const outsideInvalid = expected.data_quality.invalid_calls - actual.data_quality.invalid_calls;
        expect(expected.data_quality.out_of_window_calls).toBe(outside.length - outsideInvalid);
        expect(actual).toStrictEqual({
          ...expected,
          data_quality: {
            ...expected.data_quality,
            records: expected.data_quality.records - outside.length,
            out_of_window_calls: 0,
            invalid_calls: actual.data_quality.invalid_calls,
            absurd_tokens_calls: actual.data_quality.absurd_tokens_calls,
            cached_exceeds_input_calls: actual.data_quality.cached_exceeds_input_calls,
            bad_cost_calls: actual.data_quality.bad_cost_calls,
          },
        });
      });
    });
  }

  describe('the synthetic workload generator (engine/synthetic)', () => {
    for (const seed of [7, 8]) {
      it(`seed ${seed}: 20k calls over 7 days, whole window and a sub-window`, async () => {
        const w = generateWorkload({ seed, calls: 20_000, days: 7, start: START });
        expect(new Set(w.calls.map((c) => c.request_id)).size).toBe(w.calls.length); // FINAL keeps one row per id
        const org = `org_syn${seed}`;
        await store(org, { calls: w.calls, superseded: [] });
        const { from, to } = w.manifest.window;
        for (const [f, t] of [[from, to], [from + 2 * DAY + 5 * HOUR, from + 4 * DAY]] as const) {
          const expected = buildProfile(inScope(w.calls, f, t), { from: f, to: t });
          expect(await loadWorkloadProfile(ch, org, { from: f, to: t })).toStrictEqual(expected);
        }
      }, 120_000);
    }
  });

  it('100k calls over 14 days (timing printed)', async () => {
    const w = generateWorkload({ seed: 42, calls: 100_000, days: 14, start: START });
    let t = performance.now();
    const calls = await store('org_big', { calls: w.calls, superseded: [] });
    const insertMs = performance.now() - t;
    const { from, to } = w.manifest.window;
    t = performance.now();
    const expected = buildProfile(inScope(calls, from, to), { from, to });
    const referenceMs = performance.now() - t;
    t = performance.now();
    const actual = await loadWorkloadProfile(ch, 'org_big', { from, to });
    const clickhouseMs = performance.now() - t;
    console.log(
      `profile of ${calls.length} calls: ClickHouse ${clickhouseMs.toFixed(0)} ms, reference in-process ${referenceMs.toFixed(0)} ms (insert ${insertMs.toFixed(0)} ms)`,
    );
    expect(actual).toStrictEqual(expected);
  }, 600_000);

  it('100k calls of the edge-case generator', async () => {
    const w = generateCalls(43, 100_000, 14);
    const calls = await store('org_big_edges', w);
    const from = START;
    const to = START + 14 * DAY;
    expect(await loadWorkloadProfile(ch, 'org_big_edges', { from, to })).toStrictEqual(buildProfile(inScope(calls, from, to), { from, to }));
  }, 600_000);
});

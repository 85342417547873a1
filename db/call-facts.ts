// Keeps call_facts / call_prefix_facts (migrations/clickhouse/0005) equal to what db/call-facts/build.ts
// computes from llm_calls FINAL, per (org, UTC hour): an hour is rebuilt when the fingerprint of its
// llm_calls rows (every stored version: count and a sum of per-row hashes of request id, ingestion time and
// cost) is not the one its current generation was built from — a new, replaced, repriced or expired call
// changes it. The ingest path calls this after a flush; the profile calls it first, so it never reads a
// stale hour.
//
// A changed hour also changes the facts of the calls whose neighbours it may hold: up to SHORT_REACH_MS
// before it (a later neighbour) and LONG_REACH_MS after it (an earlier one, for the duplicate rules) — so
// for calls arriving live, the hour before and the current one. Those hours are rebuilt with it, and so is
// any hour holding another version of one of its request ids (a call whose timestamp moved). Each rebuild
// writes a new generation of its hours, then names it in call_facts_hours, then deletes the generations it
// replaced: a reader taking the hours' current generations sees one complete set.
// The same rebuild writes the hourly rollups of the new facts (db/workload-profile/rollup.ts) in that generation;
// call_facts_hours.layout names their sums' definitions, and an hour built with others is rebuilt.
import type { ClickHouseClient } from './clickhouse';
import { HOUR_MS } from '../engine/profile/derive';
import { INSERT_CALL_FACTS, INSERT_PREFIX_FACTS } from './call-facts/build';
import { LONG_REACH_MS, SHORT_REACH_MS } from './call-facts/reach';
import { MINUTE_ROLLUP } from './workload-profile/buckets';
import { CALL_ROLLUP } from './workload-profile/call-rollup';
import { PREFIX_ROLLUP } from './workload-profile/prefix';
import { insertRollups, rollupLayout } from './workload-profile/rollup';
import { dateTime64, modelIds, PAIR_KEY, QUERY_SETTINGS, queryRows, scopeParams, type Pair } from './workload-profile/sql';

/** Rows one rebuild writes at most: bounds the memory of its window sorts. */
const MAX_ROWS_PER_BUILD = 1_000_000;

interface HourPrint {
  rows: number;
  hash: string;
  /** The rollups' layout the hour was built with (call_facts_hours.layout; unknown for llm_calls). */
  layout?: number;
}

const ROLLUPS = [CALL_ROLLUP, PREFIX_ROLLUP, MINUTE_ROLLUP];
/** The layout of the rollups this code writes and reads: an hour built with another is rebuilt. */
export const ROLLUP_LAYOUT = rollupLayout(ROLLUPS);

const HOUR_OF_TIMESTAMP = `toInt32(floor(toUnixTimestamp64Milli(timestamp) / ${HOUR_MS}))`;

function prints(found: { hour: number; n: string; h: string; layout?: number }[]): Map<number, HourPrint> {
  return new Map(found.map((r) => [Number(r.hour), { rows: Number(r.n), hash: r.h, layout: r.layout === undefined ? undefined : Number(r.layout) }]));
}

/** The fingerprint of each hour of the org's llm_calls rows. */
async function sourceHours(ch: ClickHouseClient, org: string): Promise<Map<number, HourPrint>> {
  const q = `SELECT ${HOUR_OF_TIMESTAMP} AS hour, count() AS n,
               toString(sum(cityHash64(request_id, toUnixTimestamp64Milli(ingested_at), ifNull(cost_nanousd, -1)))) AS h
             FROM llm_calls WHERE org_id = {org:String} GROUP BY hour`;
  return prints(await queryRows<{ hour: number; n: string; h: string }>(ch, q, { org }));
}

/** The fingerprint each hour's current generation was built from. */
async function builtHours(ch: ClickHouseClient, org: string): Promise<Map<number, HourPrint>> {
  const q = `SELECT hour, rows AS n, toString(content_hash) AS h, layout FROM call_facts_hours FINAL WHERE org_id = {org:String}`;
  return prints(await queryRows<{ hour: number; n: string; h: string; layout: number }>(ch, q, { org }));
}

/** Hours (other than `hours`) holding another version of a request id of `hours`. */
async function siblingHours(ch: ClickHouseClient, org: string, hours: number[]): Promise<number[]> {
  const q = `SELECT DISTINCT ${HOUR_OF_TIMESTAMP} AS hour FROM llm_calls
             WHERE org_id = {org:String} AND request_id IN (
               SELECT request_id FROM llm_calls WHERE org_id = {org:String} AND has({hours:Array(Int32)}, ${HOUR_OF_TIMESTAMP}))
             AND NOT has({hours:Array(Int32)}, hour)`;
  return (await queryRows<{ hour: number }>(ch, q, { org, hours })).map((r) => Number(r.hour));
}

/** The hours whose calls may have a neighbour in hour h: SHORT_REACH_MS before it to LONG_REACH_MS after it. */
function reachedFrom(h: number): number[] {
  const first = Math.floor((h * HOUR_MS - SHORT_REACH_MS) / HOUR_MS);
  const last = Math.floor(((h + 1) * HOUR_MS - 1 + LONG_REACH_MS) / HOUR_MS);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * The hours to rebuild in runs, one rebuild each: a run spans hours with no calls freely (they write
 * nothing) but stops before any hour with calls that is not to be rebuilt, and at MAX_ROWS_PER_BUILD rows.
 */
function builds(hours: number[], source: Map<number, HourPrint>): number[][] {
  const withCalls = [...source.keys()].sort((a, b) => a - b);
  const out: number[][] = [];
  let run: number[] = [];
  let runRows = 0;
  let next = 0; // index into withCalls of the first hour after the run's last
  for (const h of [...hours].sort((a, b) => a - b)) {
    while (next < withCalls.length && withCalls[next]! <= (run[run.length - 1] ?? -Infinity)) next++;
    const n = source.get(h)?.rows ?? 0;
    // an hour with calls between the run's last and h that is not rebuilt
    const skipped = next < withCalls.length && withCalls[next]! < h;
    if (run.length > 0 && (skipped || runRows + n > MAX_ROWS_PER_BUILD)) {
      out.push(run);
      run = [];
      runRows = 0;
    }
    run.push(h);
    runRows += n;
  }
  if (run.length > 0) out.push(run);
  return out;
}

let lastGen = 0n;
/** A generation number above every earlier one of this isolate (and, by the clock, of others'). */
function nextGen(): bigint {
  const gen = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  lastGen = gen > lastGen ? gen : lastGen + 1n;
  return lastGen;
}

/** Rebuilds the facts of one run of hours (see builds: every hour with calls from its first to its last), a new generation, then makes it current. */
async function rebuild(ch: ClickHouseClient, org: string, hours: number[], source: Map<number, HourPrint>): Promise<void> {
  const gen = nextGen().toString();
  const lo = hours[0]! * HOUR_MS;
  const hi = (hours[hours.length - 1]! + 1) * HOUR_MS;
  const [readLo, readHi, dupLo] = [lo - SHORT_REACH_MS, hi + SHORT_REACH_MS, lo - LONG_REACH_MS];
  const range = {
    org,
    lo,
    hi,
    read_lo: readLo,
    read_hi: readHi,
    dup_lo: dupLo,
    lo_dt: dateTime64(lo),
    hi_dt: dateTime64(hi),
    read_lo_dt: dateTime64(readLo),
    read_hi_dt: dateTime64(readHi),
    dup_lo_dt: dateTime64(dupLo),
  };
  const distinct = `SELECT groupUniqArray((${PAIR_KEY}, toString(provider), toString(model))) AS pairs, groupUniqArray(toString(feature)) AS features
     FROM llm_calls
     WHERE org_id = {org:String} AND timestamp >= {dup_lo_dt:DateTime64(3, 'UTC')} AND timestamp <= {read_hi_dt:DateTime64(3, 'UTC')}`;
  const [found] = await queryRows<{ pairs: Pair[]; features: string[] }>(ch, distinct, range);
  const pairs = found?.pairs ?? [];
  const features = found?.features ?? [];
  const params = { ...range, ...modelIds(pairs, features, () => false), gen };
  const settings = { ...QUERY_SETTINGS, max_partitions_per_insert_block: '1000' };
  await Promise.all([
    ch.command({ query: INSERT_CALL_FACTS, query_params: params, clickhouse_settings: settings }),
    ch.command({ query: INSERT_PREFIX_FACTS, query_params: params, clickhouse_settings: settings }),
  ]);
  // The rollups of the new facts, per scope: the window unbounded and every model known (rollup.ts).
  const unbounded = { ...scopeParams(org, { from: -Infinity, to: Infinity }, 0), ...modelIds(pairs, features, () => true), gen };
  await Promise.all(
    ROLLUPS.flatMap((spec) =>
      ([0, 1] as const).map((by_source) =>
        ch.command({ query: insertRollups(spec), query_params: { ...unbounded, by_source }, clickhouse_settings: settings }),
      ),
    ),
  );
  await ch.insert({
    table: 'call_facts_hours',
    values: hours.map((hour) => ({
      org_id: org,
      hour,
      gen,
      rows: source.get(hour)?.rows ?? 0,
      content_hash: source.get(hour)?.hash ?? '0',
      pairs,
      features,
      layout: ROLLUP_LAYOUT,
    })),
    format: 'JSONEachRow',
  });
  // The generations this one replaced: no reader takes them any more.
  for (const table of ['call_facts', 'call_prefix_facts', ...ROLLUPS.map((r) => r.table)])
    await ch.command({
      query: `DELETE FROM ${table} WHERE org_id = {org:String} AND has({hours:Array(Int32)}, hour) AND gen < {gen:UInt64}`,
      query_params: { org, hours, gen },
      clickhouse_settings: { lightweight_deletes_sync: '0' },
    });
}

export interface FactsRefresh {
  /** Hours rebuilt now (0 when every hour was current). */
  rebuilt_hours: number;
}

/** Brings the org's call facts up to date with llm_calls (see the top of this file). */
export async function ensureCallFacts(ch: ClickHouseClient, org: string): Promise<FactsRefresh> {
  const [source, built] = await Promise.all([sourceHours(ch, org), builtHours(ch, org)]);
  const dirty = new Set<number>();
  for (const [hour, print] of source) {
    const b = built.get(hour);
    if (!b || b.rows !== print.rows || b.hash !== print.hash) dirty.add(hour);
  }
  for (const [hour, b] of built) if (!source.has(hour) && b.rows > 0) dirty.add(hour);
  // Built with other rollups: rebuilt as they are (their facts' neighbours did not change).
  const relayout = [...built].filter(([hour, b]) => b.layout !== ROLLUP_LAYOUT && !dirty.has(hour) && (source.has(hour) || b.rows > 0)).map(([hour]) => hour);
  if (dirty.size === 0 && relayout.length === 0) return { rebuilt_hours: 0 };
  if (dirty.size > 0 && dirty.size < source.size) for (const h of await siblingHours(ch, org, [...dirty])) dirty.add(h);
  const hours = new Set<number>(relayout);
  for (const d of dirty) for (const h of reachedFrom(d)) if (source.has(h) || (built.get(h)?.rows ?? 0) > 0) hours.add(h);
  for (const run of builds([...hours], source)) await rebuild(ch, org, run, source);
  return { rebuilt_hours: hours.size };
}

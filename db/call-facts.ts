// Keeps call_facts / call_prefix_facts (migrations/clickhouse/0005) equal to what db/call-facts/build.ts
// computes from llm_calls FINAL, per (org, UTC day): a day is rebuilt when the fingerprint of its llm_calls
// rows (every stored version: count and a sum of per-row hashes of request id, ingestion time and cost) is
// not the one its current generation was built from — a new, replaced, repriced or expired call changes
// it. The ingest path calls this after a flush; the profile calls it first, so it never reads a stale day.
//
// A changed day also changes its neighbours' facts (a call's nearest earlier neighbour may be up to 24 h
// before it, a later one up to the longest cache TTL after): the day before and the day after are rebuilt
// with it, and so is any day holding another version of one of its request ids (a call whose timestamp moved).
// Each rebuild writes a new generation of its days, then names it in call_facts_days, then deletes the
// generations it replaced: a reader taking the days' current generations sees one complete set.
import type { ClickHouseClient } from './clickhouse';
import { DAY_MS } from '../engine/findings';
import { INSERT_CALL_FACTS, INSERT_PREFIX_FACTS } from './call-facts/build';
import { dateTime64, modelIds, PAIR_KEY, type Pair } from './workload-profile/sql';

/** Rows one rebuild reads at most (besides its neighbour days): bounds the memory of its window sorts. */
const MAX_ROWS_PER_BUILD = 2_000_000;

interface DayPrint {
  rows: number;
  hash: string;
}

const DAY_OF_TIMESTAMP = `toInt32(floor(toUnixTimestamp64Milli(timestamp) / ${DAY_MS}))`;

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** The fingerprint of each day of the org's llm_calls rows. */
async function sourceDays(ch: ClickHouseClient, org: string): Promise<Map<number, DayPrint>> {
  const out = new Map<number, DayPrint>();
  const q = `SELECT ${DAY_OF_TIMESTAMP} AS day, count() AS n,
               toString(sum(cityHash64(request_id, toUnixTimestamp64Milli(ingested_at), ifNull(cost_nanousd, -1)))) AS h
             FROM llm_calls WHERE org_id = {org:String} GROUP BY day`;
  for (const r of await rows<{ day: number; n: string; h: string }>(ch, q, { org })) out.set(Number(r.day), { rows: Number(r.n), hash: r.h });
  return out;
}

/** The fingerprint each day's current generation was built from. */
async function builtDays(ch: ClickHouseClient, org: string): Promise<Map<number, DayPrint>> {
  const out = new Map<number, DayPrint>();
  const q = `SELECT day, rows AS n, toString(content_hash) AS h FROM call_facts_days FINAL WHERE org_id = {org:String}`;
  for (const r of await rows<{ day: number; n: string; h: string }>(ch, q, { org })) out.set(Number(r.day), { rows: Number(r.n), hash: r.h });
  return out;
}

/** Days (other than `days`) holding another version of a request id of `days`. */
async function siblingDays(ch: ClickHouseClient, org: string, days: number[]): Promise<number[]> {
  const q = `SELECT DISTINCT ${DAY_OF_TIMESTAMP} AS day FROM llm_calls
             WHERE org_id = {org:String} AND request_id IN (
               SELECT request_id FROM llm_calls WHERE org_id = {org:String} AND has({days:Array(Int32)}, ${DAY_OF_TIMESTAMP}))
             AND NOT has({days:Array(Int32)}, day)`;
  return (await rows<{ day: number }>(ch, q, { org, days })).map((r) => Number(r.day));
}

/** Runs of consecutive days, split so each reads at most MAX_ROWS_PER_BUILD rows of its own days. */
function builds(days: number[], source: Map<number, DayPrint>): number[][] {
  const out: number[][] = [];
  let run: number[] = [];
  let runRows = 0;
  for (const d of [...days].sort((a, b) => a - b)) {
    const n = source.get(d)?.rows ?? 0;
    if (run.length > 0 && (d !== run[run.length - 1]! + 1 || runRows + n > MAX_ROWS_PER_BUILD)) {
      out.push(run);
      run = [];
      runRows = 0;
    }
    run.push(d);
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

/** Rebuilds the facts of the consecutive days `days` (a new generation), then makes it current. */
async function rebuild(ch: ClickHouseClient, org: string, days: number[], source: Map<number, DayPrint>): Promise<void> {
  const gen = nextGen().toString();
  const lo = days[0]! * DAY_MS;
  const hi = (days[days.length - 1]! + 1) * DAY_MS;
  const range = { org, read_lo: lo - DAY_MS, read_hi: hi + DAY_MS, read_lo_dt: dateTime64(lo - DAY_MS), read_hi_dt: dateTime64(hi + DAY_MS) };
  const distinct = `SELECT groupUniqArray((${PAIR_KEY}, toString(provider), toString(model))) AS pairs, groupUniqArray(toString(feature)) AS features
     FROM llm_calls
     WHERE org_id = {org:String} AND timestamp >= {read_lo_dt:DateTime64(3, 'UTC')} AND timestamp <= {read_hi_dt:DateTime64(3, 'UTC')}`;
  const [found] = await rows<{ pairs: Pair[]; features: string[] }>(ch, distinct, range);
  const pairs = found?.pairs ?? [];
  const features = found?.features ?? [];
  const params = { ...range, ...modelIds(pairs, features, () => false), gen, lo, hi };
  const settings = { max_partitions_per_insert_block: '1000' };
  await Promise.all([
    ch.command({ query: INSERT_CALL_FACTS, query_params: params, clickhouse_settings: settings }),
    ch.command({ query: INSERT_PREFIX_FACTS, query_params: params, clickhouse_settings: settings }),
  ]);
  await ch.insert({
    table: 'call_facts_days',
    values: days.map((day) => ({ org_id: org, day, gen, rows: source.get(day)?.rows ?? 0, content_hash: source.get(day)?.hash ?? '0', pairs, features })),
    format: 'JSONEachRow',
  });
  // The generations this one replaced: no reader takes them any more.
  for (const table of ['call_facts', 'call_prefix_facts'])
    await ch.command({
      query: `DELETE FROM ${table} WHERE org_id = {org:String} AND has({days:Array(Int32)}, day) AND gen < {gen:UInt64}`,
      query_params: { org, days, gen },
      clickhouse_settings: { lightweight_deletes_sync: '0' },
    });
}

export interface FactsRefresh {
  /** Days rebuilt now (0 when every day was current). */
  rebuilt_days: number;
}

/** Brings the org's call facts up to date with llm_calls (see the top of this file). */
export async function ensureCallFacts(ch: ClickHouseClient, org: string): Promise<FactsRefresh> {
  const [source, built] = await Promise.all([sourceDays(ch, org), builtDays(ch, org)]);
  const dirty = new Set<number>();
  for (const [day, print] of source) {
    const b = built.get(day);
    if (!b || b.rows !== print.rows || b.hash !== print.hash) dirty.add(day);
  }
  for (const [day, b] of built) if (!source.has(day) && b.rows > 0) dirty.add(day);
  if (dirty.size === 0) return { rebuilt_days: 0 };
  if (dirty.size < source.size) for (const d of await siblingDays(ch, org, [...dirty])) dirty.add(d);
  const days = new Set<number>();
  for (const d of dirty) for (const n of [d - 1, d, d + 1]) if (source.has(n) || (built.get(n)?.rows ?? 0) > 0) days.add(n);
  for (const run of builds([...days], source)) await rebuild(ch, org, run, source);
  return { rebuilt_days: days.size };
}

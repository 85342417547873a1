// Hourly rollups of the call facts (migrations/clickhouse/0006): per (org, UTC hour, generation, scope) and
// group key, one column per sum of per-row values a section adds up — counts, token and cost sums, rule counts — with
// every rule's flags as over all the org's calls (scope 0) or over the calls of the row's own source (scope
// 1). db/call-facts.ts writes them with each rebuilt hour's facts, in the same generation.
//
// A window's interior hours (ProfileParams.interior_lo … interior_hi) have exactly those flags: every
// neighbour a rule may use is inside the window. So `windowRollup` reads the rollups of the interior hours
// and computes the same sums from the facts of the other hours with the window's flags, then merges them:
// exact, and a month's profile reads the facts of about a day and two hours. Where no call lies within the
// rules' reach outside the window at an end (sql.ts withQuietEnds: the window of all the org's calls, the
// agent's default), the hours there are interior too, and a window without edge hours reads rollups alone.
import { HOUR_MS } from '../../engine/profile/derive';
import { CURRENT_FACTS, FID, IN_SCOPE, KNOWN, PM, type ProfileParams } from './sql';

/** A per-row value summed: [name, Int64 expression of the row, true when it reads `known` or `cost` (derive.ts §cost)]. */
export type Sum = readonly [name: string, expr: string, byCatalog?: true];

export interface RollupSpec {
  table: string;
  /** The group key columns (hour first), each a column of `rows` and of the table. */
  keys: readonly string[];
  /** The rows of the facts matching `filter`, with every column `sums` and `merged` read (flags per the query's scope and window). */
  rows: (filter: string) => string;
  sums: readonly Sum[];
  /** Other columns a reader merges: [column, its aggregate over rows] (an array, merged by concatenation). */
  merged: readonly (readonly [string, string])[];
  /** Columns only the table holds (e.g. for data coverage): [column, aggregate over rows]. */
  stored: readonly (readonly [string, string])[];
  /** The groups the table keeps (a condition on the sums by name); a reader applies it after merging. */
  having?: string;
}

/**
 * The rows of a spec as the table keys them: in scope 0 (flags over all sources) with source '', as no reader
 * of scope 0 asks for one source (a source's own figures are in scope 1): a group per source would only
 * multiply the rows.
 */
const scopedRows = (spec: RollupSpec, filter: string): string =>
  `SELECT * REPLACE (if({by_source:UInt8} = 1, source, '') AS source) FROM (${spec.rows(filter)})`;

/** A fact's ts is in an edge hour (not interior): as ts ranges, so the facts' primary key skips the interior. */
const EDGE = `(ts < toInt64({interior_lo:Int32}) * ${HOUR_MS} OR ts >= (toInt64({interior_hi:Int32}) + 1) * ${HOUR_MS})`;

/** Each sum over one group of rows, as `<prefix><name>` (a NULL value adds nothing, as countIf / sumIf skip it). */
const sumsOf = (sums: readonly Sum[], prefix: string): string =>
  sums.map(([name, e]) => `toInt64(sum(toInt64(ifNull(${e}, 0)))) AS ${prefix}${name}`).join(', ');

/**
 * The stored sums as r_<name>, with the catalog applied: the table is written with every model known (the
 * catalog may change after), so the sums that depend on it are zeroed here for a pair it does not know.
 */
function storedSums(sums: readonly Sum[]): string {
  const known = KNOWN.replaceAll('[pm]', `[${PM}]`);
  return sums.map(([name, , byCatalog]) => (byCatalog ? `if(${known}, ${name}, 0) AS r_${name}` : `${name} AS r_${name}`)).join(', ');
}

/** `sum(r_<name>)` of one sum: the window's total (over the rows of the group, those matching `cond` if given). */
export function total(spec: RollupSpec, name: string, cond?: string): string {
  if (!spec.sums.some(([s]) => s === name)) throw new Error(`rollup ${spec.table}: no sum ${name}`);
  return cond ? `sumIf(r_${name}, ${cond})` : `sum(r_${name})`;
}

/** `total AS <name>` for each name. */
export const sumColumns = (spec: RollupSpec, names: readonly string[], cond?: string): string =>
  names.map((n) => `${total(spec, n, cond)} AS ${n}`).join(', ');

/**
 * A query over a window's rollups in two forms: `withEdges` merges the rollups of the interior hours with the
 * same sums from the facts of the edge hours; `interiorOnly` reads rollups alone, for a window whose every
 * hour is interior (hasEdges false) — it is far less SQL to plan.
 */
export interface WindowQuery {
  withEdges: string;
  interiorOnly: string;
}

/** Whether the window has hours outside its interior (ProfileParams.interior_lo … interior_hi). */
export const hasEdges = (params: ProfileParams): boolean => params.interior_lo > params.from_hour || params.interior_hi < params.to_hour;

/** The form of `q` these parameters need. */
export const windowSql = (q: WindowQuery, params: ProfileParams): string => (hasEdges(params) ? q.withEdges : q.interiorOnly);

/** `wrap` applied to both forms. */
export const mapWindow = (q: WindowQuery, wrap: (sql: string) => string): WindowQuery => ({ withEdges: wrap(q.withEdges), interiorOnly: wrap(q.interiorOnly) });

/**
 * The rows (keys, r_<sum>, merged columns) of the window — the rollups of its interior hours and the same
 * sums from the facts of its other hours — then `select … WHERE where GROUP BY groupBy` over them. `select`
 * reads the key columns, fid / pm (the feature and pair ids), and the sums through sumColumns.
 */
export function windowRollup(spec: RollupSpec, select: string, where = '1', groupBy?: string): WindowQuery {
  const keys = spec.keys.join(', ');
  // Only the sums and merged columns the query reads: the planner would otherwise compute every one in both branches.
  const reads = (name: string) => new RegExp(`\\b${name}\\b`).test(`${select} ${where}`);
  const sums = spec.sums.filter(([name]) => reads(`r_${name}`));
  const mergedColumns = spec.merged.filter(([c]) => reads(c));
  const merged = mergedColumns.map(([c]) => `, ${c}`).join('');
  const interior = `hour >= {interior_lo:Int32} AND hour <= {interior_hi:Int32}`;
  const rollups = `
    SELECT ${keys}, ${storedSums(sums)}${merged}
    FROM ${spec.table}
    WHERE org_id = {org:String} AND hour >= {from_hour:Int32} AND hour <= {to_hour:Int32} AND ${interior}
      AND scope = {by_source:UInt8} AND ({by_source:UInt8} = 0 OR source = {source:String}) AND ${CURRENT_FACTS}`;
  const edges = `
    SELECT ${keys}, ${sumsOf(sums, 'r_')}${mergedColumns.map(([c, agg]) => `, ${agg} AS ${c}`).join('')}
    FROM (${scopedRows(spec, `${IN_SCOPE} AND ${EDGE}`)})
    GROUP BY ${keys}`;
  const over = (rows: string) => `
SELECT ${select}
FROM (
  SELECT *, ${spec.keys.includes('feature') ? `${FID} AS fid, ` : ''}${PM} AS pm
  FROM (${rows}
  )
)
WHERE ${where}${groupBy ? `\nGROUP BY ${groupBy}` : ''}`;
  return { withEdges: over(`${rollups}\n    UNION ALL${edges}`), interiorOnly: over(rollups) };
}

/**
 * INSERT of the rollups of the facts of generation {gen} (db/call-facts.ts), for scope {by_source}: run with
 * the window unbounded ({from_ms} / {to_ms} at their extremes) and every pair known.
 */
export function insertRollups(spec: RollupSpec): string {
  const keys = spec.keys.join(', ');
  const extra = [...spec.merged, ...spec.stored];
  return `
INSERT INTO ${spec.table} (org_id, gen, scope, ${keys}, ${spec.sums.map(([n]) => n).join(', ')}${extra.map(([c]) => `, ${c}`).join('')})
SELECT {org:String}, {gen:UInt64}, {by_source:UInt8}, ${keys}, ${sumsOf(spec.sums, '')}${extra.map(([, agg]) => `, ${agg}`).join('')}
FROM (${scopedRows(spec, 'org_id = {org:String} AND gen = {gen:UInt64}')})
GROUP BY ${keys}${spec.having ? `\nHAVING ${spec.having}` : ''}`;
}

/** A number naming the rollups' layout (tables and sums in order): an hour built with another is rebuilt. */
export function rollupLayout(specs: readonly RollupSpec[]): number {
  const text = specs.map((s) => `${s.table}(${s.keys.join(',')}):${s.sums.map(([n, e]) => `${n}=${e}`).join(';')}`).join('|');
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The hour of a rollup row as the epoch ms of its start (derive.ts §buckets of its calls). */
export const HOUR_START = `toInt64(hour) * ${HOUR_MS}`;

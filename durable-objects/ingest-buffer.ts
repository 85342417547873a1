// IngestBuffer: one Durable Object per org (`idFromName(org_id)`) between the ingest routes and ClickHouse.
// `append` stores validated rows in SQLite (deduped by request id / event id for DEDUP_WINDOW_MS, and the
// batch's response under its Idempotency-Key) and returns: only then does the API answer 202. The alarm
// sends pending rows to ClickHouse in blocks of FLUSH_BATCH_ROWS, each with a deterministic
// insert_deduplication_token, and deletes them only after ClickHouse acknowledged; while ClickHouse is
// down it retries with exponential backoff. A block ClickHouse refuses for good (malformed values, too many
// partitions for one insert) is split in halves until each part lands or is one row still refused: that row
// is kept in `dead_letter` with ClickHouse's reason (readable by the org) instead of blocking the pipeline.
// Once the calls pending are all in, it brings the org's call facts (db/call-facts.ts, what the workload
// profile reads) up to date, FACTS_DELAY_MS after the first of them landed (not during a burst of flushes, and
// at most that often); a profile catches up on the rest itself.
import { DurableObject } from 'cloudflare:workers';
import { ensureCallFacts } from '../db/call-facts';
import { ANALYSIS_TIMEOUT_MS, openClickHouse, type ClickHouseClient } from '../db/clickhouse';
import { insertJsonLines, partitionOf, refusal, type TelemetryTable } from '../db/telemetry-writer';
import { log } from '../common/logger';
import { retryDelayMs } from './outbox';
import { getMeta, setMeta } from './storage';

/** Rows per ClickHouse insert: few large blocks are what ClickHouse inserts fastest (one part, one MV pass each). */
const FLUSH_BATCH_ROWS = 20_000;
/** How long after the first append a flush runs: appends arriving meanwhile join the same inserts. */
const FLUSH_DELAY_MS = 1_000;
/** Request ids, event ids and Idempotency-Keys are remembered this long. */
const DEDUP_WINDOW_MS = 24 * 3600_000;
/** Rows per SQLite statement when queueing (keeps each bound JSON parameter well under the 2 MB value limit). */
const STATEMENT_ROWS = 500;
/** Inserts per alarm run; the alarm re-arms at once when more is pending. */
const MAX_BATCHES_PER_RUN = 20;
const CLICKHOUSE_TIMEOUT_MS = 15_000;
/** Months per insert when a block touched too many partitions. */
const PARTITIONS_PER_SPLIT = 25;
/** How long after calls landed their call facts are rebuilt (later calls join the same rebuild). */
const FACTS_DELAY_MS = 10_000;
/** Dead-lettered rows are kept this long for the org to read, then dropped. */
const DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS pending_tbl ON pending (tbl, seq);
  CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
  CREATE TABLE IF NOT EXISTS batches (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, response TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS batches_at ON batches (at);
  CREATE TABLE IF NOT EXISTS dead_letter (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

/** A row for ClickHouse, serialized once by the Worker (db/telemetry-writer.ts builds it). */
export interface BufferedRow {
  /** request_id of a call, event_id of an event: the dedup key. */
  id: string;
  json: string;
}

export interface AppendRequest {
  calls: BufferedRow[];
  events?: BufferedRow[];
  /** Stored with the rows, in the same transaction: a retry with this key gets `response` back. */
  idempotency?: { key: string; body_hash: string; response: Record<string, unknown> };
}

/** What an Idempotency-Key seen before yields: the stored response, or a conflict (it came with another body). */
export type PriorBatch = { kind: 'replayed'; response: Record<string, unknown> } | { kind: 'conflict' };

export type AppendResult = { kind: 'stored'; inserted: number; duplicates: number } | PriorBatch;

export interface FlushReport {
  flushed_calls: number;
  flushed_events: number;
  dead_lettered: number;
  pending_calls: number;
  pending_events: number;
  /** Why the last flush stopped early (ClickHouse unavailable), or null. */
  error: string | null;
  /** Hours of call facts rebuilt after this flush (null: not refreshed this time). */
  facts_rebuilt_hours: number | null;
}

export interface BufferStats {
  pending_calls: number;
  pending_events: number;
  dead_letter: number;
  failed_attempts: number;
  next_flush_at: number | null;
}

/** A row ClickHouse refused for good, as the org reads it (GET /api/ingest/dead-letter). */
export interface DeadLetter {
  id: number;
  table: TelemetryTable;
  reason: string;
  at: string;
  /** The row as it was sent to ClickHouse (columns of llm_calls / workload_events). */
  row: Record<string, string | number | null | string[]>;
}

export interface DeadLetterPage {
  total: number;
  items: DeadLetter[];
}

interface Batch {
  tbl: TelemetryTable;
  from: number;
  to: number;
  token: string;
}

const TABLES: TelemetryTable[] = ['llm_calls', 'workload_events'];
const seenId = (tbl: TelemetryTable, id: string) => `${tbl === 'llm_calls' ? 'c' : 'e'}:${id}`;

export class IngestBuffer extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Serializes flushes (alarm and flushNow) within this instance. */
  private flushing: Promise<FlushReport> = Promise.resolve(emptyReport());

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => this.sql.exec(SCHEMA));
  }

  /** The stored answer to a batch sent before under `key`, if any. */
  lookup(key: string, bodyHash: string): PriorBatch | null {
    const prior = this.sql.exec<{ body_hash: string; response: string }>('SELECT body_hash, response FROM batches WHERE key = ?', key).toArray()[0];
    if (!prior) return null;
    return prior.body_hash === bodyHash ? { kind: 'replayed', response: JSON.parse(prior.response) } : { kind: 'conflict' };
  }

  async append(req: AppendRequest): Promise<AppendResult> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): AppendResult => {
      const idem = req.idempotency;
      const prior = idem ? this.lookup(idem.key, idem.body_hash) : null;
      if (prior) return prior;
      const inserted = this.enqueue('llm_calls', req.calls, now);
      this.enqueue('workload_events', req.events ?? [], now);
      const duplicates = req.calls.length - inserted;
      if (idem) {
        this.sql.exec(
          'INSERT INTO batches (key, body_hash, response, at) VALUES (?, ?, ?, ?)',
          idem.key,
          idem.body_hash,
          JSON.stringify({ ...idem.response, duplicates }),
          now,
        );
      }
      return { kind: 'stored', inserted, duplicates };
    });
    // A later alarm is the call facts' rebuild: the flush comes first.
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > now + FLUSH_DELAY_MS) await this.ctx.storage.setAlarm(now + FLUSH_DELAY_MS);
    return result;
  }

  /** Flushes now, whatever the backoff says, and rebuilds the call facts of what landed (tests, operators). */
  flushNow(): Promise<FlushReport> {
    return this.flush(true);
  }

  override async alarm(): Promise<void> {
    await this.flush();
  }

  async stats(): Promise<BufferStats> {
    return { ...this.counts(), next_flush_at: await this.ctx.storage.getAlarm() };
  }

  /** Dead-lettered rows, oldest first, after the row id `after` (the org id, the same for all, is left out). */
  deadLetters(limit: number, after = 0): DeadLetterPage {
    const rows = this.sql
      .exec<{ seq: number; tbl: string; row: string; error: string; at: number }>(
        'SELECT seq, tbl, row, error, at FROM dead_letter WHERE seq > ? ORDER BY seq LIMIT ?',
        after,
        limit,
      )
      .toArray();
    const items = rows.map((r): DeadLetter => {
      const { org_id: _org, ...row } = JSON.parse(r.row) as DeadLetter['row'];
      return { id: r.seq, table: r.tbl as TelemetryTable, reason: r.error, at: new Date(r.at).toISOString(), row };
    });
    return { total: this.counts().dead_letter, items };
  }

  private counts(): Omit<BufferStats, 'next_flush_at'> {
    const count = (sql: string, ...args: string[]) => this.sql.exec<{ n: number }>(sql, ...args).one().n;
    return {
      pending_calls: count('SELECT count(*) AS n FROM pending WHERE tbl = ?', 'llm_calls'),
      pending_events: count('SELECT count(*) AS n FROM pending WHERE tbl = ?', 'workload_events'),
      dead_letter: count('SELECT count(*) AS n FROM dead_letter'),
      failed_attempts: Number(getMeta(this.sql, 'attempts') ?? 0),
    };
  }

  /**
   * Queues the rows whose id was not seen within the dedup window (the first of equal ids in `rows` wins) and
   * returns how many. STATEMENT_ROWS rows per statement, passed as one JSON array (json_each).
   */
  private enqueue(tbl: TelemetryTable, rows: BufferedRow[], now: number): number {
    let queued = 0;
    for (let i = 0; i < rows.length; i += STATEMENT_ROWS) {
      const slice = rows.slice(i, i + STATEMENT_ROWS);
      const fresh = new Set(
        this.sql
          .exec<{ id: string }>(
            'INSERT INTO seen (id, at) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT (id) DO NOTHING RETURNING id',
            now,
            JSON.stringify(slice.map((r) => seenId(tbl, r.id))),
          )
          .toArray()
          .map((r) => r.id),
      );
      const fresher = slice.filter((r) => fresh.delete(seenId(tbl, r.id))).map((r) => r.json);
      if (fresher.length > 0) this.sql.exec('INSERT INTO pending (tbl, row) SELECT ?, value FROM json_each(?)', tbl, JSON.stringify(fresher));
      queued += fresher.length;
    }
    return queued;
  }

  private flush(factsNow = false): Promise<FlushReport> {
    this.flushing = this.flushing.then(
      () => this.drain(factsNow),
      () => this.drain(factsNow),
    );
    return this.flushing;
  }

  private async drain(factsNow: boolean): Promise<FlushReport> {
    const report = emptyReport();
    const ch = openClickHouse(this.env, CLICKHOUSE_TIMEOUT_MS);
    try {
      for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
        const batch = this.nextBatch();
        if (!batch) break;
        const rows = this.sql
          .exec<{ row: string }>('SELECT row FROM pending WHERE tbl = ? AND seq BETWEEN ? AND ? ORDER BY seq', batch.tbl, batch.from, batch.to)
          .toArray()
          .map((r) => r.row);
        const dead = await this.insertIsolating(ch, batch.tbl, rows, batch.token);
        this.ack(batch, dead);
        if (batch.tbl === 'llm_calls' && rows.length > dead.length && !getMeta(this.sql, 'facts_org')) {
          setMeta(this.sql, 'facts_org', orgOf(rows[0]!));
          setMeta(this.sql, 'facts_due_at', String(Date.now() + FACTS_DELAY_MS));
        }
        report[batch.tbl === 'llm_calls' ? 'flushed_calls' : 'flushed_events'] += rows.length - dead.length;
        report.dead_lettered += dead.length;
      }
      setMeta(this.sql, 'attempts', '0');
    } catch (err) {
      const attempts = Number(getMeta(this.sql, 'attempts') ?? 0) + 1;
      setMeta(this.sql, 'attempts', String(attempts));
      report.error = err instanceof Error ? err.message.slice(0, 200) : 'clickhouse insert failed';
      log('warn', 'ingest buffer: clickhouse unavailable, will retry', { attempts, error: report.error });
    } finally {
      await ch.close().catch(() => {});
    }
    const now = Date.now();
    this.sql.exec('DELETE FROM seen WHERE at < ?', now - DEDUP_WINDOW_MS);
    this.sql.exec('DELETE FROM batches WHERE at < ?', now - DEDUP_WINDOW_MS);
    this.sql.exec('DELETE FROM dead_letter WHERE at < ?', now - DEAD_LETTER_RETENTION_MS);
    let stats = this.counts();
    let factsDueAt: number | null = null;
    if (!report.error && stats.pending_calls + stats.pending_events === 0) {
      factsDueAt = await this.refreshFactsWhenDue(report, now, factsNow);
      stats = this.counts(); // rows appended while it ran
    }
    report.pending_calls = stats.pending_calls;
    report.pending_events = stats.pending_events;
    if (report.error) await this.ctx.storage.setAlarm(now + retryDelayMs(stats.failed_attempts));
    else if (stats.pending_calls + stats.pending_events > 0) await this.ctx.storage.setAlarm(now);
    else if (factsDueAt !== null) await this.ctx.storage.setAlarm(factsDueAt);
    else await this.ctx.storage.deleteAlarm();
    return report;
  }

  /**
   * Rebuilds the org's call facts if calls landed since the last rebuild and their delay has passed (or
   * `force`); returns when to try again (not yet due, or the rebuild failed), else null.
   */
  private async refreshFactsWhenDue(report: FlushReport, now: number, force: boolean): Promise<number | null> {
    const org = getMeta(this.sql, 'facts_org');
    if (!org) return null;
    const dueAt = Number(getMeta(this.sql, 'facts_due_at') ?? 0);
    if (now < dueAt && !force) return dueAt;
    const ch = openClickHouse(this.env, ANALYSIS_TIMEOUT_MS);
    try {
      report.facts_rebuilt_hours = (await ensureCallFacts(ch, org)).rebuilt_hours;
      this.sql.exec("DELETE FROM meta WHERE key = 'facts_org'");
      return null;
    } catch (err) {
      log('warn', 'ingest buffer: call facts not rebuilt, will retry', { error: err instanceof Error ? err.message.slice(0, 200) : 'failed' });
      setMeta(this.sql, 'facts_due_at', String(now + FACTS_DELAY_MS));
      return now + FACTS_DELAY_MS;
    } finally {
      await ch.close().catch(() => {});
    }
  }

  /**
   * The batch to send: the one in flight when the previous attempt failed (same rows, same token, so a
   * lost acknowledgement never doubles anything), else the oldest FLUSH_BATCH_ROWS rows of one table.
   */
  private nextBatch(): Batch | null {
    const inflight = getMeta(this.sql, 'inflight');
    if (inflight) return JSON.parse(inflight) as Batch;
    for (const tbl of TABLES) {
      const range = this.sql
        .exec<{ from: number | null; to: number | null }>(
          'SELECT min(seq) AS "from", max(seq) AS "to" FROM (SELECT seq FROM pending WHERE tbl = ? ORDER BY seq LIMIT ?)',
          tbl,
          FLUSH_BATCH_ROWS,
        )
        .one();
      if (range.from === null || range.to === null) continue;
      const batch: Batch = { tbl, from: range.from, to: range.to, token: `${this.ctx.id.toString()}:${tbl}:${range.from}-${range.to}` };
      setMeta(this.sql, 'inflight', JSON.stringify(batch));
      return batch;
    }
    return null;
  }

  /**
   * Inserts rows; when ClickHouse refuses the block for good, splits it (by month when it touched too many
   * partitions, else in halves) until the refused rows are alone, and returns those with ClickHouse's reason.
   */
  private async insertIsolating(ch: ClickHouseClient, tbl: TelemetryTable, rows: string[], token: string): Promise<Array<{ row: string; error: string }>> {
    let why: ReturnType<typeof refusal>;
    try {
      await insertJsonLines(ch, tbl, rows, token);
      return [];
    } catch (err) {
      why = refusal(err);
      if (!why) throw err;
      if (rows.length === 1) return [{ row: rows[0]!, error: (err as Error).message.slice(0, 500) }];
    }
    const parts = why === 'too_many_partitions' ? byMonth(rows) : [rows.slice(0, rows.length >> 1), rows.slice(rows.length >> 1)];
    const dead: Array<{ row: string; error: string }> = [];
    for (const [i, part] of parts.entries()) dead.push(...(await this.insertIsolating(ch, tbl, part, `${token}.${i}`)));
    return dead;
  }

  /** ClickHouse acknowledged the batch: drop its rows (keeping refused ones aside) and clear the in-flight mark. */
  private ack(batch: Batch, dead: Array<{ row: string; error: string }>): void {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const d of dead) this.sql.exec('INSERT INTO dead_letter (tbl, row, error, at) VALUES (?, ?, ?, ?)', batch.tbl, d.row, d.error, now);
      this.sql.exec('DELETE FROM pending WHERE tbl = ? AND seq BETWEEN ? AND ?', batch.tbl, batch.from, batch.to);
      this.sql.exec("DELETE FROM meta WHERE key = 'inflight'");
    });
    if (dead.length > 0) log('error', 'ingest buffer: rows refused by clickhouse kept in dead_letter', { table: batch.tbl, rows: dead.length });
  }
}

/** Rows grouped into runs of PARTITIONS_PER_SPLIT months, in month order (deterministic: the same rows, the same groups). */
function byMonth(rows: string[]): string[][] {
  const months = new Map<string, string[]>();
  for (const r of rows) {
    const month = partitionOf(JSON.parse(r) as { timestamp: string });
    const group = months.get(month);
    if (group) group.push(r);
    else months.set(month, [r]);
  }
  const sorted = [...months.keys()].sort();
  const groups: string[][] = [];
  for (let i = 0; i < sorted.length; i += PARTITIONS_PER_SPLIT) groups.push(sorted.slice(i, i + PARTITIONS_PER_SPLIT).flatMap((m) => months.get(m)!));
  return groups;
}

function emptyReport(): FlushReport {
  return { flushed_calls: 0, flushed_events: 0, dead_lettered: 0, pending_calls: 0, pending_events: 0, error: null, facts_rebuilt_hours: null };
}

/** The org of a buffered llm_calls row (every row of this buffer has the same). */
const orgOf = (row: string): string => (JSON.parse(row) as { org_id: string }).org_id;

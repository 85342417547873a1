// Durable outbox: writes to Postgres and ClickHouse are first stored in the DO's SQLite, then delivered
// by `flush` (driven by the alarm) with exponential backoff. Delivery is idempotent on the receiving side
// (rows keyed by the outbox id), so a retry after a lost acknowledgement never doubles anything.
import { backoffDelay } from '../common/backoff';
export type OutboxKind = 'pg_message' | 'pg_run' | 'usage_event';

export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  payload: unknown;
  attempts: number;
}

/** Delivers a batch of items of one kind; throws when the target is unavailable. */
export type OutboxDelivery = (kind: OutboxKind, items: OutboxItem[]) => Promise<void>;

const MAX_BACKOFF_MS = 5 * 60_000;

export function retryDelayMs(attempts: number): number {
  return backoffDelay(attempts - 1, { baseMs: 1_000, maxMs: MAX_BACKOFF_MS, jitter: false });
}

export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  add(id: string, kind: OutboxKind, payload: unknown, now = Date.now()): void {
    this.sql.exec(
      'INSERT INTO outbox (id, kind, payload, next_attempt_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
      id,
      kind,
      JSON.stringify(payload),
      now,
    );
  }

  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox').one().n;
  }

  /** Earliest next attempt, or null when empty. */
  nextAttemptAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT min(next_attempt_at) AS t FROM outbox').one().t;
  }

  /** Delivers every due item (every item with `all`), grouped by kind, in insertion order within a kind. */
  async flush(deliver: OutboxDelivery, now = Date.now(), all = false): Promise<{ delivered: number; failed: number }> {
    const rows = this.sql
      .exec<{ id: string; kind: string; payload: string; attempts: number }>(
        'SELECT id, kind, payload, attempts FROM outbox WHERE next_attempt_at <= ? ORDER BY rowid LIMIT 1000',
        all ? Number.MAX_SAFE_INTEGER : now,
      )
      .toArray();
    const byKind = new Map<OutboxKind, OutboxItem[]>();
    for (const r of rows) {
      const kind = r.kind as OutboxKind;
      const list = byKind.get(kind) ?? [];
      list.push({ id: r.id, kind, payload: JSON.parse(r.payload), attempts: r.attempts });
      byKind.set(kind, list);
    }
    let delivered = 0;
    let failed = 0;
    for (const [kind, items] of byKind) {
      try {
        await deliver(kind, items);
        for (const it of items) this.sql.exec('DELETE FROM outbox WHERE id = ?', it.id);
        delivered += items.length;
      } catch (err) {
        const message = err instanceof Error ? err.message.slice(0, 200) : 'delivery failed';
        for (const it of items) {
          this.sql.exec(
            'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
            now + retryDelayMs(it.attempts + 1),
            message,
            it.id,
          );
        }
        failed += items.length;
      }
    }
    return { delivered, failed };
  }
}

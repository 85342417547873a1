// The thread's event log: every logged server event gets the next seq and is stored before it is sent.
import type { ServerEvent, ServerEventData, ServerEventType } from '../protocol/messages';

export interface EventContext {
  thread_id: string;
  run_id: string | null;
  agent_name: string | null;
}

interface EventRow {
  seq: number;
  type: string;
  run_id: string | null;
  agent_name: string | null;
  timestamp: string;
  data: string;
  [key: string]: SqlStorageValue;
}

export class EventLog {
  /** The last seq, kept once read: only this object appends, and every local event and every append needs it. */
  private last: number | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly threadId: () => string,
  ) {}

  lastSeq(): number {
    this.last ??= this.sql.exec<{ s: number | null }>('SELECT max(seq) AS s FROM events').one().s ?? 0;
    return this.last;
  }

  /** After the storage was cleared. */
  forget(): void {
    this.last = null;
  }

  /** Appends an event; with a `key` already logged (a re-run of an interrupted step) it appends nothing and returns null. */
  append<T extends ServerEventType>(type: T, data: ServerEventData<T>, ctx: Omit<EventContext, 'thread_id'>, key: string | null = null): ServerEvent | null {
    if (key !== null && this.sql.exec('SELECT 1 FROM events WHERE event_key = ?', key).toArray().length > 0) return null;
    const timestamp = new Date().toISOString();
    const seq = this.lastSeq() + 1;
    this.sql.exec(
      'INSERT INTO events (seq, type, run_id, agent_name, timestamp, data, event_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
      seq,
      type,
      ctx.run_id,
      ctx.agent_name,
      timestamp,
      JSON.stringify(data),
      key,
    );
    this.last = seq;
    return { type, data, metadata: { thread_id: this.threadId(), run_id: ctx.run_id, agent_name: ctx.agent_name, timestamp, seq } } as ServerEvent;
  }

  /** Logged events after `lastSeq`, in order (at most `limit`). */
  since(lastSeq: number, limit = 10_000): ServerEvent[] {
    return this.sql
      .exec<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?', lastSeq, limit)
      .toArray()
      .map(
        (r) =>
          ({
            type: r.type,
            data: JSON.parse(r.data),
            metadata: { thread_id: this.threadId(), run_id: r.run_id, agent_name: r.agent_name, timestamp: r.timestamp, seq: r.seq },
          }) as ServerEvent,
      );
  }
}

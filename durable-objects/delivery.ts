// Where the outbox delivers: Postgres (messages, runs) and ClickHouse (usage events).
// Every write is keyed by the outbox id, so a redelivery is a no-op.
import { sql } from 'drizzle-orm';
import { openClickHouse } from '../db/clickhouse';
import { openDb } from '../db/postgres';
import { insertRows, toEventRow } from '../db/telemetry-writer';
import { messages, runs } from '../db/schema';
import type { OutboxDelivery, OutboxItem } from './outbox';

export interface MessagePayload {
  org_id: string;
  thread_id: string;
  run_id: string | null;
  role: 'user' | 'assistant';
  content: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface RunPayload {
  org_id: string;
  user_id: string;
  thread_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  state: string;
  request: string;
  error_code: string | null;
  report_id: string | null;
  steps: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface UsageEventPayload {
  org_id: string;
  user_id: string;
  event_type: string;
  timestamp: string;
  event_data: Record<string, unknown>;
}

async function withDb<T>(env: Env, fn: (db: ReturnType<typeof openDb>['db']) => Promise<T>): Promise<T> {
  const handle = openDb(env);
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

const deliverMessages = (env: Env, items: OutboxItem[]) =>
  withDb(env, (db) =>
    db
      .insert(messages)
      .values(
        items.map((it) => {
          const p = it.payload as MessagePayload;
          return { id: it.id, ...p, created_at: new Date(p.created_at) };
        }),
      )
      .onConflictDoNothing(),
  );

/** Run rows carry their run id as outbox id suffix ("run_…#<step>"): the latest step wins. */
const deliverRuns = (env: Env, items: OutboxItem[]) =>
  withDb(env, async (db) => {
    for (const it of items) {
      const p = it.payload as RunPayload;
      const id = it.id.split('#')[0]!;
      const row = {
        id,
        ...p,
        created_at: new Date(p.created_at),
        updated_at: new Date(p.updated_at),
        completed_at: p.completed_at ? new Date(p.completed_at) : null,
      };
      await db
        .insert(runs)
        .values(row)
        .onConflictDoUpdate({
          target: runs.id,
          set: { status: row.status, state: row.state, error_code: row.error_code, report_id: row.report_id, steps: row.steps, updated_at: row.updated_at, completed_at: row.completed_at },
          setWhere: sql`${runs.steps} <= ${row.steps}`,
        });
    }
  });

async function deliverUsage(env: Env, items: OutboxItem[]): Promise<void> {
  const ch = openClickHouse(env, 10_000);
  try {
    const rows = items.map((it) => {
      const p = it.payload as UsageEventPayload;
      return toEventRow({ event_id: it.id, org_id: p.org_id, user_id: p.user_id, event_type: p.event_type, data: p.event_data, timestamp: Date.parse(p.timestamp) });
    });
    await insertRows(ch, 'workload_events', rows);
  } finally {
    await ch.close().catch(() => {});
  }
}

export function outboxDelivery(env: Env): OutboxDelivery {
  return async (kind, items) => {
    if (kind === 'pg_message') await deliverMessages(env, items);
    else if (kind === 'pg_run') await deliverRuns(env, items);
    else await deliverUsage(env, items);
  };
}

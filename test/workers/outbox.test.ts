// The ThreadAgent's outbox: writes to Postgres wait in the DO's SQLite while the target is down, are
// retried with back-off, and a redelivery (a lost acknowledgement) never doubles a row.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outboxDelivery } from '../../durable-objects/delivery';
import { Outbox, retryDelayMs } from '../../durable-objects/outbox';
import { openDb } from '../../db/postgres';
import { messages } from '../../db/schema';
import { api, jsonRequest } from './helpers';
import { signUp } from './tenancy';

describe('thread outbox', () => {
  it('keeps items while delivery fails, retries with back-off, and delivers each message exactly once', async () => {
    const t = await signUp();
    const thread = ((await (await api('/api/threads', jsonRequest('POST', {}, t.headers))).json()) as { id: string }).id;
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    const payload = { org_id: t.org_id, thread_id: thread, run_id: null, role: 'user', content: 'hello', metadata: {}, created_at: new Date().toISOString() };
    const msgId = `msg_${crypto.randomUUID().replace(/-/g, '')}`;

    const afterFailure = await runInDurableObject(stub, async (_o, state) => {
      const outbox = new Outbox(state.storage.sql);
      outbox.add(msgId, 'pg_message', payload, 1_000);
      outbox.add(msgId, 'pg_message', payload, 1_000); // the same item twice is stored once
      const down = await outbox.flush(async () => {
        throw new Error('postgres is down');
      }, 1_000);
      return { down, pending: outbox.pending(), next: outbox.nextAttemptAt() };
    });
    expect(afterFailure).toEqual({ down: { delivered: 0, failed: 1 }, pending: 1, next: 1_000 + retryDelayMs(1) });

    const delivered = await runInDurableObject(stub, async (_o, state) => {
      const outbox = new Outbox(state.storage.sql);
      const early = await outbox.flush(outboxDelivery(env), 1_500); // not due yet: nothing happens
      const due = await outbox.flush(outboxDelivery(env), 10_000);
      return { early, due, pending: outbox.pending() };
    });
    expect(delivered).toEqual({ early: { delivered: 0, failed: 0 }, due: { delivered: 1, failed: 0 }, pending: 0 });

    // The acknowledgement was lost and the item is delivered again: still one row.
    await outboxDelivery(env)('pg_message', [{ id: msgId, kind: 'pg_message', payload, attempts: 1 }]);
    const pg = openDb(env);
    try {
      const rows = await pg.db.select().from(messages).where(eq(messages.id, msgId));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.content).toBe('hello');
    } finally {
      await pg.close();
    }
  });
});

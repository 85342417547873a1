// Accepted means durable, and counted exactly once: ClickHouse is stopped while 10,000 calls are ingested in
// batches (some retried with the same Idempotency-Key, some resent without one), then restarted; the buffer's
// alarm delivers them and llm_calls holds each call once — in FINAL, in the raw table and in the rollups.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openClickHouse } from '../../db/clickhouse';
import { insertRows, toCallRow } from '../../db/telemetry-writer';
import { stackControl } from './helpers';
import { buffer, clickhouse, createKey, drain, ndjson, postCalls, type BatchResponse } from './ingest-support';
import { signUp } from './tenancy';

const BATCHES = 10;
const PER_BATCH = 1_000;

/** Batch b: even batches carry request ids, odd ones none (their ids are generated from the content). */
function batch(b: number): string {
  const base = Date.now() - 3_600_000;
  return ndjson(
    Array.from({ length: PER_BATCH }, (_, i) => ({
      ...(b % 2 === 0 && { request_id: `dur-${b}-${i}` }),
      timestamp: new Date(base + (b * PER_BATCH + i) * 100).toISOString(),
      model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
      feature: `f${i % 4}`,
      input_tokens: 100 + i,
      output_tokens: 10 + (i % 50),
      latency_ms: 200 + i,
    })),
  );
}

async function counts(orgId: string) {
  const q = (sql: string) => clickhouse<{ n: number }>(sql, { org: orgId }).then((r) => Number(r[0]!.n));
  return {
    final: await q('SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String}'),
    raw: await q('SELECT count() AS n FROM llm_calls WHERE org_id = {org:String}'),
    distinct: await q('SELECT uniqExact(request_id) AS n FROM llm_calls WHERE org_id = {org:String}'),
    rollup: await q('SELECT sum(calls) AS n FROM llm_calls_hourly WHERE org_id = {org:String}'),
    batches: await q("SELECT count() AS n FROM workload_events FINAL WHERE org_id = {org:String} AND event_type = 'ingest_batch'"),
  };
}

describe('ingest durability', () => {
  it('10,000 calls sent while ClickHouse is down, with retries, are stored exactly once after it is back', async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest']);
    const stub = buffer(t.org_id);
    let keyless = 0;

    expect((await stackControl('clickhouse/stop')).status).toBe(204);
    try {
      for (let b = 0; b < BATCHES; b++) {
        const body = batch(b);
        const headers = { 'content-type': 'application/x-ndjson', 'idempotency-key': `dur-batch-${b}` };
        const res = await postCalls(key, body, headers);
        const first = (await res.json()) as BatchResponse;
        expect(res.status, JSON.stringify(first)).toBe(202);
        expect(first).toMatchObject({ accepted: PER_BATCH, rejected: 0, duplicates: 0 });
        if (b % 3 === 0) {
          // a client that never saw the 202 retries with the same key: the same answer, nothing stored again
          const retry = await postCalls(key, body, headers);
          expect(retry.status).toBe(202);
          expect(await retry.json()).toEqual(first);
        }
        if (b % 4 === 1) {
          // and one that resends the same records without a key: every record is a known request id
          const resend = await postCalls(key, body, { 'content-type': 'application/x-ndjson' });
          expect(resend.status).toBe(202);
          expect(await resend.json()).toMatchObject({ accepted: PER_BATCH, duplicates: PER_BATCH });
          keyless++;
        }
      }
      const failed = await stub.flushNow();
      expect(failed.error).not.toBeNull();
      expect(failed.pending_calls).toBe(BATCHES * PER_BATCH);
      const stats = await stub.stats();
      expect(stats.failed_attempts).toBeGreaterThanOrEqual(1);
      expect(stats.next_flush_at).toBeGreaterThan(Date.now()); // backing off, not hammering
    } finally {
      expect((await stackControl('clickhouse/start')).status).toBe(204);
    }

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await drain(t.org_id);
    expect(await stub.stats()).toMatchObject({ pending_calls: 0, pending_events: 0, dead_letter: 0, failed_attempts: 0, next_flush_at: null });
    expect(await counts(t.org_id)).toEqual({ final: 10_000, raw: 10_000, distinct: 10_000, rollup: 10_000, batches: BATCHES + keyless });
  });

  it('a block re-sent with its deduplication token after a lost acknowledgement is not counted twice, not even in the rollups', async () => {
    const t = await signUp();
    const now = Date.now();
    const rows = Array.from({ length: 50 }, (_, i) =>
      toCallRow(
        {
          request_id: `lost-ack-${i}`, timestamp: now - i * 1000, provider: 'openai', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 1,
          cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, latency_ms: 100, ttft_ms: null, status: 'ok', cost_nanousd: 5,
          cost_from_source: false, prompt_hash: null, prefix_hashes: [], max_tokens: null, stream: null, region: null, attempt: 1,
          trace_id: null, span_id: null, metadata: {}, source: 'api',
        },
        { org_id: t.org_id, retention_days: 7, api_key_id: null, ingested_at: now },
      ),
    );
    const ch = openClickHouse(env);
    try {
      await insertRows(ch, 'llm_calls', rows, `${t.org_id}:llm_calls:1-50`);
      await insertRows(ch, 'llm_calls', rows, `${t.org_id}:llm_calls:1-50`);
    } finally {
      await ch.close();
    }
    const c = await counts(t.org_id);
    expect({ final: c.final, raw: c.raw, rollup: c.rollup }).toEqual({ final: 50, raw: 50, rollup: 50 });
  });
});

// POST /api/ingest/calls: JSON array / NDJSON / gzip, API keys with the ingest scope or a signed-in user,
// durable in the org's IngestBuffer before 202, idempotent (Idempotency-Key and request ids), per-record
// rejections next to kept records, 4xx for unusable bodies, the monthly tier limit.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../workers/app';
import { tierLimits } from '../../engine/tiers';
import { monthlyCounterKey } from '../../workers/ingest/quota';
import { api } from './helpers';
import { buffer, clickhouse, createKey, drain, expectError, gzip, ndjson, postCalls, type BatchResponse } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

const redis = () => new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function call(i: number, extra: Record<string, unknown> = {}) {
  return { request_id: `req-${i}`, timestamp: minutesAgo(60 - i), model: 'gpt-4o-mini', provider: 'openai', input_tokens: 1000 + i, output_tokens: 100 + i, latency_ms: 500 + i, feature: 'chat', ...extra };
}

async function accepted(res: Response): Promise<BatchResponse> {
  const body = (await res.json()) as BatchResponse;
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body;
}

async function countRows(orgId: string, final = true): Promise<number> {
  const [row] = await clickhouse<{ n: number }>(`SELECT count() AS n FROM llm_calls ${final ? 'FINAL' : ''} WHERE org_id = {org:String}`, { org: orgId });
  return Number(row?.n ?? 0);
}

describe('POST /api/ingest/calls', () => {
  let t: Tenant;
  let key: string;
  beforeAll(async () => {
    t = await signUp();
    key = await createKey(t, ['ingest']);
  });

  it('stores a JSON array durably (202), then in ClickHouse with the tier retention, the key, and an ingest_batch event', async () => {
    const body = await accepted(await postCalls(key, JSON.stringify([call(1), call(2), call(3, { cost_usd: 0.0125 })])));
    expect(body).toMatchObject({ accepted: 3, rejected: 0, duplicates: 0, rejections: [] });
    expect(body.batch_id).toMatch(/^bat_[0-9a-f]{32}$/);
    // Durable before any flush: the buffer holds them (or already delivered them if its alarm ran).
    const stats = await buffer(t.org_id).stats();
    await drain(t.org_id);
    expect(stats.pending_calls + (await countRows(t.org_id))).toBeGreaterThanOrEqual(3);

    const rows = await clickhouse<{ request_id: string; retention_days: number; source: string; api_key_id: string; cost_nanousd: number; cost_from_source: number }>(
      'SELECT request_id, retention_days, source, api_key_id, cost_nanousd, cost_from_source FROM llm_calls FINAL WHERE org_id = {org:String} ORDER BY request_id',
      { org: t.org_id },
    );
    expect(rows.map((r) => r.request_id)).toEqual(['req-1', 'req-2', 'req-3']);
    expect(rows.every((r) => r.retention_days === tierLimits('free').retention_days && r.source === 'api')).toBe(true);
    expect(rows[0]!.api_key_id).toMatch(/^key_/);
    expect(rows[2]).toMatchObject({ cost_nanousd: 12_500_000, cost_from_source: 1 });
    expect(rows[0]!.cost_nanousd).toBeGreaterThan(0); // priced from the catalog

    const events = await clickhouse<{ event_type: string; event_data: string; user_id: string }>(
      "SELECT event_type, event_data, user_id FROM workload_events FINAL WHERE org_id = {org:String} AND event_id = {id:String}",
      { org: t.org_id, id: body.batch_id },
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.event_type).toBe('ingest_batch');
    expect(JSON.parse(events[0]!.event_data)).toMatchObject({ batch_id: body.batch_id, source: 'api', accepted: 3, rejected: 0 });
    expect(events[0]!.user_id).toBe(t.user_id);
  });

  it("once the flushed calls are in, the buffer builds the org's call facts (what the workload profile reads)", async () => {
    const other = await signUp();
    const otherKey = await createKey(other, ['ingest']);
    const calls = [call(1), call(2), call(30, { request_id: 'req-earlier', timestamp: minutesAgo(200) })];
    await accepted(await postCalls(otherKey, JSON.stringify(calls)));
    await drain(other.org_id);
    const hours = await clickhouse<{ hour: number; rows: string }>('SELECT hour, rows FROM call_facts_hours FINAL WHERE org_id = {org:String} ORDER BY hour', { org: other.org_id });
    const expected = new Map<number, number>();
    for (const c of calls) {
      const h = Math.floor(Date.parse(c.timestamp as string) / 3_600_000);
      expected.set(h, (expected.get(h) ?? 0) + 1);
    }
    // Every hour with calls has facts built from exactly its calls.
    const built = new Map(hours.map((r) => [Number(r.hour), Number(r.rows)]));
    for (const [h, n] of expected) expect(built.get(h)).toBe(n);
    const facts = await clickhouse<{ n: string }>('SELECT count() AS n FROM call_facts WHERE org_id = {org:String}', { org: other.org_id });
    expect(Number(facts[0]!.n)).toBe(3);
    // Nothing new since: a flush rebuilds nothing and leaves no alarm behind.
    const again = await buffer(other.org_id).flushNow();
    expect(again.facts_rebuilt_hours === null || again.facts_rebuilt_hours === 0).toBe(true);
    expect((await buffer(other.org_id).stats()).next_flush_at).toBeNull();
  });

  it('without a forced flush the call facts follow on their own alarm, about 10 s after the calls landed', async () => {
    const quiet = await signUp();
    const quietKey = await createKey(quiet, ['ingest']);
    await accepted(await postCalls(quietKey, JSON.stringify([call(1), call(2)])));
    const built = async () => Number((await clickhouse<{ n: string }>('SELECT count() AS n FROM call_facts_hours FINAL WHERE org_id = {org:String}', { org: quiet.org_id }))[0]!.n);
    const until = Date.now() + 40_000;
    while ((await countRows(quiet.org_id)) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await countRows(quiet.org_id)).toBe(2);
    const landed = Date.now();
    expect(await built()).toBe(0); // not rebuilt with the flush itself
    expect((await buffer(quiet.org_id).stats()).next_flush_at).not.toBeNull();
    while ((await built()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    expect(await built()).toBeGreaterThan(0);
    expect(Date.now() - landed).toBeGreaterThan(3_000);
    expect((await buffer(quiet.org_id).stats()).next_flush_at).toBeNull();
  }, 60_000);

  it('accepts NDJSON (declared or detected) and gzip, from a signed-in user as well as a key', async () => {
    const lines = ndjson([call(10), call(11)]);
    expect((await accepted(await postCalls(key, lines, { 'content-type': 'application/x-ndjson' }))).accepted).toBe(2);
    expect((await accepted(await postCalls(t.access_token, ndjson([call(12)]), { 'content-type': 'text/plain' }))).accepted).toBe(1);
    const zipped = await api('/api/ingest/calls', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: await gzip(JSON.stringify([call(13), call(14)])),
    });
    expect((await accepted(zipped)).accepted).toBe(2);
    await drain(t.org_id);
    const [row] = await clickhouse<{ n: number }>("SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String} AND request_id IN ('req-10','req-11','req-12','req-13','req-14')", { org: t.org_id });
    expect(Number(row!.n)).toBe(5);
  });

  it('Idempotency-Key: a retried batch gets the original response and counts once; another body under the same key is 409', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const batch = JSON.stringify([call(1), call(2)]);
    const first = await accepted(await postCalls(k, batch, { 'idempotency-key': 'batch-0001' }));
    const retry = await postCalls(k, batch, { 'idempotency-key': 'batch-0001' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await accepted(retry)).toEqual(first);
    await expectError(await postCalls(k, JSON.stringify([call(3)]), { 'idempotency-key': 'batch-0001' }), 409, 'conflict');
    await expectError(await postCalls(k, batch, { 'idempotency-key': 'has spaces' }), 400, 'invalid_request');
    await drain(org.org_id);
    expect(await countRows(org.org_id, false)).toBe(2);
    const events = await clickhouse<{ n: number }>("SELECT count() AS n FROM workload_events FINAL WHERE org_id = {org:String} AND event_type = 'ingest_batch'", { org: org.org_id });
    expect(Number(events[0]!.n)).toBe(1);
  });

  it('without a key, a resent batch is deduplicated by request id (given or generated); equal records in one batch stay distinct', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const anonymous = { timestamp: minutesAgo(5), model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 1 };
    const batch = JSON.stringify([call(1), anonymous, anonymous]);
    expect(await accepted(await postCalls(k, batch))).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(await accepted(await postCalls(k, batch))).toMatchObject({ accepted: 3, duplicates: 3 });
    await drain(org.org_id);
    expect(await countRows(org.org_id, false)).toBe(3);
    expect(await countRows(org.org_id)).toBe(3);
  });

  it('rejects bad records one by one (line or index, reason) and keeps the valid ones of the same batch', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const lines = [
      JSON.stringify(call(1)),
      '{"timestamp": "2026-01-01T00:00:00Z", "model": "gpt-4o", "input_tokens": 1',
      JSON.stringify(call(3, { input_tokens: 'many' })),
      JSON.stringify(call(4, { output_tokens: -5 })),
      JSON.stringify(call(5, { timestamp: new Date(Date.now() + 3_600_000).toISOString() })),
      JSON.stringify(call(6, { favourite_colour: 'blue' })),
      JSON.stringify(call(7, { cached_input_tokens: 5000 })),
      JSON.stringify(call(8, { timestamp: 'yesterday' })),
      JSON.stringify(call(9, { timestamp: new Date(Date.now() + 60_000).toISOString() })),
      '42',
    ].join('\n');
    const body = await accepted(await postCalls(k, lines, { 'content-type': 'application/x-ndjson' }));
    expect(body).toMatchObject({ accepted: 2, rejected: 8 });
    const byLine = Object.fromEntries(body.rejections.map((r) => [r.line, r.reason]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8, 10]);
    expect(byLine[2]).toMatch(/JSON/i);
    expect(byLine[3]).toMatch(/input_tokens/);
    expect(byLine[4]).toMatch(/output_tokens/);
    expect(byLine[5]).toMatch(/future/);
    expect(byLine[6]).toMatch(/favourite_colour/);
    expect(byLine[7]).toMatch(/cached_input_tokens/);
    expect(byLine[8]).toMatch(/timestamp/);

    const array = await accepted(await postCalls(k, JSON.stringify([call(20), { model: 'x' }, call(21)])));
    expect(array).toMatchObject({ accepted: 2, rejected: 1 });
    expect(array.rejections[0]).toMatchObject({ index: 1 });
    expect(array.rejections[0]).not.toHaveProperty('line');
    await drain(org.org_id);
    expect(await countRows(org.org_id)).toBe(4); // lines 1 and 9 (a minute ahead: within the 5-minute skew), 20, 21
  });

  it('answers 4xx, never 5xx, for bodies that are not a batch', async () => {
    const send = (body: BodyInit | null, headers: Record<string, string> = {}) =>
      api('/api/ingest/calls', { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json', ...headers }, body });
    await expectError(await send(''), 400, 'invalid_request');
    await expectError(await send('   \n '), 400, 'invalid_request');
    await expectError(await send(new Uint8Array([0, 159, 146, 150, 255, 0, 1, 2, 3])), 400, 'invalid_request');
    await expectError(await send('[{"model": "gpt-4o"'), 400, 'invalid_request');
    const allBad = await expectError(await send(JSON.stringify([{ model: 'gpt-4o' }, { input_tokens: 3 }])), 400, 'invalid_request');
    expect(allBad.error.details).toMatchObject({ rejected: 2 });
    await expectError(await send('a,b\n1,2', { 'content-type': 'text/csv' }), 415, 'unsupported_media_type');
    await expectError(await send(JSON.stringify([call(1)]), { 'content-encoding': 'br' }), 415, 'unsupported_media_type');
    await expectError(await send('definitely not gzip', { 'content-encoding': 'gzip' }), 400, 'invalid_request');
  });

  it('refuses bodies over 10 MB decoded (413 with the limit), gzip bombs included, and batches of too many records', async () => {
    const record = JSON.stringify(call(1, { request_id: undefined, feature: 'x'.repeat(150) }));
    const big = Array.from({ length: Math.ceil((10.5 * 1024 * 1024) / record.length) }, () => record).join('\n');
    const tooBig = await expectError(await postCalls(key, big, { 'content-type': 'application/x-ndjson' }), 413, 'payload_too_large');
    expect(tooBig.error.details).toMatchObject({ limit_bytes: 10 * 1024 * 1024 });
    const bomb = await api('/api/ingest/calls', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: await gzip(`[${' '.repeat(11 * 1024 * 1024)}]`),
    });
    await expectError(bomb, 413, 'payload_too_large');
    const many = JSON.stringify(Array.from({ length: 25_001 }, () => ({ timestamp: 0, model: 'm', input_tokens: 1 })));
    await expectError(await postCalls(key, many), 413, 'payload_too_large');
  });

  it('needs credentials (401) and, for API keys, the ingest scope (403)', async () => {
    const anon = await api('/api/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([call(1)]) });
    await expectError(anon, 401, 'unauthorized');
    const readOnly = await createKey(t, ['read']);
    await expectError(await postCalls(readOnly, JSON.stringify([call(1)])), 403, 'forbidden');
  });

  it('enforces the monthly ingested-calls limit of the tier (429 limit_exceeded with details), counting new calls only', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const allowed = tierLimits('free').ingested_calls_per_month;
    const counter = monthlyCounterKey(org.org_id);
    await redis().set(counter, allowed - 1);
    const over = await expectError(await postCalls(k, JSON.stringify([call(1), call(2)])), 429, 'limit_exceeded');
    expect(over.error.details).toMatchObject({ limit: 'ingested_calls_per_month', tier: 'free', allowed, used: allowed - 1, requested: 2, remaining: 1 });
    expect(over.error.details?.resets_at).toMatch(/-01T00:00:00.000Z$/);
    await accepted(await postCalls(k, JSON.stringify([call(1)])));
    await expect.poll(async () => Number(await redis().get(counter)), { timeout: 5_000 }).toBe(allowed);
    await expectError(await postCalls(k, JSON.stringify([call(2)])), 429, 'limit_exceeded');
  });

  it('Redis down: the monthly limit fails open — the batch is stored and the outage logged', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));
    try {
      // Nothing listens on port 9 of localhost: every Redis call fails fast, as in an outage.
      const ctx = createExecutionContext();
      const res = await buildApp().fetch(
        new Request('http://api.test/api/ingest/calls', { method: 'POST', headers: { ...bearer(k), 'content-type': 'application/json' }, body: JSON.stringify([call(1)]) }),
        { ...env, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(await accepted(res)).toMatchObject({ accepted: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(warnings.some((w) => w.includes('monthly ingest limit not enforced'))).toBe(true);
    await drain(org.org_id);
    expect(await countRows(org.org_id)).toBe(1);
  });
});

// Records ClickHouse can never take do not stop an org's telemetry (issue 18, 2): a block refused as permanent
// (too many partitions, malformed values) is split until what is left either lands or is one record, which is
// set aside in the buffer's dead letter with ClickHouse's reason; later batches flow; outages still retry.
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { openClickHouse } from '../../db/clickhouse';
import { insertRows, MAX_PARTITIONS_PER_INSERT, refusal, toCallRow } from '../../db/telemetry-writer';
import { api } from './helpers';
import { buffer, clickhouse, createKey, drain, ndjson, postCalls, type BatchResponse } from './ingest-support';
import { bearer, signUp } from './tenancy';

const countRows = async (orgId: string) =>
  Number((await clickhouse<{ n: number }>('SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String}', { org: orgId }))[0]!.n);

/** `n` records one calendar month apart, the newest last month. */
function monthly(n: number) {
  const now = new Date();
  return Array.from({ length: n }, (_, i) => ({
    request_id: `century-${i}`,
    timestamp: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n + i, 15)).toISOString(),
    model: 'gpt-4o-mini',
    input_tokens: 10 + i,
    output_tokens: 1,
  }));
}

interface DeadLetterPage {
  total: number;
  items: Array<{ id: number; table: string; reason: string; at: string; row: Record<string, unknown> }>;
  next_cursor: string | null;
}

function callRow(orgId: string, id: string, ts: number) {
  return toCallRow(
    {
      request_id: id, timestamp: ts, provider: 'openai', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 1, cached_input_tokens: 0,
      cache_write_tokens: 0, reasoning_tokens: 0, latency_ms: 100, ttft_ms: null, status: 'ok', cost_nanousd: 5, cost_from_source: false,
      prompt_hash: null, prefix_hashes: [], max_tokens: null, stream: null, region: null, attempt: 1, trace_id: null, span_id: null, metadata: {}, source: 'api',
    },
    { org_id: orgId, retention_days: 7, api_key_id: null, ingested_at: Date.now() },
  );
}

describe('ingest dead letter', () => {
  it('ClickHouse refuses a block over the partition limit with code 252, and that is read as "split it", not as an outage', async () => {
    const orgId = `org_partitions_${crypto.randomUUID().slice(0, 8)}`;
    const rows = monthly(MAX_PARTITIONS_PER_INSERT + 1).map((r) => callRow(orgId, r.request_id, Date.parse(r.timestamp)));
    const ch = openClickHouse(env);
    try {
      const err = await insertRows(ch, 'llm_calls', rows).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: '252' });
      expect(refusal(err)).toBe('too_many_partitions');
    } finally {
      await ch.close();
    }
  });

  it('a batch spanning more monthly partitions than one insert may touch is split by month and stored whole, and later batches follow', { timeout: 120_000 }, async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest']);
    // The 1,300 months at a tenth of the size (chdb writes a part per partition slowly): still more
    // partitions than one insert may touch (ClickHouse's limit of 100).
    const records = monthly(105);
    const res = await postCalls(key, ndjson(records), { 'content-type': 'application/x-ndjson' });
    const body = (await res.json()) as BatchResponse;
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body).toMatchObject({ accepted: 105, rejected: 0 });
    const later = await postCalls(key, ndjson([{ request_id: 'after-century', timestamp: new Date(Date.now() - 60_000).toISOString(), model: 'gpt-4o-mini', input_tokens: 5 }]));
    expect(later.status).toBe(202);

    await drain(t.org_id, 50_000);
    expect(await countRows(t.org_id)).toBe(106);
    expect(await buffer(t.org_id).stats()).toMatchObject({ pending_calls: 0, dead_letter: 0, failed_attempts: 0 });
  });

  it('a record ClickHouse refuses is set aside with its reason, readable by its org only, without holding the others back', async () => {
    const t = await signUp();
    const other = await signUp();
    const now = Date.now();
    const row = (id: string, ts: number) => callRow(t.org_id, id, ts);
    const good = Array.from({ length: 9 }, (_, i) => ({ id: `good-${i}`, json: JSON.stringify(row(`good-${i}`, now - i * 1000)) }));
    // A row the Worker would never build (parsers reject such a timestamp), as a stand-in for any row ClickHouse cannot parse.
    const bad = { id: 'bad-0', json: JSON.stringify({ ...row('bad-0', now), timestamp: 'not a time at all' }) };
    const stub = buffer(t.org_id);
    await stub.append({ calls: [...good.slice(0, 4), bad, ...good.slice(4)] });
    await stub.append({ calls: [{ id: 'next-batch', json: JSON.stringify(row('next-batch', now - 50_000)) }] });

    await drain(t.org_id);
    expect(await countRows(t.org_id)).toBe(10);
    expect(await stub.stats()).toMatchObject({ pending_calls: 0, dead_letter: 1 });

    const page = await api('/api/ingest/dead-letter', { headers: t.headers });
    expect(page.status).toBe(200);
    const dead = (await page.json()) as DeadLetterPage;
    expect(dead.total).toBe(1);
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]).toMatchObject({ table: 'llm_calls', row: { request_id: 'bad-0', timestamp: 'not a time at all' } });
    expect(dead.items[0]!.reason.length).toBeGreaterThan(0);
    expect(dead.items[0]!.row).not.toHaveProperty('org_id');

    const theirs = (await (await api('/api/ingest/dead-letter', { headers: other.headers })).json()) as DeadLetterPage;
    expect(theirs).toEqual({ total: 0, items: [], next_cursor: null });
    const readOnly = await createKey(t, ['read']);
    expect((await api('/api/ingest/dead-letter', { headers: bearer(readOnly) })).status).toBe(403);
  });
});

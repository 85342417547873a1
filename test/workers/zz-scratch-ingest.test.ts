import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { toCallRow } from '../../db/telemetry-writer';
import { api } from './helpers';
import { signUp } from './tenancy';

describe('scratch', () => {
  it('buffer → clickhouse → analytics', async () => {
    const t = await signUp();
    const stub = env.INGEST_BUFFER.get(env.INGEST_BUFFER.idFromName(t.org_id));
    const ctx = { org_id: t.org_id, retention_days: 7, api_key_id: null, ingested_at: Date.now() };
    const calls = Array.from({ length: 12 }, (_, i) => toCallRow({ request_id: `r${i % 10}`, timestamp: Date.UTC(2026, 10, 1, i), provider: 'openai', model: 'gpt-4o', input_tokens: 100, output_tokens: 10, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, latency_ms: 100 * i, ttft_ms: null, status: i === 3 ? '429' : 'ok', cost_nanousd: 1234, cost_from_source: false, prompt_hash: null, prefix_hashes: [], max_tokens: null, stream: null, region: null, attempt: 1, trace_id: null, span_id: null, metadata: {}, source: 'api' }, ctx));
    const r = await stub.append({ calls: calls.map((c) => ({ id: c.request_id, json: JSON.stringify(c) })), idempotency: { key: 'k1', body_hash: 'h', response: { a: 1 } } });
    expect(r).toEqual({ kind: 'stored', inserted: 10, duplicates: 2 });
    expect(await stub.lookup('k1', 'h')).toEqual({ kind: 'replayed', response: { a: 1, duplicates: 2 } });
    expect(await stub.lookup('k1', 'x')).toEqual({ kind: 'conflict' });
    const f = await stub.flushNow();
    console.log(f, await stub.stats());
    for (const p of ['/api/analytics/summary', '/api/analytics/timeseries?bucket=hour&metric=calls', '/api/analytics/breakdown?by=model', '/api/analytics/latency', '/api/analytics/summary?from=2026-02-31']) {
      const res = await api(p, { headers: t.headers });
      console.log(p, res.status, JSON.stringify(await res.json()).slice(0, 600));
    }
  });
});

// Hostile input that used to get a 500 or be silently changed (issue 18, 5, 6 and 9): NUL characters in ids, text
// and file names; JSON nested thousands deep in API bodies, ingest metadata, NDJSON imports and OTLP values;
// impossible or out-of-range dates, accepted and then lost or moved to another day.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';
import { buffer, clickhouse, createKey, drain, expectError, ndjson, postCalls, type BatchResponse } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

const nested = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const nestedArrayValue = (depth: number) => `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`;
const recent = () => new Date(Date.now() - 3_600_000).toISOString();

describe('hostile input', () => {
  let t: Tenant;
  let key: string;
  beforeAll(async () => {
    t = await signUp();
    key = await createKey(t, ['ingest', 'read']);
  });

  it('a NUL character anywhere (URL, JSON text, file name) is a 400, never a 500', async () => {
    const cases: Array<[string, RequestInit]> = [
      ['/api/threads/thr_%00', { headers: t.headers }],
      ['/api/threads/thr_%00/messages', { headers: t.headers }],
      ['/api/corpus/doc_%00', { headers: bearer(key) }],
      ['/ws?ticket=abc&thread_id=thr_%00', { headers: { upgrade: 'websocket' } }],
      ['/api/threads', jsonRequest('POST', { title: 'a\u0000b' }, t.headers)],
      ['/api/corpus', jsonRequest('POST', { title: 'note', content: 'x\u0000y' }, t.headers)],
      ['/api/keys', jsonRequest('POST', { name: 'k\u0000', scopes: ['read'] }, t.headers)],
      ['/api/auth/register', jsonRequest('POST', { email: `nul-${crypto.randomUUID().slice(0, 8)}@example.test`, password: 'long enough password', name: 'a\u0000', org_name: 'b\u0000' })],
    ];
    for (const [path, init] of cases) {
      const res = await api(path, init);
      const body = (await res.json()) as { error?: { code: string; message: string } };
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error?.message).toMatch(/NUL/);
    }
    const form = new FormData();
    form.append('file', new Blob([ndjson([{ timestamp: recent(), model: 'gpt-4o-mini', input_tokens: 3 }])]), 'calls\u0000.ndjson');
    const imp = await api('/api/ingest/import', { method: 'POST', headers: bearer(key), body: form });
    const body = (await imp.json()) as { filename: string };
    expect(imp.status, JSON.stringify(body)).toBe(202);
    expect(body.filename).toBe('calls.ndjson');
  });

  it('JSON nested 10,000 deep is refused (400) in API bodies, and is a rejected record in batches, NDJSON imports and OTLP', async () => {
    const deepBody = await api('/api/threads', { method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: `{"title":"x","extra":${nested(10_000)}}` });
    expect(deepBody.status).toBe(400);

    const line = `{"timestamp":"${recent()}","model":"gpt-4o-mini","input_tokens":5,"metadata":${nested(10_000)}}`;
    const ok = JSON.stringify({ timestamp: recent(), model: 'gpt-4o-mini', input_tokens: 6 });
    const batch = await postCalls(key, `${line}\n${ok}`, { 'content-type': 'application/x-ndjson' });
    const got = (await batch.json()) as BatchResponse;
    expect(batch.status, JSON.stringify(got)).toBe(202);
    expect(got).toMatchObject({ accepted: 1, rejected: 1 });
    expect(got.rejections[0]!.reason).toMatch(/deeper/);
    expect((await api('/api/ingest/calls', { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: `[${line}]` })).status).toBe(400);

    const imp = await api('/api/ingest/import', { method: 'POST', headers: bearer(key), body: `${line}\n${JSON.stringify({ timestamp: recent(), model: 'gpt-4o-mini', input_tokens: 7 })}` });
    const impBody = (await imp.json()) as { accepted: number; rejected: number };
    expect(imp.status, JSON.stringify(impBody)).toBe(202);
    expect(impBody).toMatchObject({ accepted: 1, rejected: 1 });

    const now = BigInt(Date.now() - 60_000) * 1_000_000n;
    const otlp = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"chat","startTimeUnixNano":"${now}","endTimeUnixNano":"${now + 1_000_000n}","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"deep","value":${nestedArrayValue(20_000)}}]}]}]}]}`;
    const traces = await api('/v1/traces', { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: otlp });
    expect(traces.status).toBeGreaterThanOrEqual(400);
    expect(traces.status).toBeLessThan(500);
  });

  it('impossible and out-of-range dates are rejected per record with a reason, never stored as another day', async () => {
    const records = [
      { request_id: 'date-ok', timestamp: '2026-02-28T12:00:00Z', model: 'gpt-4o-mini', input_tokens: 1 },
      { request_id: 'date-feb30', timestamp: '2026-02-30T00:00:00Z', model: 'gpt-4o-mini', input_tokens: 1 },
      { request_id: 'date-ancient', timestamp: '-271821-04-20T00:00:00Z', model: 'gpt-4o-mini', input_tokens: 1 },
      { request_id: 'date-hour25', timestamp: '2026-01-10 25:00:00', model: 'gpt-4o-mini', input_tokens: 1 },
      { request_id: 'date-epoch-huge', timestamp: 8_640_000_000_000_000, model: 'gpt-4o-mini', input_tokens: 1 },
      { request_id: 'date-1899', timestamp: '1899-12-31T23:59:59Z', model: 'gpt-4o-mini', input_tokens: 1 },
    ];
    const res = await postCalls(key, ndjson(records), { 'content-type': 'application/x-ndjson' });
    const body = (await res.json()) as BatchResponse;
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body).toMatchObject({ accepted: 1, rejected: 5 });
    expect(body.rejections.map((r) => r.index ?? r.line).length).toBe(5);
    for (const r of body.rejections) expect(r.reason).toMatch(/timestamp/);

    await drain(t.org_id);
    const rows = await clickhouse<{ request_id: string; ts: string }>(
      "SELECT request_id, formatDateTime(timestamp, '%Y-%m-%d') AS ts FROM llm_calls FINAL WHERE org_id = {org:String} AND startsWith(request_id, 'date-')",
      { org: t.org_id },
    );
    expect(rows).toEqual([{ request_id: 'date-ok', ts: '2026-02-28' }]);
    expect((await buffer(t.org_id).stats()).dead_letter).toBe(0);

    const imp = await api('/api/ingest/import?format=mooncake&model=gpt-4o&start_time=2026-02-30T00:00:00Z', { method: 'POST', headers: bearer(key), body: '{"timestamp":0,"input_length":5,"output_length":1}\n' });
    expect((await expectError(imp, 400, 'invalid_request')).error.message).toMatch(/start_time/);
  });
});

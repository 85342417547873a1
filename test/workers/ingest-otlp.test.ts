/// <reference types="vite/client" />
// POST /v1/traces: OTLP/HTTP JSON with GenAI semantic conventions, answered per the OTLP spec.
import { beforeAll, describe, expect, it } from 'vitest';
import otlpJson from '../fixtures/telemetry/otlp_genai_traces.json?raw';
import { api } from './helpers';
import { clickhouse, createKey, drain, expectError, gzip } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

interface ExportResponse {
  partialSuccess: { rejectedSpans: number; errorMessage: string };
}

const post = (auth: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  api('/v1/traces', { method: 'POST', headers: { ...bearer(auth), ...headers }, body });

const nowNanos = (msAgo: number) => `${(Date.now() - msAgo) * 1_000_000}`;

function chatSpan(spanId: string, attrs: Record<string, string | number>) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId,
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: nowNanos(2_000),
    endTimeUnixNano: nowNanos(1_000),
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
    status: {},
  };
}

const exportRequest = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bot' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });

async function rows(orgId: string) {
  return clickhouse<{ request_id: string; model: string; status: string; trace_id: string; span_id: string; latency_ms: number | null }>(
    "SELECT request_id, model, status, trace_id, span_id, latency_ms FROM llm_calls FINAL WHERE org_id = {org:String} AND source = 'otlp' ORDER BY span_id",
    { org: orgId },
  );
}

describe('POST /v1/traces (OTLP/HTTP JSON)', () => {
  let t: Tenant;
  let key: string;
  beforeAll(async () => {
    t = await signUp();
    key = await createKey(t, ['ingest']);
  });

  it('turns GenAI model-call spans into calls (agent, tool and non-GenAI spans are not calls); a re-export counts once', async () => {
    const res = await post(key, otlpJson);
    expect(res.status).toBe(200);
    expect((await res.json()) as ExportResponse).toEqual({ partialSuccess: { rejectedSpans: 0, errorMessage: '' } });
    expect((await post(key, await gzip(otlpJson), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    await drain(t.org_id);
    const calls = await rows(t.org_id);
    expect(calls).toHaveLength(7); // 6 chat spans + 1 embeddings span of the fixture
    expect(calls.every((c) => c.trace_id !== '' && c.span_id !== '')).toBe(true);
    expect(calls.map((c) => c.status)).toContain('429');
    const [raw] = await clickhouse<{ n: number }>("SELECT count() AS n FROM llm_calls WHERE org_id = {org:String} AND source = 'otlp'", { org: t.org_id });
    expect(Number(raw!.n)).toBe(7);
  });

  it('reports rejected spans as a partial success and keeps the valid ones', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const body = exportRequest([
      chatSpan('00000000000000a1', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 }),
      chatSpan('00000000000000a2', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': -3, 'gen_ai.usage.output_tokens': 20 }),
      chatSpan('00000000000000a3', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 5 }),
    ]);
    const res = await post(k, body);
    expect(res.status).toBe(200);
    const out = (await res.json()) as ExportResponse;
    expect(out.partialSuccess.rejectedSpans).toBe(2);
    expect(out.partialSuccess.errorMessage).toMatch(/input_tokens/);
    expect(out.partialSuccess.errorMessage).toMatch(/model/);
    await drain(org.org_id);
    expect((await rows(org.org_id)).map((r) => r.span_id)).toEqual(['00000000000000a1']);
  });

  it('answers an empty export with full success', async () => {
    const res = await post(key, JSON.stringify({ resourceSpans: [] }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as ExportResponse).partialSuccess.rejectedSpans).toBe(0);
  });

  it('refuses protobuf with 415 and a clear message, other types with 415, malformed JSON with 400, no credentials with 401', async () => {
    const proto = await expectError(await post(key, new Uint8Array([0x0a, 0x02, 0x08, 0x01]), { 'content-type': 'application/x-protobuf' }), 415, 'unsupported_media_type');
    expect(proto.error.message).toMatch(/protobuf is not supported.*http\/json/);
    await expectError(await post(key, otlpJson, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    await expectError(await post(key, '{"resourceSpans": [', { 'content-type': 'application/json' }), 400, 'invalid_request');
    await expectError(await post(key, '{"hello": "world"}', { 'content-type': 'application/json' }), 400, 'invalid_request');
    await expectError(await api('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson }), 401, 'unauthorized');
  });
});

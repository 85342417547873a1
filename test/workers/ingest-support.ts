// Shared by the ingestion and analytics tests: API keys, posting batches, draining an org's IngestBuffer into
// ClickHouse, and reading ClickHouse directly (the independent side of every comparison).
import { env } from 'cloudflare:workers';
import { createClient } from '@clickhouse/client-web';
import { expect } from 'vitest';
import { api, jsonRequest } from './helpers';
import { bearer, type Tenant } from './tenancy';

export async function createKey(t: Tenant, scopes: string[]): Promise<string> {
  const res = await api('/api/keys', jsonRequest('POST', { name: `test ${scopes.join('+')}`, scopes }, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

export function postCalls(auth: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return api('/api/ingest/calls', { method: 'POST', headers: { ...bearer(auth), 'content-type': 'application/json', ...headers }, body });
}

export const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');

export interface BatchResponse {
  batch_id: string;
  accepted: number;
  rejected: number;
  duplicates: number;
  rejections: Array<{ index: number; line?: number; reason: string }>;
}

export function buffer(orgId: string) {
  return env.INGEST_BUFFER.get(env.INGEST_BUFFER.idFromName(orgId));
}

/** Flushes the org's buffer until nothing is pending (retrying while ClickHouse is briefly away). */
export async function drain(orgId: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await buffer(orgId).flushNow();
    if (r.error === null && r.pending_calls === 0 && r.pending_events === 0) return;
    if (Date.now() > until) throw new Error(`buffer of ${orgId} not drained: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One query straight to ClickHouse, as JSON rows. */
export async function clickhouse<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const ch = createClient({ url: env.CLICKHOUSE_URL, username: 'default', password: '', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  try {
    return await (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  } finally {
    await ch.close();
  }
}

export async function getJson<T>(path: string, headers: Record<string, string>): Promise<T> {
  const res = await api(path, { headers });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id: string };
}

export async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const body = (await res.json()) as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  return body;
}

export function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}

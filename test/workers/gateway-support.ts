// Shared by the gateway tests: an org with provider keys pointing at the local fake LLM server
// (test/support/fake-llm.ts, started by the global setup), a `gateway` API key, and calls in OpenAI's shape.
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { api, jsonRequest } from './helpers';
import { createKey } from './ingest-support';
import { bearer, setTier, signUp, type Tenant } from './tenancy';

const testEnv = env as unknown as { FAKE_LLM_URL: string; FAKE_LLM_KEY: string };
export const fakeUrl = () => testEnv.FAKE_LLM_URL;
export const fakeKey = () => testEnv.FAKE_LLM_KEY;

export interface GatewayOrg {
  tenant: Tenant;
  /** `Authorization` of a key with the gateway scope. */
  key: string;
}

export async function addProviderKey(t: Tenant, provider: string, extra: Record<string, unknown> = {}): Promise<{ id: string; hint: string }> {
  const base = provider === 'openai' ? `${fakeUrl()}/v1` : fakeUrl();
  const res = await api('/api/gateway/provider-keys', jsonRequest('POST', { name: `${provider} test`, provider, base_url: base, key: fakeKey(), ...extra }, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; hint: string };
}

/** A mid-tier org with keys for openai, anthropic and google at the fake server, and a gateway API key. */
export async function gatewayOrg(): Promise<GatewayOrg> {
  const tenant = await setTier(await signUp(), 'mid');
  for (const p of ['openai', 'anthropic', 'google']) await addProviderKey(tenant, p);
  return { tenant, key: await createKey(tenant, ['gateway']) };
}

export function chat(key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return api('/v1/chat/completions', jsonRequest('POST', body, { ...bearer(key), ...headers }));
}

export interface Completion {
  id: string;
  model: string;
  choices: Array<{ message: { role: string; content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } };
}

export async function chatOk(key: string, body: unknown, headers: Record<string, string> = {}): Promise<{ res: Response; body: Completion }> {
  const res = await chat(key, body, headers);
  expect(res.status, await res.clone().text()).toBe(200);
  return { res, body: (await res.json()) as Completion };
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

export async function expectOpenAiError(res: Response, status: number, code: string): Promise<OpenAiErrorBody> {
  const body = (await res.json()) as OpenAiErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
  return body;
}

/** The requests the fake upstream has seen whose body contains `marker`. */
export async function upstreamRequests(marker: string): Promise<Array<{ path: string; body: Record<string, unknown> }>> {
  const all = (await (await fetch(`${fakeUrl()}/__requests`)).json()) as Array<{ path: string; body: Record<string, unknown> }>;
  return all.filter((r) => JSON.stringify(r.body).includes(marker));
}

/** Parses an SSE body into its data payloads. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((e) => e.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter(Boolean);
}

export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const marker = (tag = 'm') => `${tag}-${crypto.randomUUID().slice(0, 8)}`;

export interface PolicyJson {
  id: string;
  version: number;
  status: string;
  rollback_reason: string | null;
  policy: { rules: Array<{ id: string }> };
}

/** Creates a policy and activates it. */
export async function activePolicy(t: Tenant, body: Record<string, unknown>): Promise<PolicyJson> {
  const res = await api('/api/policies', jsonRequest('POST', body, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as PolicyJson;
  const act = await api(`/api/policies/${created.id}/activate`, { method: 'POST', headers: t.headers });
  expect(act.status, await act.clone().text()).toBe(200);
  return (await act.json()) as PolicyJson;
}

export async function getPolicy(t: Tenant, id: string): Promise<PolicyJson> {
  return (await (await api(`/api/policies/${id}`, { headers: t.headers })).json()) as PolicyJson;
}

/** Cost at catalog prices, as the cost function defines it (integer picos per token, rounded once per call). */
export function costNano(perM: { input_per_m: number; output_per_m: number }, input: number, output: number): number {
  const pico = (p: number) => Math.round(p * 1e6);
  return Math.round((input * pico(perM.input_per_m) + output * pico(perM.output_per_m)) / 1000);
}

export interface LedgerRow {
  id: string;
  arm: string;
  rule_id: string;
  served_model: string;
  actual_nanousd: string;
  counterfactual_nanousd: string;
  cache_hit: boolean;
  fallback: boolean;
  status: string;
}

/** Ledger rows by gateway request id, straight from Postgres (waiting for the background writes). */
export async function ledgerRows(ids: string[], pgQuery: (q: string, p: unknown[]) => Promise<LedgerRow[]>): Promise<LedgerRow[]> {
  return eventually(() => pgQuery('select * from savings_ledger where id = any($1)', [ids]), (r) => r.length === ids.length);
}

// Demo data for `npm start`, created through the public API like any user would: a demo account, the two
// real traces of ../shared/data imported as its telemetry (once), and a first thread.
import { existsSync, readFileSync } from 'node:fs';

export const DEMO_LOGIN = { email: 'demo@netra.local', password: 'netra-demo-password' };

const TRACES = [
  { file: '../shared/data/azure_llm_inference_2023_code.csv', query: 'format=azure_trace&model=gpt-4o&provider=openai' },
  { file: '../shared/data/mooncake_synthetic_trace.jsonl', query: 'format=mooncake&model=claude-sonnet-4-5&provider=anthropic&start_time=2026-11-01T00:00:00Z' },
];

async function call(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  return fetch(`${base}${path}`, { ...init, headers });
}

async function signIn(base: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  let res = await call(base, '/api/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ ...DEMO_LOGIN, name: 'Demo', org_name: 'Demo Org' }) });
  if (res.status === 409) res = await call(base, '/api/auth/login', { method: 'POST', headers: json, body: JSON.stringify(DEMO_LOGIN) });
  if (!res.ok) throw new Error(`demo sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Returns a one-line description of what the demo account holds. */
export async function seedDemo(base: string): Promise<string> {
  const token = await signIn(base);
  const summary = await call(base, '/api/analytics/summary', { token });
  const calls = summary.ok ? ((await summary.json()) as { calls?: number }).calls ?? 0 : 0;
  if (calls > 0) return `demo data already loaded: ${calls} calls`;
  let imported = 0;
  for (const t of TRACES) {
    if (!existsSync(t.file)) continue;
    const res = await call(base, `/api/ingest/import?${t.query}`, { method: 'POST', token, headers: { 'content-type': 'text/plain' }, body: readFileSync(t.file) });
    if (res.ok) imported++;
    else console.warn(`demo import of ${t.file} failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
  }
  await call(base, '/api/threads', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Where can we save money?' }) });
  return `imported ${imported} real traces as demo telemetry`;
}

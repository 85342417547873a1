// Demo data for `npm start`, created through the public API like any user would: a demo account whose
// telemetry (loaded once) is two weeks of realistic synthetic traffic with planted waste (generation API)
// plus the real Mooncake trace (prefix-block hashes: prompt-caching analysis) replayed three days ago, and a
// first thread. Both sit in one recent window, so monthly figures mean something.
import { existsSync, readFileSync } from 'node:fs';

export const DEMO_LOGIN = { email: 'demo@netra.local', password: 'netra-demo-password' };

const DAY_MS = 86_400_000;
const MOONCAKE = '../shared/data/mooncake_synthetic_trace.jsonl';

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
  const json = { 'content-type': 'application/json' };
  const start = new Date(Math.floor((Date.now() - 14 * DAY_MS) / 3_600_000) * 3_600_000).toISOString();
  const job = await call(base, '/api/generation/start', { method: 'POST', token, headers: json, body: JSON.stringify({ seed: 42, calls: 20_000, days: 14, start }) });
  if (!job.ok) throw new Error(`demo generation failed: ${job.status} ${await job.text()}`);
  const jobId = ((await job.json()) as { job_id: string }).job_id;
  for (let i = 0; i < 120; i++) {
    const status = ((await (await call(base, `/api/generation/status/${jobId}`, { token })).json()) as { status: string }).status;
    if (status !== 'running') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  let imported = '';
  if (existsSync(MOONCAKE)) {
    const startTime = new Date(Date.now() - 3 * DAY_MS).toISOString();
    const res = await call(base, `/api/ingest/import?format=mooncake&model=claude-sonnet-4-5&provider=anthropic&start_time=${startTime}`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'text/plain' },
      body: readFileSync(MOONCAKE),
    });
    imported = res.ok ? ' + the real Mooncake trace' : '';
    if (!res.ok) console.warn(`demo import of the Mooncake trace failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
  }
  await call(base, '/api/threads', { method: 'POST', token, headers: json, body: JSON.stringify({ title: 'Where can we save money?' }) });
  return `demo telemetry: 14 days of synthetic traffic${imported}`;
}

// Send the telemetry of your LLM calls to Netra Apex in a few lines, with the typed client (hono/client over
// the API's own route types). Run against `npm start`:
//   NETRA_URL=http://localhost:8787 NETRA_API_KEY=nak_… npx tsx examples/send-telemetry.ts
// Without a key, NETRA_EMAIL / NETRA_PASSWORD sign in and create one with the `ingest` scope.
import { hc } from 'hono/client';
import type { AppType } from '../workers/app';

// Node's `process` (this file is type-checked with the Worker's types, which have no Node globals).
declare const process: { env: Record<string, string | undefined> };

const baseUrl = process.env.NETRA_URL ?? 'http://localhost:8787';
const client = hc<AppType>(baseUrl);

async function ingestKey(): Promise<string> {
  if (process.env.NETRA_API_KEY) return process.env.NETRA_API_KEY;
  const login = await client.api.auth.login.$post({ json: { email: process.env.NETRA_EMAIL ?? '', password: process.env.NETRA_PASSWORD ?? '' } });
  if (login.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(await login.json())}`);
  const { access_token } = await login.json();
  const created = await client.api.keys.$post({ json: { name: 'telemetry example', scopes: ['ingest'] } }, { headers: { authorization: `Bearer ${access_token}` } });
  if (created.status !== 201) throw new Error(`creating a key failed: ${JSON.stringify(await created.json())}`);
  return (await created.json()).key;
}

// One record per LLM call: model and tokens are enough; the rest sharpens the analysis.
const calls = [
  { timestamp: new Date().toISOString(), provider: 'openai', model: 'gpt-4o', input_tokens: 1800, output_tokens: 220, latency_ms: 1450, feature: 'support-bot', user: 'u-42' },
  { timestamp: new Date().toISOString(), provider: 'anthropic', model: 'claude-3-5-haiku', input_tokens: 900, output_tokens: 80, latency_ms: 610, feature: 'triage' },
];

const res = await fetch(`${baseUrl}/api/ingest/calls`, {
  method: 'POST',
  headers: { authorization: `Bearer ${await ingestKey()}`, 'content-type': 'application/json' },
  body: JSON.stringify(calls),
});
console.log(res.status, await res.json());

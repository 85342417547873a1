// Postgres unreachable (issue 18, 8): routes that need it answer 503 dependency_unavailable naming postgres,
// with Retry-After, never a 500; and the log of a failed query carries no parameters (user text, key hashes).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../workers/app';
import { jsonRequest } from './helpers';
import { createKey } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

const app = buildApp();
// The local stack reaches Postgres through its WebSocket relay: nothing listens on port 9, as in an outage.
const postgresDown = { ...env, NEON_WS_PROXY: '127.0.0.1:9/v1' };

async function withoutPostgres(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://api.test${path}`, init), postgresDown, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('Postgres down', () => {
  let t: Tenant;
  let key: string;
  let logs: string[];
  beforeAll(async () => {
    t = await signUp();
    key = await createKey(t, ['ingest', 'read']);
  });
  beforeEach(() => {
    logs = [];
    for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((line: unknown) => void logs.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  it('answers 503 naming postgres, retryable, on routes that read or write it', async () => {
    const fresh = await signUp(); // a token never checked before: its revocation check must reach Postgres
    const cases: Array<[string, RequestInit]> = [
      ['/api/auth/register', jsonRequest('POST', { email: 'x-pgdown@example.test', password: 'long enough password' }, { 'cf-connecting-ip': '10.9.9.9' })],
      ['/api/auth/me', { headers: t.headers }],
      ['/api/auth/me', { headers: fresh.headers }],
      ['/api/threads', jsonRequest('POST', { title: 'secret title text' }, t.headers)],
      ['/api/threads', { headers: t.headers }],
      ['/api/auth/login', jsonRequest('POST', { email: t.email, password: t.password })],
      ['/api/ingest/imports', { headers: bearer(key) }],
      ['/api/free/demo', { headers: bearer(`nak_${'Q'.repeat(43)}`) }],
    ];
    for (const [path, init] of cases) {
      const res = await withoutPostgres(path, init);
      const body = (await res.json()) as { error: { code: string; message: string; details?: { dependency?: string } } };
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(503);
      expect(body.error).toMatchObject({ code: 'dependency_unavailable', details: { dependency: 'postgres' } });
      expect(body.error.message).toMatch(/postgres/i);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(logs.join('\n')).not.toContain('secret title text');
  });
});

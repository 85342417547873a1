// Secrets never leak: passwords, API keys, refresh and access tokens appear neither in any log line
// (console captured while whole flows run) nor in any response other than the one that hands them out.
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../workers/auth/secrets';
import { api, jsonRequest } from './helpers';
import { bearer, randomIp, uniqueEmail } from './tenancy';

const logs: string[] = [];
const bodies: Array<{ what: string; text: string }> = [];

async function call(what: string, path: string, init?: RequestInit): Promise<Response> {
  const res = await api(path, init);
  bodies.push({ what, text: `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await res.clone().text()}` });
  return res;
}

beforeAll(() => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
  }
});
afterAll(() => vi.restoreAllMocks());

describe('no secrets in logs or responses', () => {
  it('a full session and key life cycle', async () => {
    const email = uniqueEmail('secret');
    const password = `Pw-${crypto.randomUUID()}`;
    const wrongPassword = `Wrong-${crypto.randomUUID()}`;
    const ip = { 'cf-connecting-ip': randomIp() };

    // Input errors must not echo the password either.
    await call('short password', '/api/auth/register', jsonRequest('POST', { email, password: 'Pw-short' }, ip));
    const reg = await call('register', '/api/auth/register', jsonRequest('POST', { email, password }, ip));
    expect(reg.status).toBe(201);
    const session = (await reg.json()) as { access_token: string; refresh_token: string };
    await call('wrong login', '/api/auth/login', jsonRequest('POST', { email, password: wrongPassword }, ip));
    await call('bad json login', '/api/auth/login', jsonRequest('POST', `{"email":"${email}","password":"${wrongPassword}"`, ip));
    const login = (await (await call('login', '/api/auth/login', jsonRequest('POST', { email, password }, ip))).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const auth = bearer(login.access_token);
    await call('me', '/api/auth/me', { headers: auth });

    const created = (await (await call('create key', '/api/keys', jsonRequest('POST', { name: 'k', scopes: ['read'] }, auth))).json()) as { id: string; key: string };
    await call('use key', '/api/free/demo', { headers: bearer(created.key) });
    await call('use key on user route', '/api/auth/me', { headers: bearer(created.key) });
    await call('list keys', '/api/keys', { headers: auth });
    await call('bad key', '/api/free/demo', { headers: bearer(`${created.key.slice(0, -2)}xx`) });

    const rotated = (await (await call('refresh', '/api/auth/refresh', jsonRequest('POST', { refresh_token: session.refresh_token }))).json()) as {
      access_token: string;
      refresh_token: string;
    };
    await call('refresh reuse', '/api/auth/refresh', jsonRequest('POST', { refresh_token: session.refresh_token }));
    await call('revoked token', '/api/auth/me', { headers: bearer(rotated.access_token) });
    await call('delete key', `/api/keys/${created.id}`, { method: 'DELETE', headers: auth });
    await call('logout', '/api/auth/logout', { method: 'POST', headers: auth });
    await call('after logout', '/api/auth/me', { headers: auth });

    // The spy saw the Worker's log lines (the request log of every call above). Each is written just after its
    // response goes out (workers/lib/services.ts afterResponse): wait for the last ones before scanning.
    await expect.poll(() => logs.filter((l) => l.includes('"msg":"request"')).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(bodies.length);
    expect(logs.some((l) => l.includes('refresh token reuse'))).toBe(true);

    const secrets: Record<string, string> = {
      password,
      wrongPassword,
      apiKey: created.key,
      apiKeyHash: await sha256Hex(created.key),
      jwtSecret: env.JWT_SECRET,
      ...Object.fromEntries(
        [session, login, rotated].flatMap((s, i) => [
          [`access${i}`, s.access_token],
          [`refresh${i}`, s.refresh_token],
        ]),
      ),
    };
    const logText = logs.join('\n');
    for (const [name, value] of Object.entries(secrets)) expect(logText.includes(value), `${name} in logs`).toBe(false);
    expect(logText).not.toContain('pbkdf2$');

    // Responses: only the one that issues a secret carries it.
    const issuedBy: Record<string, string[]> = {
      apiKey: ['create key'],
      access0: ['register'],
      refresh0: ['register'],
      access1: ['login'],
      refresh1: ['login'],
      access2: ['refresh'],
      refresh2: ['refresh'],
    };
    for (const { what, text } of bodies) {
      for (const [name, value] of Object.entries(secrets)) {
        if (!(issuedBy[name] ?? []).includes(what)) expect(text.includes(value), `${name} in the "${what}" response`).toBe(false);
      }
      expect(text, what).not.toContain('pbkdf2$');
      expect(text, what).not.toContain('password_hash');
    }
  });
});

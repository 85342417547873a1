// Google sign-in against the local OpenID Connect issuer of the test stack (test/support/oidc-issuer.ts):
// discovery, state + nonce + PKCE, code exchange, ID token verification, account linking by verified email.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';
import { bearer, signUp, uniqueEmail } from './tenancy';

interface Me {
  user: { id: string; email: string; email_verified: boolean; role: string; name: string | null };
  org: { id: string; tier: string };
}

/** Starts the flow at our API and returns the issuer authorization URL it redirected to. */
async function authorize(): Promise<URL> {
  const res = await api('/api/auth/google/authorize', { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** Plays the user at the issuer (choosing an account) and returns our callback URL it redirects back to. */
async function atIssuer(url: URL, account: Record<string, string>): Promise<URL> {
  for (const [k, v] of Object.entries(account)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

const callback = (url: URL) => api(`${url.pathname}${url.search}`, { redirect: 'manual' });

async function signInWithGoogle(account: Record<string, string>): Promise<{ tokens: URLSearchParams; me: Me }> {
  const res = await callback(await atIssuer(await authorize(), account));
  expect(res.status, await res.clone().text()).toBe(302);
  const target = new URL(res.headers.get('location')!);
  expect(target.pathname).toBe('/auth/callback');
  const tokens = new URLSearchParams(target.hash.slice(1));
  const who = await api('/api/auth/me', { headers: bearer(tokens.get('access_token')!) });
  expect(who.status).toBe(200);
  return { tokens, me: (await who.json()) as Me };
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
}

describe('Google sign-in', () => {
  it('authorize redirects to the discovered endpoint with state, nonce and PKCE S256', async () => {
    const url = await authorize();
    expect(`${url.origin}${url.pathname}`).toBe(`${env.GOOGLE_ISSUER}/authorize`);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(env.GOOGLE_CLIENT_ID);
    expect(p.get('redirect_uri')).toBe('http://api.test/api/auth/google/callback');
    expect(p.get('scope')).toBe('openid email profile');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toMatch(/^[\w-]{43}$/);
    expect(p.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(p.get('client_secret')).toBeNull();
  });

  it('a new Google account gets an org and a user; signing in again finds the same user', async () => {
    const email = uniqueEmail('g');
    const first = await signInWithGoogle({ login_hint: email, sub: `sub-${email}`, name: 'Grace' });
    expect(first.me.user).toMatchObject({ email, email_verified: true, role: 'owner', name: 'Grace' });
    expect(first.me.org.tier).toBe('free');
    expect(first.tokens.get('token_type')).toBe('Bearer');
    expect(first.tokens.get('refresh_token')).toMatch(/^nrt_/);
    const again = await signInWithGoogle({ login_hint: email, sub: `sub-${email}` });
    expect(again.me.user.id).toBe(first.me.user.id);
    // The refresh token of a Google session rotates like any other.
    const refreshed = await api('/api/auth/refresh', jsonRequest('POST', { refresh_token: again.tokens.get('refresh_token') }));
    expect(refreshed.status).toBe(200);
  });

  it('links to an existing password account by verified email', async () => {
    const t = await signUp();
    const linked = await signInWithGoogle({ login_hint: t.email, sub: `sub-${t.email}` });
    expect(linked.me.user.id).toBe(t.user_id);
    expect(linked.me.user.email_verified).toBe(true);
    // The password still works, and the Google subject now finds the account by itself.
    expect((await api('/api/auth/login', jsonRequest('POST', { email: t.email, password: t.password }))).status).toBe(200);
    expect((await signInWithGoogle({ login_hint: `changed-${t.email}`, sub: `sub-${t.email}` })).me.user.id).toBe(t.user_id);
  });

  it('an unverified email never links to an existing account (409)', async () => {
    const t = await signUp();
    const res = await callback(await atIssuer(await authorize(), { login_hint: t.email, sub: `evil-${t.email}`, email_verified: 'false' }));
    await expectError(res, 409, 'conflict');
  });

  it('an unverified email without an account creates one, marked unverified', async () => {
    const email = uniqueEmail('unverified');
    const { me } = await signInWithGoogle({ login_hint: email, email_verified: 'false' });
    expect(me.user).toMatchObject({ email, email_verified: false });
  });

  it('state is single-use and must exist', async () => {
    const back = await atIssuer(await authorize(), { login_hint: uniqueEmail('replay') });
    expect((await callback(back)).status).toBe(302);
    await expectError(await callback(back), 400, 'invalid_request');
    await expectError(await api('/api/auth/google/callback?code=abc&state=never-issued'), 400, 'invalid_request');
  });

  it.each(['aud', 'iss', 'nonce', 'expired', 'foreign_key'])('an ID token with a tampered %s is refused (401)', async (tamper) => {
    const res = await callback(await atIssuer(await authorize(), { login_hint: uniqueEmail('tamper'), tamper }));
    await expectError(res, 401, 'unauthorized');
  });

  it('PKCE: a code obtained with another challenge cannot be exchanged (401)', async () => {
    const url = await authorize();
    url.searchParams.set('code_challenge', 'A'.repeat(43));
    await expectError(await callback(await atIssuer(url, { login_hint: uniqueEmail('pkce') })), 401, 'unauthorized');
  });

  it('an issuer error or a missing code is a 4xx', async () => {
    await expectError(await api('/api/auth/google/callback?error=access_denied&state=x'), 401, 'unauthorized');
    await expectError(await api('/api/auth/google/callback?state=x'), 400, 'invalid_request');
    await expectError(await api(`/api/auth/google/callback?code=${'x'.repeat(5000)}&state=x`), 400, 'invalid_request');
  });
});

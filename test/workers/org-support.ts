// Shared by the organization tests: calling the app under another configuration, capturing logs, and
// inviting someone (the development log carries the invitation link) who accepts as a new member.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, vi } from 'vitest';
import { buildApp } from '../../workers/app';
import { api, jsonRequest } from './helpers';
import { bearer, randomIp, uniqueEmail, type Tenant } from './tenancy';

export interface SignedIn {
  user: { id: string; email: string; role: string; org_id: string };
  org: { id: string; tier: string };
  access_token: string;
  refresh_token: string;
}

const app = buildApp();

/** Calls the app with another ENVIRONMENT (or extra bindings), as a deployment with that configuration would. */
export async function callWith(vars: Record<string, string>, path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://api.test${path}`, init), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Logged lines (all levels) while `run` runs. */
export async function captureLogs<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const spies = (['log', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    }),
  );
  try {
    return { result: await run(), lines };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** Invites `email` as `by` in development, where the invitation email is a logged link; returns the token from it. */
export async function invite(by: Tenant, email: string, role: 'admin' | 'member' = 'member'): Promise<{ id: string; token: string }> {
  const { result: res, lines } = await captureLogs(() => callWith({ ENVIRONMENT: 'development' }, '/api/orgs/invitations', jsonRequest('POST', { email, role }, by.headers)));
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const line = lines.find((l) => l.includes('invitation email') && l.includes(id));
  expect(line, 'the development log carries the invitation link').toBeDefined();
  const link = (JSON.parse(line!) as { link: string }).link;
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
  expect(token).toMatch(/^nin_[\w-]{43}$/);
  return { id, token: token! };
}

export const accept = (body: unknown, headers: Record<string, string> = {}) =>
  api('/api/orgs/invitations/accept', jsonRequest('POST', body, { 'cf-connecting-ip': randomIp(), ...headers }));

/** Invites a new address and accepts it as a new user: a member (or admin) of `owner`'s org. */
export async function join(owner: Tenant, role: 'admin' | 'member' = 'member'): Promise<Tenant> {
  const email = uniqueEmail('member');
  const password = `pw-${crypto.randomUUID()}`;
  const { token } = await invite(owner, email, role);
  const res = await accept({ token, password, name: 'New Member' });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as SignedIn;
  return { org_id: body.org.id, user_id: body.user.id, email, password, access_token: body.access_token, refresh_token: body.refresh_token, headers: bearer(body.access_token) };
}

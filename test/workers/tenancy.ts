// Tenants for route tests: sign up isolated orgs, move an org to another tier, and assert that one org's
// resources are invisible to another (404 on their ids, absent from lists). Later routes add their cases:
//
//   describeTenancy([{ name: 'threads', create: async (a) => …id, probes: (id) => [{ method: 'GET', path: `/api/threads/${id}` }], lists: ['/api/threads'] }]);
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/postgres';
import { orgs } from '../../db/schema';
import { api, jsonRequest } from './helpers';

export type TierName = 'free' | 'early' | 'mid' | 'enterprise';

export interface Tenant {
  org_id: string;
  user_id: string;
  email: string;
  password: string;
  access_token: string;
  refresh_token: string;
  /** `Authorization: Bearer <access token>` of this tenant's owner. */
  headers: Record<string, string>;
}

interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const uniqueEmail = (tag = 'user') => `${tag}-${crypto.randomUUID().slice(0, 12)}@example.test`;
/** A fresh client address per sign-up, so the per-IP sign-up limit never trips across tests. */
export const randomIp = () => `10.${[0, 0, 0].map(() => 1 + Math.floor(Math.random() * 254)).join('.')}`;

export async function signUp(opts: { email?: string; password?: string; name?: string } = {}): Promise<Tenant> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? `pw-${crypto.randomUUID()}`;
  const res = await api('/api/auth/register', jsonRequest('POST', { email, password, ...(opts.name ? { name: opts.name } : {}) }, { 'cf-connecting-ip': randomIp() }));
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { user: { id: string }; org: { id: string }; access_token: string; refresh_token: string };
  return {
    org_id: body.org.id,
    user_id: body.user.id,
    email,
    password,
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    headers: bearer(body.access_token),
  };
}

/** Moves an org to `tier` in Postgres and returns the owner's fresh tokens (the tier travels in the access token). */
export async function setTier(t: Tenant, tier: TierName): Promise<Tenant> {
  const pg = openDb(env);
  try {
    await pg.db.update(orgs).set({ tier }).where(eq(orgs.id, t.org_id));
  } finally {
    await pg.close();
  }
  const res = await api('/api/auth/refresh', jsonRequest('POST', { refresh_token: t.refresh_token }));
  expect(res.status).toBe(200);
  const tokens = (await res.json()) as { access_token: string; refresh_token: string };
  return { ...t, ...tokens, headers: bearer(tokens.access_token) };
}

export interface TenancyCase {
  name: string;
  /** Creates one resource as `owner` and returns its id. */
  create(owner: Tenant): Promise<string>;
  /** Requests another org makes against that id: each must answer 404 `not_found`. */
  probes(id: string): Array<{ method: string; path: string; body?: unknown }>;
  /** Lists (`{items:[{id}]}`) that must show the id to its owner and never to another org. */
  lists?: string[];
}

async function listIds(path: string, t: Tenant): Promise<string[]> {
  const res = await api(path, { headers: t.headers });
  expect(res.status, path).toBe(200);
  return ((await res.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id);
}

export function describeTenancy(cases: TenancyCase[]): void {
  describe('cross-tenant isolation', () => {
    let a: Tenant;
    let b: Tenant;
    beforeAll(async () => {
      [a, b] = await Promise.all([signUp(), signUp()]);
    });

    for (const tc of cases) {
      it(`${tc.name}: another org gets 404 on its ids and never sees them in lists`, async () => {
        const id = await tc.create(a);
        for (const p of tc.probes(id)) {
          const init = p.body === undefined ? { method: p.method, headers: b.headers } : jsonRequest(p.method, p.body, b.headers);
          const res = await api(p.path, init);
          expect(res.status, `${p.method} ${p.path} by another org`).toBe(404);
          expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
        }
        for (const path of tc.lists ?? []) {
          expect(await listIds(path, b)).not.toContain(id);
          // The owner still sees it: the probes changed nothing and the list is not simply empty.
          expect(await listIds(path, a)).toContain(id);
        }
      });
    }
  });
}

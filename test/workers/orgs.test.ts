// Organizations: invitations (single use, expiring, token only in development logs), roles enforced on
// members and keys, seats per tier, removal that takes effect at once, tier changes (owner and operator),
// cross-org ids refused, and the audit log of it all.
import { env } from 'cloudflare:workers';
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../db/postgres';
import { auditLog, invitations, reports } from '../../db/schema';
import { tierLimits } from '../../engine/tiers';
import { api, jsonRequest } from './helpers';
import { accept, callWith, captureLogs, invite, join, type SignedIn } from './org-support';
import { bearer, randomIp, setTier, signUp, uniqueEmail, type Tenant } from './tenancy';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id: string };
}
interface AuditItem {
  id: string;
  action: string;
  actor_user_id: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

async function errorOf(res: Response, status: number, code: string): Promise<ErrorBody['error']> {
  expect(res.status, await res.clone().text()).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  return body.error;
}

async function auditOf(t: Tenant, query = ''): Promise<AuditItem[]> {
  const res = await api(`/api/orgs/audit${query}`, { headers: t.headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: AuditItem[] }).items;
}

async function withDb<T>(run: (db: ReturnType<typeof openDb>['db']) => Promise<T>): Promise<T> {
  const pg = openDb(env);
  try {
    return await run(pg.db);
  } finally {
    await pg.close();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('invitations', () => {
  let owner: Tenant;
  beforeAll(async () => {
    owner = await setTier(await signUp(), 'early');
  });

  it('a new user accepts once: joins the org as a member with a verified email; the token is spent', async () => {
    const email = uniqueEmail('invitee');
    const { id, token } = await invite(owner, email);
    const stored = await withDb((db) => db.select().from(invitations).where(eq(invitations.id, id)));
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);

    const res = await accept({ token, password: 'a long enough password' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as SignedIn;
    expect(body.user).toMatchObject({ email, role: 'member', org_id: owner.org_id });
    const me = await api('/api/auth/me', { headers: bearer(body.access_token) });
    expect(((await me.json()) as { org: { id: string } }).org.id).toBe(owner.org_id);

    const again = await errorOf(await accept({ token, password: 'a long enough password' }), 404, 'not_found');
    expect(again.message).toContain('already used');
    const members = (await (await api('/api/orgs/members', { headers: owner.headers })).json()) as { items: Array<{ id: string; role: string }> };
    expect(members.items.map((m) => m.id)).toEqual([owner.user_id, body.user.id]);
  });

  it('an expired token is refused and names the expiry', async () => {
    const { id, token } = await invite(owner, uniqueEmail('late'));
    await withDb((db) => db.update(invitations).set({ expires_at: new Date(Date.now() - 1000) }).where(eq(invitations.id, id)));
    const err = await errorOf(await accept({ token, password: 'a long enough password' }), 404, 'not_found');
    expect(err.message).toContain('expired');
  });

  it('a revoked invitation, a malformed token and a missing password are refused', async () => {
    const { id, token } = await invite(owner, uniqueEmail('revoked'));
    expect((await api(`/api/orgs/invitations/${id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    await errorOf(await accept({ token, password: 'a long enough password' }), 404, 'not_found');
    await errorOf(await accept({ token: 'nin_short', password: 'a long enough password' }), 404, 'not_found');
    const other = await invite(owner, uniqueEmail('nopw'));
    await errorOf(await accept({ token: other.token }), 400, 'invalid_request');
    await errorOf(await accept({ token: other.token, password: 'short' }), 400, 'invalid_request');
  });

  it('an existing user joins with their session (email must match); their old sessions end', async () => {
    const existing = await signUp();
    const { token } = await invite(owner, existing.email);
    await errorOf(await accept({ token, password: 'a long enough password' }), 409, 'conflict');
    const stranger = await signUp();
    await errorOf(await accept({ token }, stranger.headers), 403, 'forbidden');

    const res = await accept({ token }, existing.headers);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as SignedIn;
    expect(body.user).toMatchObject({ id: existing.user_id, role: 'member', org_id: owner.org_id });
    expect((await api('/api/auth/me', { headers: existing.headers })).status).toBe(401);
    expect((await api('/api/orgs/current', { headers: bearer(body.access_token) })).status).toBe(200);
  });

  it('outside development the invitation token never reaches a log', async () => {
    for (const environment of ['production', 'staging', 'test']) {
      const { result: res, lines } = await captureLogs(() =>
        callWith({ ENVIRONMENT: environment }, '/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail('quiet') }, owner.headers)),
      );
      expect(res.status).toBe(201);
      const text = JSON.stringify(await res.json());
      expect(text).not.toMatch(/nin_/);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toMatch(/nin_|#token=/);
    }
  });
});

describe('roles', () => {
  let owner: Tenant;
  let member: Tenant;
  beforeAll(async () => {
    owner = await setTier(await signUp(), 'early');
    member = await join(owner);
  });

  it('a member reads the org but cannot invite, manage keys or members, or read the audit log', async () => {
    expect((await api('/api/orgs/current', { headers: member.headers })).status).toBe(200);
    expect((await api('/api/orgs/members', { headers: member.headers })).status).toBe(200);
    expect((await api('/api/keys', { headers: member.headers })).status).toBe(200);
    const refused = [
      api('/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail() }, member.headers)),
      api('/api/orgs/invitations', { headers: member.headers }),
      api('/api/keys', jsonRequest('POST', { name: 'x', scopes: ['read'] }, member.headers)),
      api(`/api/orgs/members/${owner.user_id}`, jsonRequest('PATCH', { role: 'member' }, member.headers)),
      api(`/api/orgs/members/${owner.user_id}`, { method: 'DELETE', headers: member.headers }),
      api('/api/orgs/audit', { headers: member.headers }),
      api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'mid' }, member.headers)),
    ];
    for (const res of await Promise.all(refused)) {
      const err = await errorOf(res, 403, 'forbidden');
      expect(err.details).toMatchObject({ role: 'member' });
    }
    const key = await api('/api/keys', jsonRequest('POST', { name: 'by owner', scopes: ['read'] }, owner.headers));
    const { id } = (await key.json()) as { id: string };
    await errorOf(await api(`/api/keys/${id}`, { method: 'DELETE', headers: member.headers }), 403, 'forbidden');
  });

  it("a member sees the org's reports", async () => {
    const id = `rep_${crypto.randomUUID().replaceAll('-', '')}`;
    await withDb((db) =>
      db.insert(reports).values({ id, org_id: owner.org_id, run_id: `run_${crypto.randomUUID().replaceAll('-', '')}`, title: 'shared', markdown: '# shared', data: {} }),
    );
    const res = await api(`/api/reports/${id}`, { headers: member.headers });
    expect(res.status).toBe(200);
  });

  it('a promoted admin invites members but not admins, and cannot touch the owner; the new role applies at once', async () => {
    const admin = await join(owner);
    await errorOf(await api('/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail() }, admin.headers)), 403, 'forbidden');
    const promoted = await api(`/api/orgs/members/${admin.user_id}`, jsonRequest('PATCH', { role: 'admin' }, owner.headers));
    expect(promoted.status).toBe(200);
    expect(((await promoted.json()) as { role: string }).role).toBe('admin');
    // Same access token as before the promotion.
    expect((await api('/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail() }, admin.headers))).status).toBe(201);
    await errorOf(await api('/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail(), role: 'admin' }, admin.headers)), 403, 'forbidden');
    await errorOf(await api(`/api/orgs/members/${owner.user_id}`, { method: 'DELETE', headers: admin.headers }), 403, 'forbidden');
    await errorOf(await api(`/api/orgs/members/${admin.user_id}`, jsonRequest('PATCH', { role: 'member' }, admin.headers)), 403, 'forbidden');
    await errorOf(await api(`/api/orgs/members/${owner.user_id}`, jsonRequest('PATCH', { role: 'owner' }, owner.headers)), 400, 'invalid_request');
  });

  it('a removed member loses access at once and keeps an account of their own', async () => {
    const leaving = await join(owner);
    expect((await api('/api/orgs/current', { headers: leaving.headers })).status).toBe(200);
    expect((await api(`/api/orgs/members/${leaving.user_id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    expect((await api('/api/orgs/current', { headers: leaving.headers })).status).toBe(401);
    expect((await api('/api/reports', { headers: leaving.headers })).status).toBe(401);
    expect((await api('/api/auth/refresh', jsonRequest('POST', { refresh_token: leaving.refresh_token }))).status).toBe(401);
    const login = await api('/api/auth/login', jsonRequest('POST', { email: leaving.email, password: leaving.password }, { 'cf-connecting-ip': randomIp() }));
    const body = (await login.json()) as SignedIn;
    expect(body.org.id).not.toBe(owner.org_id);
    expect(body.user.role).toBe('owner');
    const members = (await (await api('/api/orgs/members?limit=100', { headers: owner.headers })).json()) as { items: Array<{ id: string }> };
    expect(members.items.map((m) => m.id)).not.toContain(leaving.user_id);
  });
});

describe('leaving', () => {
  it('a member may leave; the owner may not', async () => {
    const owner = await signUp();
    const member = await join(owner);
    expect((await api(`/api/orgs/members/${member.user_id}`, { method: 'DELETE', headers: member.headers })).status).toBe(204);
    expect((await api('/api/orgs/current', { headers: member.headers })).status).toBe(401);
    await errorOf(await api(`/api/orgs/members/${owner.user_id}`, { method: 'DELETE', headers: owner.headers }), 403, 'forbidden');
    const [removed] = await auditOf(owner);
    expect(removed).toMatchObject({ action: 'member.removed', actor_user_id: member.user_id, target_id: member.user_id, details: { left: true } });
  });
});

describe('seats', () => {
  it("invitations beyond the tier's seats are refused with 403; pending invitations hold seats", async () => {
    const owner = await signUp();
    const seats = tierLimits('free').seats;
    // The owner holds one seat; invitations take the rest.
    for (let i = 1; i < seats; i++) await invite(owner, uniqueEmail('seat'));
    const err = await errorOf(await api('/api/orgs/invitations', jsonRequest('POST', { email: uniqueEmail('over') }, owner.headers)), 403, 'forbidden');
    expect(err.details).toMatchObject({ limit: 'seats', allowed: seats, members: 1, pending_invitations: seats - 1 });
    const current = (await (await api('/api/orgs/current', { headers: owner.headers })).json()) as { seats: Record<string, number> };
    expect(current.seats).toEqual({ members: 1, pending_invitations: seats - 1, allowed: seats });
  });

  it('a downgrade to a tier with fewer seats than members + pending invitations is refused', async () => {
    const owner = await setTier(await signUp(), 'early');
    const free = tierLimits('free').seats;
    for (let i = 1; i < free; i++) await join(owner);
    await invite(owner, uniqueEmail('one-too-many'));
    const err = await errorOf(await api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'free' }, owner.headers)), 403, 'forbidden');
    expect(err.details).toMatchObject({ limit: 'seats', allowed: free, members: free, pending_invitations: 1 });
  });
});

describe('tier changes', () => {
  it('the owner moves between self-serve tiers; enterprise needs the operator', async () => {
    const owner = await signUp();
    const res = await api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'mid' }, owner.headers));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { org: { tier: string } }).org.tier).toBe('mid');
    await errorOf(await api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'enterprise' }, owner.headers)), 403, 'forbidden');
    await errorOf(await api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'platinum' }, owner.headers)), 400, 'invalid_request');

    const path = `/api/operator/orgs/${owner.org_id}/tier`;
    const operatorToken = `op-${crypto.randomUUID()}-${crypto.randomUUID()}`;
    const body = { tier: 'enterprise' };
    await errorOf(await api(path, jsonRequest('PUT', body, bearer(operatorToken))), 404, 'not_found');
    await errorOf(await callWith({ OPERATOR_TOKEN: operatorToken }, path, jsonRequest('PUT', body, bearer(`${operatorToken}x`))), 401, 'unauthorized');
    await errorOf(await callWith({ OPERATOR_TOKEN: operatorToken }, path, jsonRequest('PUT', body, owner.headers)), 401, 'unauthorized');
    const ok = await callWith({ OPERATOR_TOKEN: operatorToken }, path, jsonRequest('PUT', body, bearer(operatorToken)));
    expect(ok.status).toBe(200);
    const refreshed = await api('/api/auth/refresh', jsonRequest('POST', { refresh_token: owner.refresh_token }));
    const me = await api('/api/auth/me', { headers: bearer(((await refreshed.json()) as { access_token: string }).access_token) });
    expect(((await me.json()) as { org: { tier: string } }).org.tier).toBe('enterprise');
    const unknown = `/api/operator/orgs/org_${'0'.repeat(32)}/tier`;
    await errorOf(await callWith({ OPERATOR_TOKEN: operatorToken }, unknown, jsonRequest('PUT', body, bearer(operatorToken))), 404, 'not_found');
  });
});

describe('cross-org ids', () => {
  it("another org's members and invitations are 404, and never listed", async () => {
    const [a, b] = await Promise.all([signUp(), signUp()]);
    const memberOfA = await join(a);
    const invitationOfA = await invite(a, uniqueEmail('pending'));
    await errorOf(await api(`/api/orgs/members/${memberOfA.user_id}`, jsonRequest('PATCH', { role: 'admin' }, b.headers)), 404, 'not_found');
    await errorOf(await api(`/api/orgs/members/${memberOfA.user_id}`, { method: 'DELETE', headers: b.headers }), 404, 'not_found');
    await errorOf(await api(`/api/orgs/invitations/${invitationOfA.id}`, { method: 'DELETE', headers: b.headers }), 404, 'not_found');
    await errorOf(await api('/api/orgs/members/usr_nope', { method: 'DELETE', headers: b.headers }), 404, 'not_found');
    const listed = JSON.stringify([
      await (await api('/api/orgs/members', { headers: b.headers })).json(),
      await (await api('/api/orgs/invitations', { headers: b.headers })).json(),
      await (await api('/api/orgs/audit', { headers: b.headers })).json(),
    ]);
    expect(listed).not.toContain(memberOfA.user_id);
    expect(listed).not.toContain(invitationOfA.id);
    // Still there for A: B's attempts changed nothing.
    const members = (await (await api('/api/orgs/members', { headers: a.headers })).json()) as { items: Array<{ id: string; role: string }> };
    expect(members.items.find((m) => m.id === memberOfA.user_id)?.role).toBe('member');
  });
});

describe('audit log', () => {
  it('records keys, members, roles and tier changes, newest first, paginated, readable by admins', async () => {
    const owner = await setTier(await signUp(), 'early');
    const created = (await (await api('/api/keys', jsonRequest('POST', { name: 'audited', scopes: ['ingest'] }, owner.headers))).json()) as { id: string; key: string };
    expect((await api(`/api/keys/${created.id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    const member = await join(owner);
    expect((await api(`/api/orgs/members/${member.user_id}`, jsonRequest('PATCH', { role: 'admin' }, owner.headers))).status).toBe(200);
    expect((await api('/api/orgs/current/tier', jsonRequest('PUT', { tier: 'mid' }, owner.headers))).status).toBe(200);
    expect((await api(`/api/orgs/members/${member.user_id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);

    const items = await auditOf(owner, '?limit=100');
    expect(items.map((i) => i.action)).toEqual([
      'member.removed',
      'org.tier_changed',
      'member.role_changed',
      'member.added',
      'member.invited',
      'api_key.revoked',
      'api_key.created',
    ]);
    const byAction = Object.fromEntries(items.map((i) => [i.action, i]));
    expect(byAction['api_key.created']).toMatchObject({ actor_user_id: owner.user_id, target_id: created.id, details: { name: 'audited', scopes: ['ingest'] } });
    expect(byAction['member.role_changed']).toMatchObject({ target_id: member.user_id, details: { from: 'member', to: 'admin' } });
    expect(byAction['org.tier_changed']).toMatchObject({ details: { from: 'early', to: 'mid', by: 'owner' } });
    expect(byAction['member.added']).toMatchObject({ actor_user_id: member.user_id, target_id: member.user_id });
    expect(JSON.stringify(items)).not.toContain(created.key);

    // Pages of 3 walk the same entries as the database holds for the org.
    const total = await withDb(async (db) => (await db.select({ n: count() }).from(auditLog).where(eq(auditLog.org_id, owner.org_id)))[0]!.n);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(`/api/orgs/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: owner.headers });
      const page = (await res.json()) as { items: AuditItem[]; next_cursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      walked.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(walked).toEqual(items.map((i) => i.id));
    expect(walked.length).toBe(total);

    const filtered = await auditOf(owner, '?action=api_key.revoked');
    expect(filtered.map((i) => i.target_id)).toEqual([created.id]);
    await errorOf(await api('/api/orgs/audit?action=nope', { headers: owner.headers }), 400, 'invalid_request');

    const admin = await join(owner, 'admin');
    expect((await auditOf(admin)).length).toBeGreaterThan(0);
    const otherOrg = await withDb((db) => db.select({ n: count() }).from(auditLog).where(and(eq(auditLog.org_id, owner.org_id), eq(auditLog.actor_user_id, admin.user_id))));
    expect(otherOrg[0]!.n).toBe(1);
  });
});

describe('dev-login under each deployed configuration', () => {
  it('is 404 wherever ENVIRONMENT is not development', async () => {
    for (const environment of ['production', 'staging', 'preview']) {
      const res = await callWith({ ENVIRONMENT: environment }, '/api/auth/dev-login', jsonRequest('POST', {}));
      expect(res.status, environment).toBe(404);
    }
  });
});

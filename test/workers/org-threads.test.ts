// Threads and reports are the org's: an invited member reads them and follows their live events, posts in
// them (their run is theirs), renames or deletes only their own unless an owner or admin; another org sees
// nothing; a removed member loses it all at once — REST, a ticket issued before, and an open WebSocket.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/postgres';
import { reports } from '../../db/schema';
import { api, jsonRequest } from './helpers';
import { join } from './org-support';
import { setTier, signUp, type Tenant } from './tenancy';
import { connect, ticketFor, upgrade, type TestSocket } from './ws-client';

interface ThreadJson {
  id: string;
  title: string;
  created_by: string;
}

async function newThread(t: Tenant, title: string): Promise<ThreadJson> {
  const res = await api('/api/threads', jsonRequest('POST', { title }, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ThreadJson;
}

const listIds = async (t: Tenant) => ((await (await api('/api/threads?limit=100', { headers: t.headers })).json()) as { items: ThreadJson[] }).items.map((i) => i.id);

async function ready(...sockets: TestSocket[]): Promise<void> {
  await Promise.all(sockets.map((s) => s.waitFor((e) => e.type === 'connection_established')));
}

/** Resolves with the close code of the socket. */
const closeCode = (s: TestSocket) => new Promise<number>((resolve) => s.ws.addEventListener('close', (e) => resolve(e.code)));

describe("the org's threads", () => {
  let owner: Tenant;
  let member: Tenant;
  let outsider: Tenant;
  beforeAll(async () => {
    owner = await setTier(await signUp(), 'early');
    member = await join(owner);
    outsider = await signUp();
  });

  it('every member lists and reads them; another org sees none', async () => {
    const byOwner = await newThread(owner, 'owner asks');
    const byMember = await newThread(member, 'member asks');
    for (const t of [owner, member]) expect(await listIds(t)).toEqual(expect.arrayContaining([byOwner.id, byMember.id]));
    const read = (await (await api(`/api/threads/${byOwner.id}`, { headers: member.headers })).json()) as ThreadJson;
    expect(read).toMatchObject({ id: byOwner.id, title: 'owner asks', created_by: owner.user_id });
    expect((await api(`/api/threads/${byOwner.id}/messages`, { headers: member.headers })).status).toBe(200);
    expect((await api('/api/ws/ticket', jsonRequest('POST', { thread_id: byOwner.id }, member.headers))).status).toBe(200);

    const theirs = await listIds(outsider);
    expect(theirs).not.toContain(byOwner.id);
    expect(theirs).not.toContain(byMember.id);
    for (const path of [`/api/threads/${byOwner.id}`, `/api/threads/${byOwner.id}/messages`]) expect((await api(path, { headers: outsider.headers })).status, path).toBe(404);
    expect((await api('/api/ws/ticket', jsonRequest('POST', { thread_id: byOwner.id }, outsider.headers))).status).toBe(404);
    expect((await upgrade(`token=${outsider.access_token}&thread_id=${byOwner.id}`)).status).toBe(404);
    expect((await api(`/api/threads/${byOwner.id}`, jsonRequest('PATCH', { title: 'x' }, outsider.headers))).status).toBe(404);
  });

  it('a member renames or deletes only their own threads; the owner (or an admin) any of the org', async () => {
    const byOwner = await newThread(owner, 'owner thread');
    const byMember = await newThread(member, 'member thread');
    for (const res of [
      await api(`/api/threads/${byOwner.id}`, jsonRequest('PATCH', { title: 'taken over' }, member.headers)),
      await api(`/api/threads/${byOwner.id}`, { method: 'DELETE', headers: member.headers }),
    ]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden', details: { role: 'member', required_roles: ['owner', 'admin'] } } });
    }
    expect((await api(`/api/threads/${byMember.id}`, jsonRequest('PATCH', { title: 'renamed by me' }, member.headers))).status).toBe(200);
    expect((await api(`/api/threads/${byMember.id}`, jsonRequest('PATCH', { title: 'renamed by the owner' }, owner.headers))).status).toBe(200);
    expect((await api(`/api/threads/${byOwner.id}`, { headers: member.headers })).status).toBe(200);
    expect((await api(`/api/threads/${byMember.id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    expect((await api(`/api/threads/${byMember.id}`, { headers: member.headers })).status).toBe(404);
  });

  it("a member follows a thread's live events and posts in it; both see the same events, in order", async () => {
    const thread = await newThread(owner, 'live');
    const [o, m] = [await connect(owner, thread.id), await connect(member, thread.id)];
    await ready(o, m);
    m.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread.id } });
    const [doneO, doneM] = await Promise.all([o.waitFor((e) => e.type === 'agent_completed', 30_000), m.waitFor((e) => e.type === 'agent_completed', 30_000)]);
    expect(doneM.metadata.seq).toBe(doneO.metadata.seq);
    const logged = (s: TestSocket) => s.events.filter((e) => !e.metadata.local).map((e) => `${e.metadata.seq}:${e.type}`);
    expect(logged(m)).toEqual(logged(o));
    expect(logged(o).length).toBeGreaterThan(2);
    // The run is the member's: its status is theirs to read, not the owner's.
    const runId = doneM.metadata.run_id!;
    expect((await api(`/api/agent/status/${runId}`, { headers: member.headers })).status).toBe(200);
    expect((await api(`/api/agent/status/${runId}`, { headers: owner.headers })).status).toBe(404);
    o.close();
    m.close();
  });
});

describe('a removed member', () => {
  it('loses the threads and reports at once: REST, an earlier ticket, and their open socket (others stay connected)', async () => {
    const owner = await setTier(await signUp(), 'early');
    const member = await join(owner);
    const thread = await newThread(owner, 'shared');
    const reportId = `rep_${crypto.randomUUID().replaceAll('-', '')}`;
    const pg = openDb(env);
    try {
      await pg.db.insert(reports).values({ id: reportId, org_id: owner.org_id, thread_id: thread.id, run_id: `run_${crypto.randomUUID().replaceAll('-', '')}`, title: 'shared', markdown: '# shared', data: {} });
    } finally {
      await pg.close();
    }
    expect((await api(`/api/reports/${reportId}`, { headers: member.headers })).status).toBe(200);
    const [o, m] = [await connect(owner, thread.id), await connect(member, thread.id, 'token')];
    await ready(o, m);
    const mClosed = closeCode(m);
    const spareTicket = await ticketFor(member, thread.id);

    expect((await api(`/api/orgs/members/${member.user_id}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    expect(await mClosed).toBe(4403);
    for (const path of [`/api/threads/${thread.id}`, '/api/threads', `/api/reports/${reportId}`, '/api/reports']) {
      expect((await api(path, { headers: member.headers })).status, path).toBe(401);
    }
    expect((await upgrade(`ticket=${spareTicket}&thread_id=${thread.id}`)).status).toBe(401);
    expect((await upgrade(`token=${member.access_token}&thread_id=${thread.id}`)).status).toBe(401);

    // The owner's socket is untouched: it still gets the thread's events.
    o.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread.id } });
    await o.waitFor((e) => e.type === 'agent_started', 30_000);
    o.close();
  });
});

import { env } from 'cloudflare:workers';
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_FRAME_BYTES, PING_FRAME } from '../../protocol/messages';
import { api, jsonRequest } from './helpers';
import { signUp, type Tenant } from './tenancy';
import { connect, ticketFor, upgrade } from './ws-client';

async function newThread(t: Tenant): Promise<string> {
  const res = await api('/api/threads', jsonRequest('POST', { title: 'ws' }, t.headers));
  return ((await res.json()) as { id: string }).id;
}

describe('WebSocket upgrade', () => {
  it('accepts the owner with a ticket or a token and says connection_established', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    for (const via of ['ticket', 'token'] as const) {
      const s = await connect(t, thread, via);
      const hello = await s.waitFor((e) => e.type === 'connection_established');
      expect(hello.data).toMatchObject({ user_id: t.user_id, thread_id: thread, last_seq: 0 });
      expect(hello.metadata).toMatchObject({ thread_id: thread, local: true });
      s.close();
    }
  });

  it('refuses another user, a bad token, a reused ticket, a deleted thread and a non-upgrade request', async () => {
    const [owner, other] = await Promise.all([signUp(), signUp()]);
    const thread = await newThread(owner);

    expect((await upgrade(`token=${other.access_token}&thread_id=${thread}`)).status).toBe(404);
    expect((await upgrade(`token=not.a.jwt&thread_id=${thread}`)).status).toBe(401);
    expect((await upgrade(`thread_id=${thread}`)).status).toBe(401);
    const otherTicket = await api('/api/ws/ticket', jsonRequest('POST', { thread_id: thread }, other.headers));
    expect(otherTicket.status).toBe(404);

    const ticket = await ticketFor(owner, thread);
    const first = await upgrade(`ticket=${ticket}&thread_id=${thread}`);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    first.webSocket!.close();
    expect((await upgrade(`ticket=${ticket}&thread_id=${thread}`)).status).toBe(401);

    const wrongThread = await newThread(owner);
    expect((await upgrade(`ticket=${await ticketFor(owner, thread)}&thread_id=${wrongThread}`)).status).toBe(401);

    expect((await api(`/api/threads/${thread}`, { method: 'DELETE', headers: owner.headers })).status).toBe(204);
    const gone = await upgrade(`token=${owner.access_token}&thread_id=${thread}`);
    expect(gone.status).toBe(404);
    expect(gone.webSocket).toBeNull();

    const plain = await api(`/ws?token=${owner.access_token}&thread_id=${wrongThread}`);
    expect(plain.status).toBe(400);
  });
});

describe('WebSocket protocol', () => {
  it('bad frames get an error event with a code and the socket stays usable', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    const cases: [string, string][] = [
      ['not json at all', 'invalid_json'],
      [JSON.stringify({ action: 'dance', data: {} }), 'invalid_message'],
      [JSON.stringify({ action: 'resume', data: { last_seq: -1 } }), 'invalid_message'],
      [JSON.stringify({ action: 'start_agent', data: { message: 'hi', thread_id: 'thr_00000000000000000000000000000000' } }), 'thread_mismatch'],
      [JSON.stringify({ action: 'start_agent', data: { message: '   ', thread_id: thread } }), 'invalid_message'],
      [JSON.stringify({ action: 'start_agent', data: { message: 'x'.repeat(9_000), thread_id: thread } }), 'invalid_message'],
      [JSON.stringify({ action: 'cancel', data: { run_id: 'run_00000000000000000000000000000000' } }), 'run_not_found'],
      ['x'.repeat(MAX_CLIENT_FRAME_BYTES + 1), 'message_too_large'],
    ];
    for (const [frame, code] of cases) {
      const from = s.events.length;
      s.send(frame);
      const err = await s.waitFor((e) => e.type === 'error', 10_000, from);
      expect(err.data, frame.slice(0, 60)).toMatchObject({ code });
    }
    // A ping written differently from PING_FRAME reaches the DO, which answers with the same pong.
    const pongs = s.pongs;
    s.send({ action: 'ping', data: {} });
    await s.waitForPong(pongs, 10_000);
    s.close();
  });

  it('logs thread events with increasing seq and resumes exactly what a client missed, also after eviction', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread } });
    await s.waitFor((e) => e.type === 'agent_completed', 30_000);
    const logged = s.events.filter((e) => !e.metadata.local);
    const seqs = logged.map((e) => e.metadata.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    s.close();

    // A second tab that saw up to seq 2 resumes: it gets 3.. exactly once, in order.
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    await abortAllDurableObjects(); // evicts every instance; storage survives
    const r = await connect(t, thread);
    await r.waitFor((e) => e.type === 'connection_established');
    r.send({ action: 'resume', data: { last_seq: 2 } });
    await r.waitFor((e) => !e.metadata.local && e.metadata.seq === seqs.at(-1));
    const replayed = r.events.filter((e) => !e.metadata.local);
    expect(replayed.map((e) => e.metadata.seq)).toEqual(seqs.slice(2));
    expect(replayed.map((e) => e.type)).toEqual(logged.slice(2).map((e) => e.type));
    r.close();

    const stored = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events').one().n);
    expect(stored).toBe(seqs.length);
  });

  it('events of a thread reach every tab of its owner', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const [a, b] = [await connect(t, thread), await connect(t, thread)];
    await Promise.all([a.waitFor((e) => e.type === 'connection_established'), b.waitFor((e) => e.type === 'connection_established')]);
    a.send({ action: 'start_agent', data: { message: 'where can we save money?', thread_id: thread } });
    const [fromA, fromB] = await Promise.all([a.waitFor((e) => e.type === 'agent_started'), b.waitFor((e) => e.type === 'agent_started')]);
    expect(fromB.metadata.seq).toBe(fromA.metadata.seq);
    a.close();
    b.close();
  });

  it('a ping is answered by the runtime auto-response, not by the DO', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const s = await connect(t, thread);
    const hello = await s.waitFor((e) => e.type === 'connection_established');
    const id = hello.type === 'connection_established' ? hello.data.connection_id : '';
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    const answeredAt = () =>
      runInDurableObject(stub, (_o, state) => {
        const ws = state.getWebSockets().find((w) => (w.deserializeAttachment() as { connection_id: string }).connection_id === id)!;
        return state.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      });
    expect(await answeredAt()).toBeNull();
    const before = Date.now();
    s.send(PING_FRAME);
    await s.waitForPong(0, 10_000);
    expect(await answeredAt()).toBeGreaterThanOrEqual(before - 1000);
    expect(s.events.filter((e) => e.type !== 'connection_established')).toEqual([]);
    s.close();
  });

  it('an idle thread with open sockets sets no alarm, and frames do not rewrite the socket attachment', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const [a, b] = [await connect(t, thread), await connect(t, thread)];
    await Promise.all([a.waitFor((e) => e.type === 'connection_established'), b.waitFor((e) => e.type === 'connection_established')]);
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    const attachments = () =>
      runInDurableObject(stub, (_o, state) =>
        state
          .getWebSockets()
          .map((ws) => ws.deserializeAttachment() as { connection_id: string })
          .sort((x, y) => x.connection_id.localeCompare(y.connection_id)),
      );
    const atAccept = await attachments();
    expect(atAccept).toHaveLength(2);

    // Frames that reach the DO (resume, a bad frame, a long-form ping) and one the runtime answers (PING_FRAME).
    for (const frame of [JSON.stringify({ action: 'resume', data: { last_seq: 0 } }), 'not json', JSON.stringify({ action: 'ping', data: {} }), PING_FRAME]) {
      await new Promise((r) => setTimeout(r, 5));
      const [pongs, from] = [a.pongs, a.events.length];
      a.send(frame);
      if (frame === 'not json') await a.waitFor((e) => e.type === 'error', 10_000, from);
      else if (frame.includes('ping')) await a.waitForPong(pongs, 10_000);
    }
    expect(await attachments()).toEqual(atAccept);
    const alarm = await runInDurableObject(stub, async (_o, state) => ({
      alarm: await state.storage.getAlarm(),
      timers: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM timers').one().n,
    }));
    expect(alarm).toEqual({ alarm: null, timers: 0 });
    a.close();
    b.close();
  });

  it('a socket silent past DEAD_SOCKET_MS is closed when the DO is next awake; one that pinged stays', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const [live, silent] = [await connect(t, thread), await connect(t, thread)];
    await Promise.all([live.waitFor((e) => e.type === 'connection_established'), silent.waitFor((e) => e.type === 'connection_established')]);
    const closed = new Promise<number>((resolve) => silent.ws.addEventListener('close', (e) => resolve(e.code)));
    const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
    // Both connected long ago (test setup: the accept time is backdated); only `live` pings now.
    await runInDurableObject(stub, (_o, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), connected_at: 0 });
    });
    live.send(PING_FRAME);
    await live.waitForPong(0, 10_000);
    // A new tab wakes the DO: the silent socket is closed, the live one and the new one stay open.
    const third = await connect(t, thread);
    await third.waitFor((e) => e.type === 'connection_established');
    expect(await closed).toBe(4408);
    const open = await runInDurableObject(stub, (_o, state) => state.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length);
    expect(open).toBe(2);
    live.close();
    third.close();
  });
});

// A test client for the thread WebSocket: connects through the Worker (real upgrade, real DO), collects
// every server event, and waits for the ones a test expects.
import { expect } from 'vitest';
import { PONG_FRAME, serverEvent, type ClientMessage, type ServerEvent } from '../../protocol/messages';
import { api, jsonRequest } from './helpers';
import type { Tenant } from './tenancy';

export interface TestSocket {
  ws: WebSocket;
  events: ServerEvent[];
  /** PONG_FRAMEs received (they are not server events). */
  pongs: number;
  send(message: ClientMessage | string): void;
  /** Resolves with the first event (from `from` on) matching `match`; fails after `timeoutMs`. */
  waitFor(match: (e: ServerEvent) => boolean, timeoutMs?: number, from?: number): Promise<ServerEvent>;
  /** Resolves once more than `seen` pongs have arrived. */
  waitForPong(seen: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function ticketFor(t: Tenant, threadId: string): Promise<string> {
  const res = await api('/api/ws/ticket', jsonRequest('POST', { thread_id: threadId }, t.headers));
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

export async function upgrade(query: string): Promise<Response> {
  return api(`/ws?${query}`, { headers: { Upgrade: 'websocket' } });
}

export async function connect(t: Tenant, threadId: string, via: 'ticket' | 'token' = 'ticket'): Promise<TestSocket> {
  const credential = via === 'ticket' ? `ticket=${await ticketFor(t, threadId)}` : `token=${t.access_token}`;
  const res = await upgrade(`${credential}&thread_id=${threadId}`);
  // A 101 response cannot be cloned or read: only look at the body of a refusal.
  if (res.status !== 101) expect.fail(`upgrade refused: ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  const events: ServerEvent[] = [];
  const waiters = new Set<() => void>();
  const socket: TestSocket = {
    ws,
    events,
    pongs: 0,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor(match, timeoutMs = 20_000, from = 0) {
      return until(() => events.slice(from).find(match), timeoutMs, () => `no matching event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`);
    },
    async waitForPong(seen, timeoutMs = 20_000) {
      await until(() => (socket.pongs > seen ? true : undefined), timeoutMs, () => `no pong within ${timeoutMs} ms (${socket.pongs} so far)`);
    },
    close: () => ws.close(1000, 'test done'),
  };
  ws.addEventListener('message', (m) => {
    if (m.data === PONG_FRAME) socket.pongs++;
    else events.push(serverEvent.parse(JSON.parse(m.data as string)));
    for (const w of waiters) w();
  });
  /** Resolves with probe()'s first defined value, re-checked on every frame. */
  function until<T>(probe: () => T | undefined, timeoutMs: number, failure: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(failure()));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }
  return socket;
}

// A test client for the thread WebSocket: connects through the Worker (real upgrade, real DO), collects
// every server event, and waits for the ones a test expects.
import { expect } from 'vitest';
import { serverEvent, type ClientMessage, type ServerEvent } from '../../protocol/messages';
import { api, jsonRequest } from './helpers';
import type { Tenant } from './tenancy';

export interface TestSocket {
  ws: WebSocket;
  events: ServerEvent[];
  send(message: ClientMessage | string): void;
  /** Resolves with the first event (from `from` on) matching `match`; fails after `timeoutMs`. */
  waitFor(match: (e: ServerEvent) => boolean, timeoutMs?: number, from?: number): Promise<ServerEvent>;
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
  ws.addEventListener('message', (m) => {
    events.push(serverEvent.parse(JSON.parse(m.data as string)));
    for (const w of waiters) w();
  });
  return {
    ws,
    events,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor(match, timeoutMs = 20_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(1000, 'test done'),
  };
}

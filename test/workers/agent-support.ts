// Asking the agent over a real WebSocket to the thread's Durable Object, as the web app does.
import type { ServerEvent } from '../../protocol/messages';
import { api, jsonRequest } from './helpers';
import type { Tenant } from './tenancy';
import { connect, type TestSocket } from './ws-client';

export async function newThread(t: Tenant): Promise<string> {
  const res = await api('/api/threads', jsonRequest('POST', { title: 'agent' }, t.headers));
  return ((await res.json()) as { id: string }).id;
}

/** Asks a question in a thread and waits for the run to finish; returns the socket and the run's events. */
export async function ask(t: Tenant, thread: string, message: string, timeoutMs = 60_000): Promise<{ s: TestSocket; events: ServerEvent[]; completed: ServerEvent }> {
  const s = await connect(t, thread);
  await s.waitFor((e) => e.type === 'connection_established');
  const from = s.events.length;
  s.send({ action: 'start_agent', data: { message, thread_id: thread } });
  const completed = await s.waitFor((e) => e.type === 'agent_completed', timeoutMs, from);
  return { s, events: s.events.slice(from).filter((e) => !e.metadata.local), completed };
}

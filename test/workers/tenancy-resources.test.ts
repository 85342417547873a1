// Cross-tenant isolation of the agent-side resources: reports, runs, corpus documents, generation jobs.
import { expect } from 'vitest';
import { api, jsonRequest } from './helpers';
import { describeTenancy, type Tenant } from './tenancy';
import { connect } from './ws-client';

/** Runs one (data-helper) agent run for `owner` and returns its agent_completed data. */
async function finishedRun(owner: Tenant): Promise<{ run_id: string; report_id: string }> {
  const thread = ((await (await api('/api/threads', jsonRequest('POST', {}, owner.headers))).json()) as { id: string }).id;
  const s = await connect(owner, thread);
  await s.waitFor((e) => e.type === 'connection_established');
  s.send({ action: 'start_agent', data: { message: 'where can we save?', thread_id: thread } });
  const done = await s.waitFor((e) => e.type === 'agent_completed', 60_000);
  s.close();
  if (done.type !== 'agent_completed') throw new Error('unreachable');
  expect(done.data.status).toBe('completed');
  return { run_id: done.metadata.run_id!, report_id: done.data.report_id! };
}

describeTenancy([
  {
    name: 'reports',
    create: async (owner) => (await finishedRun(owner)).report_id,
    probes: (id) => [
      { method: 'GET', path: `/api/reports/${id}` },
      { method: 'GET', path: `/api/reports/${id}?format=markdown` },
    ],
    lists: ['/api/reports'],
  },
  {
    name: 'agent runs',
    create: async (owner) => {
      const { run_id } = await finishedRun(owner);
      // Runs reach Postgres through the thread's outbox: wait until the owner sees it.
      await expect.poll(async () => (await api(`/api/agent/status/${run_id}`, { headers: owner.headers })).status, { timeout: 20_000 }).toBe(200);
      return run_id;
    },
    probes: (id) => [{ method: 'GET', path: `/api/agent/status/${id}` }],
  },
  {
    name: 'corpus documents',
    create: async (owner) => {
      const res = await api('/api/corpus', jsonRequest('POST', { title: 'Latency budget', content: 'chat must answer in 2 s', tags: ['chat'] }, owner.headers));
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    },
    probes: (id) => [
      { method: 'GET', path: `/api/corpus/${id}` },
      { method: 'PATCH', path: `/api/corpus/${id}`, body: { title: 'mine now' } },
      { method: 'DELETE', path: `/api/corpus/${id}` },
    ],
    lists: ['/api/corpus'],
  },
  {
    name: 'generation jobs',
    create: async (owner) => {
      const res = await api('/api/generation/start', jsonRequest('POST', { seed: 1, calls: 2000, days: 2, start: '2026-11-01T00:00:00Z' }, owner.headers));
      expect(res.status).toBe(202);
      return ((await res.json()) as { job_id: string }).job_id;
    },
    probes: (id) => [{ method: 'GET', path: `/api/generation/status/${id}` }],
  },
]);

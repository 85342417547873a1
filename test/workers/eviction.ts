// Drives a thread's Durable Object after abortAllDurableObjects(): fires the alarm until the run is no longer
// running — never moving a due time, so a run that waited out a step's deadline would not finish here — then
// reads what the DO recorded.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { STEP_LEASE_MS } from '../../durable-objects/supervisor/run-manager';

export const threadStub = (thread: string): DurableObjectStub => env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));

async function resumeUntilSettled(stub: DurableObjectStub): Promise<void> {
  // Bounded by time, not by a count of alarms: a step already running needs no alarm, only time to finish.
  const until = Date.now() + 150_000;
  while (Date.now() < until) {
    const { status, dueIn } = await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      const due = sql.exec<{ due_at: number }>("SELECT due_at FROM timers WHERE name LIKE 'run:%'").toArray()[0]?.due_at;
      return { status: sql.exec<{ status: string }>('SELECT status FROM runs').one().status, dueIn: due === undefined ? null : due - Date.now() };
    });
    if (status !== 'running') return;
    // A running run is never parked until a step deadline: its next alarm is at most a step lease away
    // (a retry back-off is shorter still).
    if (dueIn !== null) expect(dueIn).toBeLessThanOrEqual(STEP_LEASE_MS);
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Recorded {
  events: { type: string; call_id: string | null; tool: string | null }[];
  runs: string[];
}

/** The thread's logged events in order (with the tool and call id of tool events), and the status of each run. */
async function recorded(stub: DurableObjectStub): Promise<Recorded> {
  return runInDurableObject(stub, (_o, state) => ({
    events: state.storage.sql
      .exec<{ type: string; data: string }>('SELECT type, data FROM events ORDER BY seq')
      .toArray()
      .map((r) => {
        const data = JSON.parse(r.data) as { call_id?: string; tool?: string };
        return { type: r.type, call_id: data.call_id ?? null, tool: data.tool ?? null };
      }),
    runs: state.storage.sql.exec<{ status: string }>('SELECT status FROM runs').toArray().map((r) => r.status),
  }));
}

/**
 * After an eviction: the thread's run resumes and completes exactly once (its status checked, not only its
 * events), and every tool call is logged once, with one result.
 */
export async function expectResumedOnce(thread: string): Promise<Recorded['events']> {
  const stub = threadStub(thread);
  await resumeUntilSettled(stub);
  const { events, runs } = await recorded(stub);
  expect(events.filter((x) => x.type === 'agent_completed')).toHaveLength(1);
  expect(events.filter((x) => x.type === 'agent_started')).toHaveLength(1);
  expect(runs).toEqual(['completed']);
  const count = (type: string) => {
    const n = new Map<string, number>();
    for (const e of events) if (e.type === type) n.set(e.call_id!, (n.get(e.call_id!) ?? 0) + 1);
    return n;
  };
  const calls = count('tool_call');
  const results = count('tool_result');
  expect([...calls.values()].every((n) => n === 1)).toBe(true);
  expect(results).toEqual(new Map([...calls.keys()].map((id) => [id, 1])));
  return events;
}

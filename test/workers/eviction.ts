// Drives a thread's Durable Object after abortAllDurableObjects(): lets each step deadline pass and fires
// the alarm until the run is no longer running, then reads what the DO recorded.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';

async function resumeUntilSettled(stub: DurableObjectStub): Promise<void> {
  // Bounded by time, not by a count of alarms: a step already running needs no alarm, only time to finish.
  const until = Date.now() + 150_000;
  while (Date.now() < until) {
    const status = await runInDurableObject(stub, (_o, state) => {
      state.storage.sql.exec('UPDATE timers SET due_at = 0');
      return state.storage.sql.exec<{ status: string }>('SELECT status FROM runs').one().status;
    });
    if (status !== 'running') return;
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The types of the thread's logged events in order, and the status of each run. */
async function recorded(stub: DurableObjectStub): Promise<{ events: string[]; runs: string[] }> {
  return runInDurableObject(stub, (_o, state) => ({
    events: state.storage.sql.exec<{ type: string }>('SELECT type FROM events ORDER BY seq').toArray().map((r) => r.type),
    runs: state.storage.sql.exec<{ status: string }>('SELECT status FROM runs').toArray().map((r) => r.status),
  }));
}

/** After an eviction: the thread's run resumes and completes exactly once (its status checked, not only its events). */
export async function expectResumedOnce(thread: string): Promise<void> {
  const stub = env.THREAD_AGENT.get(env.THREAD_AGENT.idFromName(thread));
  await resumeUntilSettled(stub);
  const { events, runs } = await recorded(stub);
  expect(events.filter((x) => x === 'agent_completed')).toHaveLength(1);
  expect(events.filter((x) => x === 'agent_started')).toHaveLength(1);
  expect(runs).toEqual(['completed']);
}

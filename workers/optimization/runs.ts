// Agent runs started over REST (POST /api/tier/optimize, /api/enterprise/bulk-optimization): each run gets its
// own new thread, titled by its goal, and starts in that thread's ThreadAgent exactly as a `start_agent` frame
// would (same admission: the tier's daily quota and concurrent runs per user). Its events stay in the thread's
// log, so opening the thread later shows the run live or finished; its report lands under /api/reports.
import { eq } from 'drizzle-orm';
import { threads } from '../../db/schema';
import type { Db } from '../../db/postgres';
import type { Refusal } from '../../durable-objects/supervisor/run-manager';
import { insertThread } from '../routes/threads';
import { threadAgent } from '../lib/thread-agents';
import type { Auth } from '../lib/services';

export type Goal = 'cost' | 'latency' | 'quality' | 'capacity';

/** The question each goal asks the agent (what a user would type in the chat). */
export const GOAL_QUESTIONS: Record<Goal, string> = {
  cost: 'Where can we cut costs?',
  latency: 'How can we cut latency?',
  quality: 'Where can we raise quality without raising cost?',
  capacity: 'Where do we hit rate limits, and how do we get more capacity?',
};

export interface StartedRun {
  thread_id: string;
  run_id: string;
}

export interface RunsStarted {
  started: StartedRun[];
  /** Why the next run was not started (quota, concurrency, Redis down); null when every requested run started. */
  refused: Refusal | null;
}

/** Starts up to `count` runs for `goal`, one thread each, stopping at the first refusal (its empty thread is removed). */
export async function startOptimizationRuns(env: Env, db: Db, auth: Auth, goal: Goal, count: number): Promise<RunsStarted> {
  const started: StartedRun[] = [];
  for (let i = 0; i < count; i++) {
    const thread = await insertThread(db, auth, `Optimization: ${goal}${count > 1 ? ` (${i + 1} of ${count})` : ''}`);
    const caller = { user_id: auth.user_id!, org_id: auth.org_id, thread_id: thread.id, tier: auth.tier };
    const result = await threadAgent(env, thread.id).startRun(caller, GOAL_QUESTIONS[goal]);
    if ('refusal' in result) {
      await db.update(threads).set({ deleted_at: new Date() }).where(eq(threads.id, thread.id));
      return { started, refused: result.refusal as Refusal }; // RPC types erase unknown-valued details
    }
    started.push({ thread_id: thread.id, run_id: result.run_id });
  }
  return { started, refused: null };
}

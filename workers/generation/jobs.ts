// Generation jobs' bookkeeping: a job runs in the background (waitUntil) and holds a Redis lease while it
// does, renewed after every chunk. A "running" job whose lease is gone was cut off (the Worker was evicted or
// restarted): it is marked failed when next seen. At most MAX_RUNNING_PER_USER run per user at once.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/postgres';
import { generationJobs } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { log } from '../../common/logger';
import type { Services } from '../lib/services';

export const MAX_RUNNING_PER_USER = 2;
/** A job renews its lease at least this often (every chunk, and before generating). */
export const LEASE_TTL_S = 120;
export const INTERRUPTED = 'interrupted: the job stopped before the end; start a new one';

export const leaseKey = (jobId: string) => `gen:lease:${jobId}`;

/** Takes or renews the job's lease. Never throws: a Redis outage must not stop a running job. */
export async function renewLease(s: Services, jobId: string): Promise<void> {
  await s
    .redis()
    .set(leaseKey(jobId), 1, { ex: LEASE_TTL_S })
    .catch(() => log('warn', 'redis unreachable: generation lease not renewed', { job_id: jobId }));
}

export async function releaseLease(s: Services, jobId: string): Promise<void> {
  await s.redis().del(leaseKey(jobId)).catch(() => {});
}

/**
 * Marks failed the given running jobs whose lease is gone and returns the ids still running. When Redis
 * cannot say, every job counts as running (nothing is marked).
 */
async function reapInterrupted(s: Services, jobIds: string[], db: Db = s.db()): Promise<string[]> {
  if (jobIds.length === 0) return [];
  let leases: Array<unknown>;
  try {
    leases = await s.redis().mget(...jobIds.map(leaseKey));
  } catch {
    return jobIds;
  }
  const cutOff = jobIds.filter((_, i) => leases[i] === null);
  if (cutOff.length > 0) {
    await db
      .update(generationJobs)
      .set({ status: 'failed', failure: INTERRUPTED, completed_at: new Date() })
      .where(and(inArray(generationJobs.id, cutOff), eq(generationJobs.status, 'running')));
  }
  return jobIds.filter((_, i) => leases[i] !== null);
}

/** Marks the job failed if it is running without a lease (before it is shown). */
export async function reapIfInterrupted(s: Services, job: { id: string; status: string }): Promise<boolean> {
  return job.status === 'running' && (await reapInterrupted(s, [job.id])).length === 0;
}

/**
 * Inserts a job for the user unless MAX_RUNNING_PER_USER of theirs are running (429). One transaction holding
 * a per-user advisory lock, so parallel starts cannot both pass the count.
 */
export async function insertJob(s: Services, values: typeof generationJobs.$inferInsert & { created_by: string }) {
  return s.db().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`generation:${values.created_by}`}))`);
    const db = tx as unknown as Db;
    const live = await reapInterrupted(s, await runningJobIds(db, values.created_by), db);
    if (live.length >= MAX_RUNNING_PER_USER) {
      throw new ApiError('limit_exceeded', `at most ${MAX_RUNNING_PER_USER} generation jobs may run at once per user; wait for one to finish`, {
        limit: 'concurrent_generation_jobs',
        allowed: MAX_RUNNING_PER_USER,
        running: live,
      });
    }
    const [job] = await tx.insert(generationJobs).values(values).returning();
    await renewLease(s, job!.id);
    return job!;
  });
}

async function runningJobIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: generationJobs.id })
    .from(generationJobs)
    .where(and(eq(generationJobs.created_by, userId), eq(generationJobs.status, 'running')));
  return rows.map((r) => r.id);
}

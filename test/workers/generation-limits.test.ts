// Generation jobs (issue 18, 4): they count against the monthly ingest limit, at most 2 run at once per user,
// and a job cut off mid-way (no lease any more) is shown and stored as failed instead of "running" forever.
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/postgres';
import { generationJobs } from '../../db/schema';
import { tierLimits } from '../../engine/tiers';
import { leaseKey } from '../../workers/generation/jobs';
import { monthlyCounterKey } from '../../workers/ingest/quota';
import { api, jsonRequest } from './helpers';
import { expectError } from './ingest-support';
import { signUp, type Tenant } from './tenancy';

const redis = () => new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });

interface JobJson {
  job_id: string;
  status: 'running' | 'completed' | 'failed';
  generated: number;
  failure: string | null;
}

/** Job rows written straight to Postgres, as a job that started earlier left them. */
async function insertRunning(t: Tenant, n: number): Promise<string[]> {
  const pg = openDb(env);
  try {
    const ids = Array.from({ length: n }, () => `job_${crypto.randomUUID().replace(/-/g, '')}`);
    await pg.db.insert(generationJobs).values(ids.map((id) => ({ id, org_id: t.org_id, created_by: t.user_id, params: { calls: 2000 } })));
    return ids;
  } finally {
    await pg.close();
  }
}

async function waitForEnd(t: Tenant, jobId: string): Promise<JobJson> {
  for (let i = 0; i < 300; i++) {
    const job = (await (await api(`/api/generation/status/${jobId}`, { headers: t.headers })).json()) as JobJson;
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} still running`);
}

describe('generation job limits', () => {
  it('a job larger than what remains of the monthly limit is refused; a finished job counts its calls', async () => {
    const t = await signUp();
    const allowed = tierLimits('free').ingested_calls_per_month;
    const counter = monthlyCounterKey(t.org_id);
    await redis().set(counter, allowed - 50_000);
    const refused = await expectError(await api('/api/generation/start', jsonRequest('POST', { calls: 100_000, days: 7 }, t.headers)), 429, 'limit_exceeded');
    expect(refused.error.details).toMatchObject({ limit: 'ingested_calls_per_month', remaining: 50_000 });

    await redis().set(counter, 0);
    const res = await api('/api/generation/start', jsonRequest('POST', { calls: 2_000, days: 2 }, t.headers));
    expect(res.status).toBe(202);
    const done = await waitForEnd(t, ((await res.json()) as JobJson).job_id);
    expect(done.status).toBe('completed');
    expect(Number(await redis().get(counter))).toBe(done.generated);
  });

  it('at most 2 jobs run at once per user; a job without its lease is marked failed and frees its place', async () => {
    const t = await signUp();
    const [a, b] = await insertRunning(t, 2);
    await redis().set(leaseKey(a!), 1, { ex: 60 });
    await redis().set(leaseKey(b!), 1, { ex: 60 });
    const third = await expectError(await api('/api/generation/start', jsonRequest('POST', { calls: 2_000, days: 2 }, t.headers)), 429, 'limit_exceeded');
    expect(third.error.details).toMatchObject({ limit: 'concurrent_generation_jobs', allowed: 2 });

    // b is cut off: its lease is gone. Its status says so, and a new job may start.
    await redis().del(leaseKey(b!));
    const status = (await (await api(`/api/generation/status/${b}`, { headers: t.headers })).json()) as JobJson;
    expect(status).toMatchObject({ status: 'failed', failure: expect.stringMatching(/interrupted/) });
    const started = await api('/api/generation/start', jsonRequest('POST', { calls: 2_000, days: 2 }, t.headers));
    expect(started.status).toBe(202);
    const job = (await started.json()) as JobJson;
    await redis().del(leaseKey(a!));
    expect((await waitForEnd(t, job.job_id)).status).toBe('completed');
    expect((await waitForEnd(t, a!)).status).toBe('failed');
  });
});

// Synthetic data (the synthetic data agent's API): `POST /api/generation/start` generates a seeded, realistic
// workload with planted inefficiencies of known size into the org's telemetry (source `synthetic:<job_id>`),
// and `GET /api/generation/status/{job_id}` reports progress and the ground-truth manifest.
import { and, eq } from 'drizzle-orm';
import * as z from 'zod';
import { generationJobs } from '../../db/schema';
import type { Db } from '../../db/postgres';
import { generateWorkload, PLANT_IDS } from '../../engine/synthetic';
import { requireUser } from '../auth/middleware';
import { insertJob, reapIfInterrupted, releaseLease, renewLease } from '../generation/jobs';
import { countIngested, ensureRoom, monthlyQuota } from '../ingest/quota';
import { submit } from '../ingest/submit';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../../common/ids';
import { log } from '../../common/logger';
import { contractRouter, errorsFor, json, jsonBody, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { createServices, waitUntil, type Auth, type Services } from '../lib/services';
import { isoInstant } from '../lib/time';

const CHUNK = 5_000;

const startRequest = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    calls: z.number().int().min(2_000).max(100_000).default(10_000),
    days: z.number().int().min(2).max(90).default(7),
    start: isoInstant.optional(),
    plants: z.array(z.enum(PLANT_IDS)).max(PLANT_IDS.length).optional(),
  })
  .strict();

type Job = typeof generationJobs.$inferSelect;

const jobJson = (j: Job) => ({
  job_id: j.id,
  status: j.status,
  params: j.params,
  generated: j.generated,
  source: `synthetic:${j.id}`,
  manifest: j.manifest,
  failure: j.failure,
  created_at: j.created_at.toISOString(),
  completed_at: j.completed_at?.toISOString() ?? null,
});

/** Generates and stores the job's calls chunk by chunk, counting them against the monthly limit, renewing its lease. */
async function run(env: Env, auth: Auth, job: Job, params: z.output<typeof startRequest>): Promise<void> {
  const s = createServices(env);
  const stillRunning = and(eq(generationJobs.id, job.id), eq(generationJobs.status, 'running'));
  try {
    const days = params.days;
    const start = params.start?.getTime() ?? Date.now() - days * 86_400_000;
    const { calls, manifest } = generateWorkload({ seed: params.seed, calls: params.calls, days, start, plants: params.plants });
    const source = `synthetic:${job.id}`;
    const tagged = calls.map((c) => ({ ...c, request_id: `${job.id}:${c.request_id}`, source }));
    for (let i = 0; i < tagged.length; i += CHUNK) {
      const chunk = tagged.slice(i, i + CHUNK);
      const stored = await submit(env, auth, {
        calls: chunk,
        ...(i === 0 ? { event: { event_id: `${job.id}:generated`, event_type: 'synthetic_generated', data: { job_id: job.id, calls: tagged.length } } } : {}),
      });
      if (stored.kind === 'stored') await countIngested(s, auth.org_id, stored.inserted);
      await renewLease(s, job.id);
      // A job marked failed meanwhile (its lease lapsed) stops here rather than run on unseen.
      const updated = await s.db().update(generationJobs).set({ generated: Math.min(tagged.length, i + CHUNK) }).where(stillRunning).returning({ id: generationJobs.id });
      if (updated.length === 0) return;
    }
    await s.db().update(generationJobs).set({ status: 'completed', generated: tagged.length, manifest: manifest as unknown as Record<string, unknown>, completed_at: new Date() }).where(stillRunning);
  } catch (err) {
    log('error', 'generation job failed', { job_id: job.id, error: err instanceof Error ? err.message : String(err) });
    await s.db().update(generationJobs).set({ status: 'failed', failure: 'generation failed; start a new job', completed_at: new Date() }).where(eq(generationJobs.id, job.id)).catch(() => {});
  } finally {
    await releaseLease(s, job.id);
    await s.close();
  }
}

async function findJob(db: Db, orgId: string, id: string): Promise<Job> {
  if (!hasPrefix(id, 'job')) throw new ApiError('not_found', 'generation job not found');
  const [row] = await db.select().from(generationJobs).where(and(eq(generationJobs.id, id), eq(generationJobs.org_id, orgId))).limit(1);
  if (!row) throw new ApiError('not_found', 'generation job not found');
  return row;
}

/** The job as it stands: a running job whose lease is gone is shown (and stored) as failed. */
async function currentJob(s: Services, orgId: string, id: string): Promise<Job> {
  const job = await findJob(s.db(), orgId, id);
  return (await reapIfInterrupted(s, job)) ? findJob(s.db(), orgId, id) : job;
}

const jobSchema = OPENAPI_DOCUMENT ? z.object({
  job_id: z.string(),
  status: z.string(),
  params: z.record(z.string(), z.unknown()),
  generated: z.number(),
  source: z.string().describe('the telemetry source of the generated calls: synthetic:<job_id>'),
  manifest: z.record(z.string(), z.unknown()).nullable().describe('ground truth: the planted inefficiencies and their size'),
  failure: z.string().nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
}) : undocumented;
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['synthetic data'] } : undocumented);
const routes = {
  start: route({
    method: 'post',
    path: '/start',
    request: { body: jsonBody(startRequest) },
    ...(OPENAPI_DOCUMENT ? {
      security: userSecurity,
      summary: 'Generate a seeded workload with planted inefficiencies into the org (counts against the monthly limit)',
      responses: { 202: json(jobSchema, 'The job, running'), ...errorsFor(400, 401, 413, 415, 429) },
    } : undocumented),
  }),
  status: route({
    method: 'get',
    path: '/status/{job_id}',
    request: { params: z.object({ job_id: z.string().max(100) }) },
    ...(OPENAPI_DOCUMENT ? {
      security: userSecurity,
      summary: 'Progress of a job and, once done, its ground-truth manifest',
      responses: { 200: json(jobSchema, 'The job'), ...errorsFor(400, 401, 404, 429) },
    } : undocumented),
  }),
};

export const generationRoutes = contractRouter(requireUser())
  .openapi(routes.start, async (c) => {
    const params = c.req.valid('json');
    const auth = c.get('auth');
    const services = c.get('services');
    // Generated calls are ingested calls: the monthly limit applies to the requested count up front.
    ensureRoom(await monthlyQuota(services, auth), params.calls);
    const job = await insertJob(services, {
      id: newId('job'),
      org_id: auth.org_id,
      created_by: auth.user_id!,
      params: { ...params, start: params.start?.toISOString() ?? null },
    });
    waitUntil(c, run(c.env, auth, job, params));
    return c.json(jobJson(job), 202);
  })
  .openapi(routes.status, async (c) => c.json(jobJson(await currentJob(c.get('services'), c.get('auth').org_id, c.req.valid('param').job_id)), 200));

// The workload profile of a window for the agents: the one stored under the org's current fingerprint if
// there is one (db/profile-cache.ts), else computed in ClickHouse and stored for the next question.
import type { ClickHouseClient } from '../../db/clickhouse';
import { profileKey, storedProfile, storeProfile } from '../../db/profile-cache';
import { openRedis } from '../../db/redis';
import { loadWorkloadProfile } from '../../db/workload-profile';
import type { WorkloadProfile } from '../../engine/profile/types';
import type { RunContext } from '../supervisor/contract';
import type { TriageStepResult } from './triage-agent';

export async function profileFor(ctx: RunContext, ch: ClickHouseClient, window: { from: number; to: number }): Promise<{ profile: WorkloadProfile; cached: boolean }> {
  const fingerprint = (ctx.results.triage as TriageStepResult | undefined)?.coverage?.fingerprint;
  const redis = openRedis(ctx.env);
  const key = fingerprint ? profileKey(ctx.thread.org_id, window, fingerprint) : null;
  const stored = key ? await storedProfile(redis, key) : null;
  if (stored) return { profile: stored, cached: true };
  // The triage's data coverage brought the call facts up to date moments ago.
  const profile = await loadWorkloadProfile(ch, ctx.thread.org_id, window, { factsCurrent: fingerprint !== undefined });
  if (key) await storeProfile(redis, key, profile);
  return { profile, cached: false };
}

// The workload profile (engine/profile/types.ts) computed by ClickHouse: the same object buildProfile
// (engine/profile/reference.ts) returns for the org's calls in the window, without loading those calls
// anywhere. It reads the org's call facts (db/call-facts.ts: each call of `llm_calls FINAL` with its rules'
// nearest neighbours, kept current at ingest and brought up to date first here), so every section is one
// scan of the window's rows; only aggregates and top-N lists come back. One module per section
// (db/workload-profile/*); all SQL takes its inputs as query parameters.
//
//   1. the distinct (provider, model) pairs in scope → `known` decided here with the catalog (findModel);
//      the pairs and their known flags go back as array parameters: a row's index among them is its exact
//      numeric model id (pm), and {pair_known}[pm] zeroes the cost of unknown models (data quality); the
//      features in scope likewise give an exact numeric feature id (fid);
//   2. the queries in parallel: the call sums (the additive part of models, segments and data quality),
//      the models' and the segments' distributions, prefix cache, hours, rate-limit minutes, duplicate
//      prompts, users; totals and unknown models are sums over the models.
//
// Scope: the records are the org's rows with from ≤ timestamp < to (and source = window.source when
// given). Rows outside the window are not read, so data_quality.out_of_window_calls is 0: the profile
// equals buildProfile(those rows, { from, to }).
import type { ClickHouseClient } from './clickhouse';
import { ensureCallFacts } from './call-facts';
import { findModel } from '../engine/catalog/index';
import { DAY_MS } from '../engine/findings';
import { TOP_N } from '../engine/profile/reference';
import { PROFILE_VERSION, type ModelCount, type WorkloadProfile } from '../engine/profile/types';
import { addCounts, emptyCounts } from '../engine/profile/accumulators';
import { loadHours, loadRateLimitMinutes } from './workload-profile/buckets';
import { loadDuplicatePrompts } from './workload-profile/duplicates';
import { loadCallSums } from './workload-profile/call-sums';
import { loadModelDistributions, modelProfiles } from './workload-profile/models';
import { loadPrefixCache, prefixStats } from './workload-profile/prefix';
import { dataQuality } from './workload-profile/quality';
import { loadSegmentDistributions, segmentRows } from './workload-profile/segments';
import { REACH_AFTER_MS, REACH_BEFORE_MS, cmp, modelIds, queryRows, scopeParams, segmentKey, withQuietEnds, type Pair, type ProfileParams } from './workload-profile/sql';
import { loadUsers } from './workload-profile/users';

export interface ProfileWindowInput {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Only calls of this source ("api", "otlp", "import:imp_…"). */
  source?: string;
}

// Each hour of call_facts_hours lists (a superset of) its pairs and features: all pm and fid need. And the
// calls in scope within the rules' reach before and after the window (sql.ts withQuietEnds; a superseded
// version not yet deleted counts too, which can only keep an edge).
const IDS = `SELECT arrayDistinct(arrayFlatten(groupArray(pairs))) AS all_pairs, arrayDistinct(arrayFlatten(groupArray(features))) AS all_features,
  (SELECT tuple(countIf(ts < {from_ms:Int64}), countIf(ts >= {to_ms:Int64})) FROM call_facts
    WHERE org_id = {org:String} AND ({by_source:UInt8} = 0 OR source = {source:String})
      AND ((ts >= {reach_lo:Int64} AND ts < {from_ms:Int64}) OR (ts >= {to_ms:Int64} AND ts < {reach_hi:Int64}))) AS near
  FROM call_facts_hours FINAL WHERE org_id = {org:String} AND hour >= {from_hour:Int32} AND hour <= {to_hour:Int32}`;

const isKnown = (provider: string, model: string): boolean => findModel(model, provider) !== undefined;

/** The query parameters of every section: the scope, the (provider, model) pairs in it with `known`, and its features. */
export async function loadProfileParams(ch: ClickHouseClient, orgId: string, window: ProfileWindowInput): Promise<ProfileParams> {
  const scope = scopeParams(orgId, window, TOP_N);
  const [r] = await queryRows(ch, IDS, { ...scope, reach_lo: scope.from_ms - REACH_BEFORE_MS, reach_hi: scope.to_ms + REACH_AFTER_MS });
  const pairs = r?.['all_pairs'];
  const features = r?.['all_features'];
  const near = r?.['near'];
  if (!Array.isArray(pairs) || !Array.isArray(features) || !Array.isArray(near) || near.length !== 2) throw new Error('workload profile: no ids row');
  return { ...withQuietEnds(scope, Number(near[0]), Number(near[1])), ...modelIds(pairs as Pair[], features as string[], isKnown) };
}

export interface ProfileOptions {
  /** The caller brought the org's call facts up to date just before (dataCoverage does): no second check. */
  factsCurrent?: boolean;
}

export async function loadWorkloadProfile(ch: ClickHouseClient, orgId: string, window: ProfileWindowInput, options: ProfileOptions = {}): Promise<WorkloadProfile> {
  if (!options.factsCurrent) await ensureCallFacts(ch, orgId);
  const params = await loadProfileParams(ch, orgId, window);
  // All at once: a ClickHouse service runs them side by side. (The local one runs one query at a time; there
  // the 1M-call profile of the agent bench took 3.2 and 3.2 s in the DO so, 2.5 and 3.0 s one at a time.)
  const [sums, modelDistributions, segmentDistributions, prefix, hours, rateLimitMinutes, duplicatePrompts, users] = await Promise.all([
    loadCallSums(ch, params),
    loadModelDistributions(ch, params),
    loadSegmentDistributions(ch, params),
    loadPrefixCache(ch, params),
    loadHours(ch, params),
    loadRateLimitMinutes(ch, params),
    loadDuplicatePrompts(ch, params),
    loadUsers(ch, params),
  ]);
  const models = modelProfiles(sums, modelDistributions, isKnown);
  const segments = segmentRows(sums, segmentDistributions, isKnown);
  const quality = dataQuality(sums);

  const totals = emptyCounts();
  const unknown: ModelCount[] = [];
  for (const m of models) {
    addCounts(totals, m);
    if (!m.known) {
      quality.unknown_model_calls += m.calls;
      unknown.push({ provider: m.provider, model: m.model, calls: m.calls });
    }
  }
  quality.unknown_models = unknown
    .sort((a, b) => b.calls - a.calls || cmp(a.provider, b.provider) || cmp(a.model, b.model))
    .slice(0, TOP_N);

  const noPrefix = prefixStats(() => 0);
  return {
    version: PROFILE_VERSION,
    window: { from: window.from, to: window.to, days: Math.max(0, (window.to - window.from) / DAY_MS) },
    totals,
    models: models.sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.provider, b.provider) || cmp(a.model, b.model)),
    segments: segments
      .map((s) => ({ ...s, prefix_cache: prefix.get(segmentKey(s.feature, s.provider, s.model)) ?? noPrefix.map((p) => ({ ...p })) }))
      .sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.feature, b.feature) || cmp(a.provider, b.provider) || cmp(a.model, b.model)),
    hours,
    rate_limit_minutes: rateLimitMinutes,
    duplicate_prompts: duplicatePrompts,
    users,
    data_quality: quality,
  };
}

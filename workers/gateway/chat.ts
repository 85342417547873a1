// POST /v1/chat/completions: resolve the upstream, apply the active policy's matching rule (unless the
// request falls in the rule's control arm) — route, cap, response cache, prompt cache, fallbacks — reserve
// the budget, forward (streamed or not); after the answer, settle, cache, and record the call and its ledger
// entry. Before the upstream call nothing waits on a round trip that the cached config, key and limit spare.
import type { Context } from 'hono';
import { matchRule, type PolicyRule } from '../../engine/tools/policy/policy';
import { readSse } from '../../protocol/sse';
import { jsonBody } from '../lib/body';
import { uuidv7 } from '../../common/ids';
import { afterResponse, waitUntil, type AppEnv } from '../lib/services';
import { armOf, routed, type Arm } from './arms';
import { reserveBudget, settleBudget, type Reservation } from './budget';
import { loadGatewayConfig, type ActivePolicy, type OrgGatewayConfig } from './config';
import { GatewayError } from './errors';
import { BUDGET_DEFAULT_MAX_TOKENS, maxCostNano, priceNano } from './pricing';
import { recordOutcome, type GatewayOutcome } from './record';
import { cachedAnswer, requestHash, storeAnswer } from './response-cache';
import { ChunkWriter, replay, SSE_HEADERS } from './stream';
import { resolveRequested, targetFor, upstreamKey, type Target } from './targets';
import { callFirstAvailable, type Failure } from './upstream-call';
import { ADAPTERS } from './upstreams/index';
import { UpstreamGarbage, type ParsedAnswer } from './upstreams/types';
import { chatRequest, completion, emptyUsage, type ChatRequest } from './wire';

export const MAX_CHAT_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

/** What the policy decided for one request. */
interface Plan {
  candidates: Target[];
  rule: PolicyRule | undefined;
  arm: Arm | null;
  routed: boolean;
  cache_ttl_s: number | null;
  prompt_cache: boolean;
  /** The request as it goes upstream (model set per candidate). */
  body: ChatRequest;
}

function plan(req: ChatRequest, requested: Target, config: OrgGatewayConfig, feature: string, assignmentId: string): Plan {
  const policy = config.policy;
  const rule = policy ? matchRule(policy.policy, feature, requested.provider, requested.model) : undefined;
  const arm = rule && policy ? armOf(policy.id, rule.id, assignmentId, policy.control_share) : null;
  const base: Plan = { candidates: [requested], rule, arm, routed: false, cache_ttl_s: null, prompt_cache: false, body: req };
  if (!rule || !policy || arm !== 'treated') return base;
  const route = rule.route_to && routed(policy.id, rule.id, assignmentId, rule.route_share ?? 1) ? targetFor(rule.route_to, config.keys) : null;
  const primary = route ?? requested;
  const fallbacks = (rule.fallbacks ?? []).flatMap((f) => targetFor(f, config.keys) ?? []);
  const asked = req.max_completion_tokens ?? req.max_tokens ?? null;
  const capped = rule.max_tokens !== undefined ? Math.min(asked ?? rule.max_tokens, rule.max_tokens) : asked;
  const body = capped === asked ? req : { ...req, ...(req.max_completion_tokens != null ? { max_completion_tokens: capped } : { max_tokens: capped }) };
  return { candidates: [primary, ...fallbacks], rule, arm, routed: route !== null, cache_ttl_s: rule.response_cache_ttl_s ?? null, prompt_cache: rule.prompt_cache === true, body };
}

/** With a budget, every call carries an output cap so its reservation bounds its cost. */
function boundedBody(p: Plan, policy: ActivePolicy | null): { body: ChatRequest; maxTokens: number } | null {
  if (policy?.policy.budget_usd_month === undefined) return null;
  const asked = p.body.max_completion_tokens ?? p.body.max_tokens;
  if (asked != null) return { body: p.body, maxTokens: asked };
  return { body: { ...p.body, max_tokens: BUDGET_DEFAULT_MAX_TOKENS }, maxTokens: BUDGET_DEFAULT_MAX_TOKENS };
}

const header = (c: Context, name: string) => c.req.header(name)?.trim().slice(0, 200) || undefined;

export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const started = Date.now();
  const req = await jsonBody(c, chatRequest, MAX_CHAT_BYTES);
  const auth = c.get('auth');
  const stores = c.get('services');
  const config = await loadGatewayConfig(stores, auth.org_id);
  const requestId = `gwr_${uuidv7()}`;
  const feature = header(c, 'x-netra-feature') ?? '';
  const endUser = header(c, 'x-netra-user') ?? req.user ?? '';
  const requested = resolveRequested(req.model, config.keys);
  // Arms and route shares hash the request id (the client's X-Request-Id when it sends one, so a retried
  // request stays in its arm).
  const p = plan(req, requested, config, feature, c.get('requestId'));
  const policy = config.policy;
  const stream = req.stream === true;
  const includeUsage = req.stream_options?.include_usage === true;
  const bounded = boundedBody(p, policy);
  const body = bounded?.body ?? p.body;
  const hashRequest = () => requestHash(p.candidates[0]!.provider, { ...body, model: p.candidates[0]!.model });
  // Only the response cache needs the hash before the upstream call; the record gets it afterwards.
  const promptHash = p.cache_ttl_s ? await hashRequest() : null;

  const outcome = (served: Target, answer: ParsedAnswer | null, extra: Partial<GatewayOutcome>): GatewayOutcome => {
    const usage = answer?.usage ?? emptyUsage();
    const cacheHit = extra.cache_hit === true;
    const actual = cacheHit ? 0 : (priceNano(served.provider, served.model, usage) ?? 0);
    const counterfactual = p.arm === 'treated' ? (priceNano(requested.provider, requested.model, usage) ?? actual) : actual;
    return {
      request_id: requestId,
      started_at: started,
      feature,
      end_user: endUser,
      requested: { provider: requested.provider, model: requested.model },
      served: { provider: served.provider, model: served.model },
      usage: cacheHit ? emptyUsage() : usage,
      status: 'ok',
      latency_ms: Date.now() - started,
      ttft_ms: null,
      stream,
      max_tokens: body.max_completion_tokens ?? body.max_tokens ?? null,
      attempt: 1,
      prompt_hash: promptHash,
      cache_hit: false,
      fallback: false,
      actual_nanousd: actual,
      counterfactual_nanousd: counterfactual,
      policy: p.rule ? policy : null,
      rule_id: p.rule?.id ?? null,
      arm: p.arm,
      routed: p.routed,
      ...extra,
    };
  };
  const record = (o: GatewayOutcome) => waitUntil(c, (async () => recordOutcome(c.env, auth, { ...o, prompt_hash: o.prompt_hash ?? (await hashRequest()) }))());
  const headers = (served: Target, cache: 'hit' | 'miss' | 'off') => ({
    'x-netra-request-id': requestId,
    'x-netra-arm': p.arm ?? 'none',
    'x-netra-cache': cache,
    'x-netra-served-model': `${served.provider}/${served.model}`,
    ...(policy && p.rule ? { 'x-netra-policy-version': String(policy.version) } : {}),
  });

  // Response cache: a hit never reaches an upstream (nor the budget: it costs nothing).
  if (p.cache_ttl_s && promptHash) {
    const hit = await cachedAnswer(stores.redis(), auth.org_id, promptHash);
    if (hit) {
      const served = p.candidates[0]!;
      record(outcome(served, hit, { cache_hit: true, ttft_ms: Date.now() - started }));
      if (!stream) return c.json(completion(`chatcmpl-${requestId}`, served.model, hit.content, hit.tool_calls, hit.finish, hit.usage), 200, headers(served, 'hit'));
      const w = new ChunkWriter(`chatcmpl-${requestId}`, served.model);
      waitUntil(c, replay(w, hit).then(() => w.end(hit.usage, includeUsage)));
      return new Response(w.readable, { headers: { ...SSE_HEADERS, ...headers(served, 'hit') } });
    }
  }

  let reservation: Reservation | null = null;
  if (bounded && policy?.policy.budget_usd_month !== undefined) {
    const worst = Math.max(...p.candidates.map((t) => maxCostNano(t.provider, t.model, body, bounded.maxTokens)));
    reservation = await reserveBudget(stores.redis(), auth.org_id, Math.round(policy.policy.budget_usd_month * 1e9), worst);
  }
  const settle = (nano: number) => (reservation ? settleBudget(stores.redis(), reservation, nano) : Promise.resolve());

  const timeoutMs = policy?.upstream_timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const result = await callFirstAvailable(
    p.candidates,
    async (t) => ADAPTERS[t.key.api].build({ ...body, model: t.model }, { model: t.model, key: await upstreamKey(c.env.GATEWAY_ENCRYPTION_KEY, auth.org_id, t.key), base_url: t.key.base_url }, { stream, prompt_cache: p.prompt_cache }),
    timeoutMs,
  );
  if (!result.ok) {
    const f: Failure = result.failure;
    record(outcome(f.target, null, { status: f.status, attempt: f.attempt, fallback: f.attempt > 1 }));
    await settle(0);
    throw f.error;
  }
  const { res, target: served, attempt } = result.answered;
  const adapter = ADAPTERS[served.key.api];
  const fallback = attempt > 1;
  const cacheState = p.cache_ttl_s ? 'miss' : 'off';

  const ended = (answer: ParsedAnswer | null, status: string, ttft: number | null) => outcome(served, answer, { status, attempt, fallback, ttft_ms: ttft });
  const finish = async (o: GatewayOutcome, answer: ParsedAnswer | null) => {
    await settle(o.actual_nanousd);
    if (answer && o.status === 'ok' && p.cache_ttl_s && promptHash) await storeAnswer(stores.redis(), auth.org_id, promptHash, answer, p.cache_ttl_s);
    record(o);
  };
  // Once the answer is out, the budget settles, the answer is cached and the call recorded.
  const afterAnswer = (o: GatewayOutcome, answer: ParsedAnswer | null) => afterResponse(c, () => finish(o, answer));

  if (!stream) {
    const text = await res.text();
    let answer: ParsedAnswer;
    try {
      answer = adapter.parse(JSON.parse(text));
    } catch {
      afterAnswer(ended(null, 'invalid_response', null), null);
      throw new GatewayError(502, 'api_error', 'upstream_invalid_response', `${served.provider} answered with something that is not a ${served.key.api} response`);
    }
    afterAnswer(ended(answer, 'ok', null), answer);
    return c.json(completion(`chatcmpl-${requestId}`, served.model, answer.content, answer.tool_calls, answer.finish, answer.usage), 200, headers(served, cacheState));
  }

  const w = new ChunkWriter(`chatcmpl-${requestId}`, served.model);
  const translator = adapter.translator();
  const pump = async () => {
    try {
      if (!res.body) throw new UpstreamGarbage('empty stream');
      for await (const e of readSse(res.body)) for (const d of translator.event(e)) await w.delta(d);
      await w.end(translator.usage(), includeUsage);
      const answer = w.answer(translator.usage());
      await finish(ended(answer, 'ok', w.firstDeltaAt === null ? null : w.firstDeltaAt - started), answer);
    } catch (err) {
      await w.fail(err instanceof UpstreamGarbage ? `${served.provider} sent an invalid stream` : 'the upstream stream broke off', 'upstream_stream_error');
      await finish(ended(null, err instanceof UpstreamGarbage ? 'invalid_response' : 'error', null), null);
    }
  };
  waitUntil(c, pump());
  return new Response(w.readable, { headers: { ...SSE_HEADERS, ...headers(served, cacheState) } });
}

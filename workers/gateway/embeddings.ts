// POST /v1/embeddings: OpenAI-compatible upstreams only (Anthropic has no embeddings API; Gemini's differs),
// forwarded as is; the call is recorded like any other gateway call.
import type { Context } from 'hono';
import { jsonBody } from '../lib/body';
import { uuidv7 } from '../lib/ids';
import { waitUntil, type AppEnv } from '../lib/services';
import { loadGatewayConfig } from './config';
import { GatewayError } from './errors';
import { priceNano } from './pricing';
import { recordOutcome } from './record';
import { resolveRequested, upstreamKey } from './targets';
import { callFirstAvailable } from './upstream-call';
import { ADAPTERS } from './upstreams/index';
import { isRecord } from './upstreams/types';
import { embeddingsRequest, fromOpenAiUsage } from './wire';

export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  const started = Date.now();
  const req = await jsonBody(c, embeddingsRequest, 8 * 1024 * 1024);
  const auth = c.get('auth');
  const config = await loadGatewayConfig(c.get('services'), auth.org_id);
  const target = resolveRequested(req.model, config.keys);
  const adapter = ADAPTERS[target.key.api];
  if (!adapter.embeddings) throw new GatewayError(400, 'invalid_request_error', 'embeddings_unsupported', `embeddings go to OpenAI-compatible upstreams; ${target.provider} speaks the ${target.key.api} API`, 'model');
  const build = adapter.embeddings;
  const requestId = `gwr_${uuidv7()}`;
  const result = await callFirstAvailable([target], async (t) => build(req, { model: t.model, key: await upstreamKey(c.env.GATEWAY_ENCRYPTION_KEY, auth.org_id, t.key), base_url: t.key.base_url }), config.policy?.upstream_timeout_ms ?? 60_000);
  const base = {
    request_id: requestId,
    started_at: started,
    feature: c.req.header('x-netra-feature')?.slice(0, 200) ?? '',
    end_user: c.req.header('x-netra-user')?.slice(0, 200) ?? req.user ?? '',
    requested: { provider: target.provider, model: target.model },
    served: { provider: target.provider, model: target.model },
    ttft_ms: null,
    stream: false,
    max_tokens: null,
    attempt: 1,
    prompt_hash: null,
    cache_hit: false,
    fallback: false,
    policy: null,
    rule_id: null,
    arm: null,
    routed: false,
  };
  if (!result.ok) {
    waitUntil(c, recordOutcome(c.env, auth, { ...base, usage: fromOpenAiUsage({}), status: result.failure.status, latency_ms: Date.now() - started, actual_nanousd: 0, counterfactual_nanousd: 0 }));
    throw result.failure.error;
  }
  let json: unknown;
  try {
    json = JSON.parse(await result.answered.res.text());
  } catch {
    json = null;
  }
  if (!isRecord(json) || !Array.isArray(json.data)) throw new GatewayError(502, 'api_error', 'upstream_invalid_response', `${target.provider} answered with something that is not an embeddings response`);
  const usage = fromOpenAiUsage(json.usage);
  const cost = priceNano(target.provider, target.model, usage) ?? 0;
  waitUntil(c, recordOutcome(c.env, auth, { ...base, usage, status: 'ok', latency_ms: Date.now() - started, actual_nanousd: cost, counterfactual_nanousd: cost }));
  return c.json(json, 200, { 'x-netra-request-id': requestId });
}

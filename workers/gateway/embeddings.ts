// POST /v1/embeddings: to OpenAI-compatible upstreams as is, to Gemini translated (embedContent /
// batchEmbedContents, upstreams/gemini-embeddings.ts); Anthropic has no embeddings API. The call is recorded
// like any other gateway call.
import type { Context } from 'hono';
import { jsonBody } from '../lib/body';
import { uuidv7 } from '../../common/ids';
import { waitUntil, type AppEnv } from '../lib/services';
import { loadGatewayConfig } from './config';
import { GatewayError } from './errors';
import { priceNano } from './pricing';
import { recordOutcome } from './record';
import { resolveRequested, upstreamKey } from './targets';
import { callFirstAvailable } from './upstream-call';
import { ADAPTERS } from './upstreams/index';
import { UpstreamGarbage } from './upstreams/types';
import { embeddingsRequest, emptyUsage } from './wire';

export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  const started = Date.now();
  const req = await jsonBody(c, embeddingsRequest, 8 * 1024 * 1024);
  const auth = c.get('auth');
  const config = await loadGatewayConfig(c.get('services'), auth.org_id);
  const target = resolveRequested(req.model, config.keys);
  const adapter = ADAPTERS[target.key.api];
  const wire = adapter.embeddings;
  if (!wire) throw new GatewayError(400, 'invalid_request_error', 'embeddings_unsupported', `embeddings go to OpenAI-compatible and Gemini upstreams; ${target.provider} speaks the ${target.key.api} API, which has none`, 'model');
  const requestId = `gwr_${uuidv7()}`;
  const result = await callFirstAvailable([target], async (t) => wire.build(req, { model: t.model, key: await upstreamKey(c.env.GATEWAY_ENCRYPTION_KEY, auth.org_id, t.key), base_url: t.key.base_url }), config.policy?.upstream_timeout_ms ?? 60_000);
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
    waitUntil(c, recordOutcome(c.env, auth, { ...base, usage: emptyUsage(), status: result.failure.status, latency_ms: Date.now() - started, actual_nanousd: 0, counterfactual_nanousd: 0 }));
    throw result.failure.error;
  }
  let answer: ReturnType<typeof wire.parse>;
  try {
    answer = wire.parse(JSON.parse(await result.answered.res.text()), req);
  } catch (err) {
    if (!(err instanceof SyntaxError || err instanceof UpstreamGarbage)) throw err;
    waitUntil(c, recordOutcome(c.env, auth, { ...base, usage: emptyUsage(), status: 'invalid_response', latency_ms: Date.now() - started, actual_nanousd: 0, counterfactual_nanousd: 0 }));
    throw new GatewayError(502, 'api_error', 'upstream_invalid_response', `${target.provider} answered with something that is not a ${target.key.api} embeddings response`);
  }
  const { usage } = answer;
  const cost = priceNano(target.provider, target.model, usage) ?? 0;
  waitUntil(c, recordOutcome(c.env, auth, { ...base, usage, status: 'ok', latency_ms: Date.now() - started, actual_nanousd: cost, counterfactual_nanousd: cost }));
  return c.json(answer.body, 200, { 'x-netra-request-id': requestId });
}

// Synthetic calls rendered as the files real tools export (LiteLLM spend logs, Helicone request JSONL, OTLP
// GenAI spans), written from each tool's documented schema — the inverse of no code of ours — so the quality
// benchmark measures parsing too: what a format cannot carry (LiteLLM: prefix hashes, stream flags; Helicone:
// prefix hashes; OTLP: prompt hashes and costs) is lost exactly as it is for a real user.
import { createHash } from 'node:crypto';
import type { LlmCall } from '../../engine/telemetry/record.js';

export type ExportFormat = 'litellm' | 'helicone' | 'otlp';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['litellm', 'helicone', 'otlp'];

const iso = (ms: number) => new Date(ms).toISOString();
const usd = (nano: number | null) => (nano === null ? null : nano / 1e9);
/** LiteLLM's cache key is a sha256 of the request: equal prompts, equal key. */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const httpCode = (status: string) => (/^\d{3}$/.test(status) ? Number(status) : null);

function litellmRow(c: LlmCall): Record<string, unknown> {
  const failed = c.status !== 'ok';
  return {
    request_id: c.request_id,
    call_type: 'acompletion',
    api_key: sha256(`key:${c.project ?? 'default'}`),
    spend: usd(c.cost_nanousd) ?? 0,
    total_tokens: c.input_tokens + c.output_tokens,
    prompt_tokens: c.input_tokens,
    completion_tokens: c.output_tokens,
    startTime: iso(c.timestamp),
    endTime: c.latency_ms === null ? null : iso(c.timestamp + Math.round(c.latency_ms)),
    completionStartTime: c.ttft_ms === null ? null : iso(c.timestamp + Math.round(c.ttft_ms)),
    model: c.model,
    model_group: c.model,
    custom_llm_provider: c.provider,
    user: '',
    end_user: c.user ?? '',
    team_id: c.project ?? null,
    metadata: {
      status: failed ? 'failure' : 'success',
      ...(failed && { error_information: { error_code: httpCode(c.status) === null ? '' : c.status, error_class: c.status } }),
      usage_object: {
        prompt_tokens: c.input_tokens,
        completion_tokens: c.output_tokens,
        prompt_tokens_details: { cached_tokens: c.cached_input_tokens },
        cache_creation_input_tokens: c.cache_write_tokens,
        completion_tokens_details: { reasoning_tokens: c.reasoning_tokens },
      },
    },
    cache_hit: 'False',
    cache_key: c.prompt_hash ? sha256(c.prompt_hash) : 'Cache OFF',
    request_tags: c.feature ? [`feature:${c.feature}`] : [],
    messages: '{}',
    response: '{}',
    status: failed ? 'failure' : 'success',
  };
}

function heliconeRow(c: LlmCall): Record<string, unknown> {
  const anthropic = c.provider === 'anthropic';
  const code = c.status === 'ok' ? 200 : (httpCode(c.status) ?? -3);
  return {
    request_id: c.request_id,
    request_created_at: iso(c.timestamp),
    request_user_id: c.user ?? null,
    request_properties: c.feature ? { 'Helicone-Property-Feature': c.feature } : {},
    request_model: c.model,
    model: c.model,
    provider: c.provider.toUpperCase(),
    response_status: code,
    delay_ms: c.latency_ms,
    time_to_first_token: c.ttft_ms,
    // Anthropic's usage, as Helicone passes it: cache reads and writes counted apart from the prompt
    prompt_tokens: anthropic ? c.input_tokens - c.cached_input_tokens - c.cache_write_tokens : c.input_tokens,
    completion_tokens: c.output_tokens,
    prompt_cache_read_tokens: c.cached_input_tokens,
    prompt_cache_write_tokens: c.cache_write_tokens,
    reasoning_tokens: c.reasoning_tokens,
    costUSD: usd(c.cost_nanousd),
    request_body: JSON.stringify({
      model: c.model,
      ...(c.prompt_hash && { messages: [{ role: 'user', content: c.prompt_hash }] }),
      ...(c.stream !== null && { stream: c.stream }),
      ...(c.max_tokens !== null && { max_tokens: c.max_tokens }),
    }),
  };
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

function otlpSpan(c: LlmCall, i: number): Record<string, unknown> {
  const failed = c.status !== 'ok';
  const attributes = [
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.provider.name', c.provider),
    str('gen_ai.request.model', c.model),
    str('gen_ai.response.id', c.request_id),
    int('gen_ai.usage.input_tokens', c.input_tokens),
    int('gen_ai.usage.output_tokens', c.output_tokens),
    int('gen_ai.usage.cache_read.input_tokens', c.cached_input_tokens),
    int('gen_ai.usage.cache_creation.input_tokens', c.cache_write_tokens),
    ...(c.max_tokens !== null ? [int('gen_ai.request.max_tokens', c.max_tokens)] : []),
    ...(c.stream !== null ? [{ key: 'gen_ai.request.stream', value: { boolValue: c.stream } }] : []),
    ...(c.user ? [str('user.id', c.user)] : []),
    ...(c.feature ? [str('app.feature', c.feature)] : []),
    ...(failed ? [str('error.type', c.status), ...(httpCode(c.status) !== null ? [str('http.response.status_code', c.status)] : [])] : []),
  ];
  const end = c.timestamp + Math.round(c.latency_ms ?? 0);
  // one app request (trace + parent span) per prompt and user: a retry is a sibling span after the failed one
  const request = c.prompt_hash ? `${c.prompt_hash}:${c.user ?? ''}` : `call${i}`;
  return {
    traceId: sha256(`t${request}`).slice(0, 32),
    spanId: sha256(`s${i}`).slice(0, 16),
    parentSpanId: sha256(`p${request}`).slice(0, 16),
    name: `chat ${c.model}`,
    startTimeUnixNano: `${c.timestamp}000000`,
    endTimeUnixNano: `${end}000000`,
    attributes,
    status: failed ? { code: 2 } : { code: 1 },
  };
}

/** The calls as the file a user of that tool would upload. */
export function renderExport(format: ExportFormat, calls: readonly LlmCall[]): string {
  if (format === 'litellm') return JSON.stringify(calls.map(litellmRow));
  if (format === 'helicone') return calls.map((c) => JSON.stringify(heliconeRow(c))).join('\n');
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'bench')] }, scopeSpans: [{ spans: calls.map(otlpSpan) }] }] });
}

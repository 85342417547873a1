// OTLP/HTTP JSON traces (ExportTraceServiceRequest) with OpenTelemetry GenAI attributes: one record per
// model-call span. Spans without gen_ai attributes, and agent/tool spans (no model call of their own), are skipped.
import { RecordError } from '../errors';
import {
  asRec, compact, featureFromTags, inputIncludingCache, isRec, num, optText, pick, requireFields, tagList, text, type Rec,
} from '../fields';
import type { FormatSpec, MapItem } from './types';

const FIELDS = ['resourceSpans'] as const;

// Beyond gen_ai.*: where common instrumentations put the app's own dimensions (OTel semconv user/session,
// OpenInference, Langfuse, OpenLLMetry/Traceloop association properties), first match wins.
const USER_KEYS = ['user.id', 'enduser.id', 'langfuse.user.id', 'traceloop.association.properties.user_id', 'gen_ai.request.user'];
const SESSION_KEYS = [
  'session.id', 'gen_ai.conversation.id', 'langfuse.session.id', 'traceloop.association.properties.session_id',
];
const FEATURE_KEYS = [
  'app.feature', 'feature', 'traceloop.association.properties.feature', 'langfuse.trace.metadata.feature',
  'traceloop.workflow.name', 'langfuse.trace.name',
];
const TAG_KEYS = ['tag.tags', 'langfuse.trace.tags'];

/** Operations that wrap model calls rather than being one (their usage, if any, repeats their children's). */
const NOT_A_MODEL_CALL = new Set(['invoke_agent', 'create_agent', 'execute_tool']);

export const otlp: FormatSpec = {
  name: 'otlp',
  syntaxes: ['json'],
  fields: FIELDS,
  needs: [],
  positional: false,
  detect: (s) => 'resourceSpans' in s,
  *map(value) {
    const doc = asRec(value);
    requireFields(doc, FIELDS);
    const items: (MapItem & { at: string })[] = [];
    const attempts: Attempt[] = [];
    for (const [r, resourceSpans] of list(doc.resourceSpans, 'resourceSpans').entries()) {
      const entry = asRec(resourceSpans, 'resourceSpans entry');
      const resource = attributes(entry.resource);
      for (const [s, scopeSpans] of list(entry.scopeSpans, 'scopeSpans').entries()) {
        for (const [i, span] of list(asRec(scopeSpans, 'scopeSpans entry').spans, 'spans').entries()) {
          const at = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
          try {
            const item = spanItem(asRec(span, 'span'), resource);
            if (!item) continue;
            items.push({ ...item, at });
            if ('input' in item) attempts.push(attemptOf(asRec(span, 'span'), item.input));
          } catch (e) {
            if (!(e instanceof RecordError)) throw e;
            items.push({ error: e.message, at });
          }
        }
      }
    }
    numberRetries(attempts);
    yield* items;
  },
};

/** One model-call span as a possible attempt of a logical request: its siblings share trace, parent and model. */
interface Attempt {
  input: Rec;
  /** trace/span ids: a span exported twice is one attempt. */
  key: string | undefined;
  group: string | null;
  start: number;
  failed: boolean;
}

function attemptOf(span: Rec, input: Rec): Attempt {
  const trace = text(span.traceId);
  const parent = text(span.parentSpanId);
  return {
    input,
    key: spanKey(span),
    group: trace && parent ? `${trace}/${parent}/${String(input.model)}` : null,
    start: input.timestamp as number,
    failed: input.status !== 'ok',
  };
}

/**
 * Attempt numbers from the span tree: sibling model-call spans (same trace, parent and model) after a failed one
 * are its retries — 2, 3, … until one succeeds. The larger of that and the span's own `http.request.resend_count`.
 */
function numberRetries(attempts: readonly Attempt[]): void {
  const groups = new Map<string, Attempt[]>();
  for (const a of attempts) if (a.group) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  for (const siblings of groups.values()) {
    siblings.sort((x, y) => x.start - y.start);
    const numbered = new Map<string, unknown>();
    let attempt = 1;
    for (const a of siblings) {
      if (a.key !== undefined && numbered.has(a.key)) {
        a.input.attempt = numbered.get(a.key);
        continue;
      }
      a.input.attempt = Math.max(attempt, (a.input.attempt as number | undefined) ?? 1);
      if (a.key !== undefined) numbered.set(a.key, a.input.attempt);
      attempt = a.failed ? attempt + 1 : 1;
    }
  }
}

function spanItem(span: Rec, resource: Rec): MapItem | undefined {
  const a = attributes(span.attributes);
  if (!Object.keys(a).some((k) => k.startsWith('gen_ai.'))) return undefined;
  const operation = text(a['gen_ai.operation.name']);
  if (operation !== undefined && NOT_A_MODEL_CALL.has(operation)) return undefined;
  const start = nanosToMs(span.startTimeUnixNano, 'startTimeUnixNano');
  const end = span.endTimeUnixNano === undefined ? undefined : nanosToMs(span.endTimeUnixNano, 'endTimeUnixNano');
  const failed = isError(span.status);
  const read = pick(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens');
  const write = pick(a, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens');
  // a failed call often reports no usage: nothing was billed
  const input = pick(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens') ?? (failed ? 0 : undefined);
  return {
    input: {
      // the provider's response id, else the span's own ids: a span exported twice is one call, not a duplicate
      request_id: text(a['gen_ai.response.id']) ?? spanKey(span),
      timestamp: start,
      provider: text(pick(a, 'gen_ai.provider.name', 'gen_ai.system')),
      // the response names the snapshot that actually answered
      model: text(pick(a, 'gen_ai.response.model', 'gen_ai.request.model')),
      user: optText(pick(a, ...USER_KEYS), 'user.id'),
      feature: optText(pick(a, ...FEATURE_KEYS), 'feature') ?? featureFromTags(tagList(pick(a, ...TAG_KEYS), 'tags')),
      reasoning_tokens: num(pick(a, 'gen_ai.usage.reasoning_tokens', 'gen_ai.usage.output_tokens_details.reasoning_tokens')),
      stream: typeof pick(a, 'gen_ai.request.stream', 'llm.is_streaming') === 'boolean' ? pick(a, 'gen_ai.request.stream', 'llm.is_streaming') : undefined,
      input_tokens: inputIncludingCache(input, read, write, false),
      output_tokens: num(pick(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens')),
      cached_input_tokens: num(read),
      cache_write_tokens: num(write),
      // OpenInference token-count breakdowns
      input_audio_tokens: num(a['llm.token_count.prompt_details.audio']),
      output_audio_tokens: num(a['llm.token_count.completion_details.audio']),
      service_tier: text(pick(a, 'openai.response.service_tier', 'gen_ai.openai.response.service_tier', 'gen_ai.response.service_tier')),
      max_tokens: num(a['gen_ai.request.max_tokens']),
      latency_ms: end !== undefined && end >= start ? end - start : undefined,
      status: failed ? errorStatus(a) : 'ok',
      trace_id: text(span.traceId),
      span_id: text(span.spanId),
      // OTel HTTP semconv: the ordinal of a resent request (0 or absent on the first try)
      ...(resendCount(a) !== undefined && { attempt: resendCount(a)! + 1 }),
      region: text(resource['cloud.region']),
      metadata: compact({
        operation,
        span_name: text(span.name),
        parent_span_id: text(span.parentSpanId),
        service_name: text(resource['service.name']),
        session_id: optText(pick(a, ...SESSION_KEYS), 'session.id'),
        agent_name: text(a['gen_ai.agent.name']),
        finish_reasons: Array.isArray(a['gen_ai.response.finish_reasons']) ? a['gen_ai.response.finish_reasons'] : undefined,
      }),
    },
  };
}

function spanKey(span: Rec): string | undefined {
  const trace = text(span.traceId);
  const id = text(span.spanId);
  return trace && id ? `otlp:${trace}:${id}` : undefined;
}

function resendCount(a: Rec): number | undefined {
  const n = num(a['http.request.resend_count']);
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1000 ? n : undefined;
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new RecordError(`${what} is not an array`, true);
  return value;
}

/** OTLP KeyValue[] → plain object (AnyValue unwrapped; int64 arrives as text in JSON). */
function attributes(value: unknown): Rec {
  const out: Rec = {};
  const kvs = isRec(value) ? value.attributes : value;
  if (!Array.isArray(kvs)) return out;
  for (const kv of kvs) {
    if (isRec(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function anyValue(v: unknown): unknown {
  if (!isRec(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return num(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if (isRec(v.arrayValue) && Array.isArray(v.arrayValue.values)) return v.arrayValue.values.map(anyValue);
  return undefined;
}

/** Status code 2 (or its enum name) is an error; 0 unset and 1 ok are not. */
function isError(status: unknown): boolean {
  return isRec(status) && (status.code === 2 || status.code === 'STATUS_CODE_ERROR');
}

/** The HTTP code of a failed call ("429"), else its short error class ("timeout"), else "error". */
function errorStatus(a: Rec): string {
  const code = text(a['http.response.status_code']);
  if (code !== undefined && /^\d{3}$/.test(code)) return code;
  const type = text(a['error.type']);
  return type !== undefined && type.length <= 40 ? type : 'error';
}

/** Unix nanoseconds (text, as OTLP JSON encodes uint64, or number) → epoch ms. */
function nanosToMs(value: unknown, field: string): number {
  const n = num(value);
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new RecordError(`${field} is not a unix time in nanoseconds`);
  return Math.floor(n / 1e6);
}

// The hostile-request generators of the fuzz suite (issue 18), shared by test/workers/fuzz.test.ts (a bounded
// sample in workerd) and bench/reliability.ts (≥ 10,000 against the app under wrangler dev): malformed JSON,
// wrong types, unknown fields, NUL bytes, deep nesting, huge numbers, impossible dates, prototype-pollution
// keys, injection strings, path tricks, oversize and truncated bodies, bad tokens, other tenants' ids — and
// the verdict on an answer: below 500 and, when it is an error, the project's JSON error shape.
import fc from 'fast-check';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Every route; `{id}` is filled with a generated id (the caller's, another tenant's, or a hostile one). */
export const ROUTES: Array<[Method, string]> = [
  ['GET', '/health'], ['GET', '/health/ready'], ['GET', '/health/dependencies'], ['GET', '/api/metrics'],
  ['POST', '/api/auth/register'], ['POST', '/api/auth/login'], ['POST', '/api/auth/refresh'], ['POST', '/api/auth/logout'],
  ['GET', '/api/auth/me'], ['GET', '/api/auth/google/authorize'], ['GET', '/api/auth/google/callback'], ['POST', '/api/auth/dev-login'],
  ['POST', '/api/keys'], ['GET', '/api/keys'], ['DELETE', '/api/keys/{id}'],
  ['GET', '/api/metrics/tier/{id}/limits'], ['GET', '/api/free/demo'], ['POST', '/api/free/sample-analysis'], ['GET', '/api/free/conversion-triggers'],
  ['GET', '/api/tier/usage'], ['POST', '/api/tier/optimize'], ['GET', '/api/tier/savings-report'],
  ['GET', '/api/enterprise/custom-integrations'], ['POST', '/api/enterprise/bulk-optimization'], ['GET', '/api/enterprise/sla-compliance'], ['GET', '/api/enterprise/dedicated-support'],
  ['POST', '/api/threads'], ['GET', '/api/threads'], ['GET', '/api/threads/{id}'], ['PATCH', '/api/threads/{id}'], ['DELETE', '/api/threads/{id}'],
  ['PUT', '/api/threads/{id}/switch'], ['GET', '/api/threads/{id}/messages'],
  ['POST', '/api/ws/ticket'], ['GET', '/ws'], ['GET', '/api/agent/status/{id}'], ['GET', '/api/agent/history'],
  ['GET', '/api/analysis/findings'], ['GET', '/api/reports'], ['GET', '/api/reports/{id}'],
  ['GET', '/api/corpus'], ['POST', '/api/corpus'], ['GET', '/api/corpus/{id}'], ['PATCH', '/api/corpus/{id}'], ['DELETE', '/api/corpus/{id}'],
  ['GET', '/api/supply/catalog'], ['POST', '/api/supply/estimate'], ['GET', '/api/generation/status/{id}'], ['POST', '/api/generation/start'],
  ['POST', '/api/ingest/calls'], ['POST', '/api/ingest/import'], ['GET', '/api/ingest/imports'], ['GET', '/api/ingest/imports/{id}'], ['GET', '/api/ingest/dead-letter'],
  ['GET', '/api/analytics/summary'], ['GET', '/api/analytics/timeseries'], ['GET', '/api/analytics/breakdown'], ['GET', '/api/analytics/latency'],
  ['POST', '/v1/traces'], ['POST', '/api'], ['DELETE', '/API/KEYS'], ['POST', '/.env'],
];

const hostileText = fc.constantFrom(
  'a\u0000b', "' OR 1=1 --", '"; DROP TABLE users; --', '<script>alert(1)</script>', '../../etc/passwd', '%00', '${jndi:ldap://x}',
  '{{7*7}}', '\u202e\ufeff', 'x'.repeat(5_000), '', ' ', '2026-02-30T00:00:00Z', '-271821-04-20T00:00:00Z', 'NaN', '__proto__', 'thr_', 'usr_\u0000',
);
const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 2 ** 31, 8.64e15 + 1, 1.5);
const scalar = fc.oneof(hostileText, hugeNumber, fc.boolean(), fc.constant(null), fc.string({ maxLength: 30 }), fc.integer());
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'title', 'email', 'password', 'calls', 'timestamp', 'model', 'thread_id', 'scopes', 'name', 'content', 'seed', 'days', 'metadata'), fc.string({ maxLength: 12 }));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 5 })),
})).v;

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** A body as text: JSON of a hostile value, or text that is not JSON at all. */
const body = fc.oneof(
  { weight: 6, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"title":', '[1,2', 'not json', '\u0000', '{"a":1}{"b":2}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}') },
  { weight: 1, arbitrary: fc.constantFrom(nested(5_000), `{"metadata":${nested(3_000)}}`, `{"timestamp":"2026-02-30T00:00:00Z","model":"m","input_tokens":1e400}`) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(1_100_000), `[${'{"model":"m","input_tokens":1},'.repeat(40_000)}1]`) },
);
const contentType = fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', 'multipart/form-data; boundary=zzz', 'application/x-protobuf', 'text/csv', undefined);

/** The fuzzing caller: a signed-in user (its headers and access token), an ingest+read key, other tenants' ids. */
export interface FuzzCtx {
  headers: Record<string, string>;
  access_token: string;
  key: string;
  otherIds: string[];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const auth = (ctx: FuzzCtx) =>
  fc.constantFrom<Array<(c: FuzzCtx) => Record<string, string>>>(
    (c) => c.headers,
    (c) => bearer(c.key),
    () => ({}),
    () => bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfeCJ9.'),
    () => bearer(`nak_${'A'.repeat(43)}`),
    () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }),
    () => bearer('x'.repeat(5_000)),
    (c) => ({ authorization: `Bearer  ${c.access_token}x` }),
  ).map((f) => f(ctx));

const id = (ctx: FuzzCtx) =>
  fc.oneof(fc.constantFrom(...ctx.otherIds), fc.constantFrom('thr_%00', '..%2F..%2Fetc', 'thr_' + 'f'.repeat(300), '%252e%252e', 'free', 'enterprise', 'x'), fc.string({ maxLength: 20 }).map(encodeURIComponent));

const query = fc.option(
  fc.dictionary(fc.constantFrom('limit', 'cursor', 'from', 'to', 'bucket', 'metric', 'by', 'source', 'format', 'model', 'start_time', 'thread_id', 'ticket', 'token', 'tier', 'code', 'state', '__proto__'), hostileText.map(encodeURIComponent), { maxKeys: 4 }),
  { nil: undefined },
);

export interface FuzzRequest {
  method: Method;
  path: string;
  init: RequestInit;
}

/** One generated request over any route. */
export const fuzzRequest = (ctx: FuzzCtx): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(fc.constantFrom(...ROUTES), auth(ctx), id(ctx), query, fc.option(body, { nil: undefined }), contentType).map(([[method, template], headers, pathId, q, text, type]) => {
    const path = template.replace('{id}', pathId) + (q ? `?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}` : '');
    const init: RequestInit = { method, headers: { ...headers, ...(type ? { 'content-type': type } : {}) } };
    if (text !== undefined && method !== 'GET') init.body = text;
    return { method, path, init };
  });

export type Verdict = 'ok' | '5xx' | 'wrong_shape' | 'cross_tenant';

/** What is wrong with an answer, if anything: a 5xx, an error not in the `{error:{code,message}}` shape, or another tenant's resource. */
export function judge(ctx: FuzzCtx, status: number, raw: string): Verdict {
  if (status >= 500) return '5xx';
  if (status >= 400) {
    let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') return 'wrong_shape';
  }
  // No answer may leak another tenant's resource (theirs are all titled "theirs").
  if (status < 300 && ctx.otherIds.some((other) => other.startsWith('thr_') || other.startsWith('doc_')) && raw.includes('"theirs"')) return 'cross_tenant';
  return 'ok';
}

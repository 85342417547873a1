// Telemetry ingestion: REST batches (/api/ingest/calls), file imports (/api/ingest/import and their progress)
// and OTLP/HTTP JSON traces (/v1/traces). An API key with the `ingest` scope or a signed-in user.
// A 202 means the calls are stored durably in the org's IngestBuffer; ClickHouse gets them shortly after.
import type { Context } from 'hono';
import * as z from 'zod';
import type { PriorBatch } from '../../durable-objects/ingest-buffer';
import { FORMAT_NAMES, parseBatch, parseStream, type FormatName } from '../../engine/telemetry/import';
import type { LlmCall } from '../../engine/telemetry/record';
import { imports } from '../../db/schema';
import { requireAuth } from '../auth/middleware';
import { sha256Hex } from '../auth/secrets';
import { validate } from '../lib/body';
import { ApiError } from '../lib/errors';
import { uuidv7 } from '../../common/ids';
import { contractRouterWith, documented, errorsFor, idParam, json, objectAnswer, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { listPage, pageQuery } from '../lib/pagination';
import { waitUntil, type AppEnv } from '../lib/services';
import { bodyOrInputError, decodedBody, idempotencyKey, inputError, readText } from '../ingest/body';
import { runImport } from '../ingest/import-runner';
import { findImport, importJson, listImports } from '../ingest/imports';
import { FUTURE_TOLERANCE_MS, MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_IMPORT_BYTES, MAX_REJECTIONS_LISTED } from '../ingest/limits';
import { multipartBoundary, multipartFile } from '../ingest/multipart';
import { countIngested, ensureRoom, monthlyQuota, type Quota } from '../ingest/quota';
import { ingestBuffer, submit } from '../ingest/submit';
import { loadPriceBook } from '../../db/org-prices';

const ingestAuth = requireAuth({ scopes: ['ingest'] });

/** Media types a REST batch may declare (JSON array or NDJSON; the body itself decides which). */
const BATCH_TYPES = /^(application\/(json|x-ndjson|ndjson|jsonl|x-jsonlines|octet-stream)|text\/plain)\s*(;|$)/i;

/** Names that mean "detect it" (the web app's default is auto; CSV/JSON syntax is detected too) and short forms. */
const FORMAT_ALIASES: Record<string, FormatName | undefined> = { auto: undefined, csv: undefined, json: undefined, jsonl: undefined, ndjson: undefined, azure: 'azure_trace' };

const importOptions = z
  .object({
    format: z
      .enum([...FORMAT_NAMES, ...Object.keys(FORMAT_ALIASES)] as [string, ...string[]])
      .transform((v) => (v in FORMAT_ALIASES ? FORMAT_ALIASES[v] : (v as FormatName)))
      .optional(),
    model: z.string().trim().min(1).max(200).optional(),
    provider: z.string().trim().min(1).max(100).optional(),
    // ISO 8601, or epoch milliseconds (digits only).
    start_time: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .transform((v) => (/^\d{1,15}$/.test(v) ? Number(v) : v))
      .optional(),
    filename: z.string().trim().min(1).max(255).optional(),
  })
  .strict();

/** Dead-letter pages: the cursor is the last row id seen (a number local to the org's buffer). */
const deadLetterQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(/^\d{1,15}$/, 'cursor is malformed; pass the next_cursor of the previous page').optional(),
});

const newBatchId = () => `bat_${uuidv7()}`;

/** A stored answer for a repeated Idempotency-Key, or 409 when the key came with another body. */
function priorAnswer(c: Context<AppEnv>, result: PriorBatch) {
  if (result.kind === 'conflict') throw new ApiError('conflict', 'this Idempotency-Key was already used for a different request body');
  c.header('Idempotent-Replayed', 'true');
  return c.json(result.response as z.infer<typeof batchAnswer>, 202);
}

/**
 * Checks the monthly limit, hands the calls (and the batch's usage event) to the buffer, then counts what was new.
 * `quota` is read from Redis while the body is still being read and parsed (it never rejects).
 */
async function store(c: Context<AppEnv>, quota: Promise<Quota>, calls: LlmCall[], source: string, batchId: string, rejected: number, idempotency?: { key: string; body_hash: string; response: Record<string, unknown> }) {
  const auth = c.get('auth');
  ensureRoom(await quota, calls.length);
  const result = await submit(c.env, auth, {
    calls,
    event: { event_id: batchId, event_type: 'ingest_batch', data: { batch_id: batchId, source, accepted: calls.length, rejected } },
    idempotency,
  });
  if (result.kind === 'stored') waitUntil(c, countIngested(c.get('services'), auth.org_id, result.inserted));
  return result;
}

const middleware = [ingestAuth];
const callRecords = { type: 'array', items: { type: 'object', description: 'a call record (native format: timestamp, model, provider, input_tokens, output_tokens, …)' } } as const;
const rawFile = { type: 'string', format: 'binary' } as const;
/** The import options, which may also come as form fields before the file. */
const importOptionFields = OPENAPI_DOCUMENT ? (documented(importOptions) as { properties?: Record<string, object> }).properties : undocumented;
const idempotencyHeader = z.object({ 'idempotency-key': z.string().optional().describe('replays the first answer for the same body (409 for another body)') });
const rejection = OPENAPI_DOCUMENT ? z.object({ index: z.number().optional(), line: z.number().optional(), reason: z.string() }).loose() : undocumented;
const batchAnswer = OPENAPI_DOCUMENT ? z.object({ batch_id: z.string(), accepted: z.number(), rejected: z.number(), rejections: z.array(rejection), duplicates: z.number().optional() }) : undocumented;
const importSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  format: z.string().nullable().describe('detected or asked for; null until the first lines were read'),
  source: z.string().describe('the source its calls carry: `import:<id>`'),
  filename: z.string().nullable(),
  options: z.record(z.string(), z.unknown()),
  accepted: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  totals: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }),
  bytes: z.number().describe('decoded bytes of the file read so far'),
  errors: z.array(z.object({ line: z.number(), reason: z.string() })),
  failure: z.string().nullable(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
}) : undocumented;

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['ingestion'], security: userSecurity } : undocumented);
const routes = {
  calls: route({
    method: 'post',
    path: '/calls',
    middleware,
    // The body is streamed, decoded and parsed by the handler (gzip, NDJSON): documented, not validated here.
    request: {
      headers: idempotencyHeader,
      ...(OPENAPI_DOCUMENT ? { body: { required: true, content: { 'application/json': { schema: callRecords }, 'application/x-ndjson': { schema: { type: 'string', description: 'one call record (JSON) per line' } } } } } : undocumented),
    },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'A batch of call records: a JSON array or NDJSON, optionally gzip (10 MB decoded, 25,000 records); 202 once stored durably',
      responses: { 202: json(batchAnswer, 'Stored; rejected records listed with their reason'), ...errorsFor(400, 401, 403, 409, 413, 415, 429, 503) },
    } : undocumented),
  }),
  importFile: route({
    method: 'post',
    path: '/import',
    middleware,
    // A raw-body upload names its options in the query; a multipart one may send them as form fields instead.
    request: {
      headers: idempotencyHeader,
      query: importOptions,
      ...(OPENAPI_DOCUMENT ? { body: { required: true, content: { 'application/octet-stream': { schema: rawFile }, 'multipart/form-data': { schema: { ...documented(importOptions), properties: { file: rawFile, ...importOptionFields } } } } } } : undocumented),
    },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Import a file (raw body or multipart `file`; native, OpenAI usage, LiteLLM, Helicone, BurstGPT, Azure or Mooncake trace; auto-detected; 100 MB decoded)',
      responses: { 200: json(importSchema, 'The import this Idempotency-Key named already'), 202: json(importSchema, 'The import, running (Location: its status)'), ...errorsFor(400, 401, 403, 409, 413, 415, 429, 503) },
    } : undocumented),
  }),
  deadLetter: route({
    method: 'get',
    path: '/dead-letter',
    middleware,
    request: { query: deadLetterQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Records ClickHouse refused for good, with the reason (kept 30 days)',
      responses: { 200: json(z.object({ total: z.number(), items: z.array(z.looseObject({ id: z.number() })), next_cursor: z.string().nullable() }), 'A page of dead letters'), ...errorsFor(400, 401, 403, 404, 429) },
    } : undocumented),
  }),
  imports: route({
    method: 'get',
    path: '/imports',
    middleware,
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's imports, newest first",
      responses: { 200: json(pageOf(importSchema), 'A page of imports'), ...errorsFor(400, 401, 403, 404, 429) },
    } : undocumented),
  }),
  importStatus: route({
    method: 'get',
    path: '/imports/{id}',
    middleware,
    request: { params: idParam('import') },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Progress and errors of one import',
      responses: { 200: json(importSchema, 'The import'), ...errorsFor(400, 401, 403, 404, 429) },
    } : undocumented),
  }),
  traces: route({
    method: 'post',
    path: '/traces',
    middleware,
    ...(OPENAPI_DOCUMENT ? {
      request: { body: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { resourceSpans: { type: 'array', items: { type: 'object' } } } } } } } },
      summary: 'OTLP/HTTP JSON traces (ExportTraceServiceRequest): spans with GenAI attributes become calls; protobuf is a 415',
      responses: { 200: objectAnswer('ExportTraceServiceResponse: partialSuccess counts the rejected spans'), ...errorsFor(400, 401, 403, 409, 413, 415, 429, 503) },
    } : undocumented),
  }),
};

// Bodies are streamed and limited by the handlers (ingest/limits.ts), so no router-wide body limit.
export const ingest = contractRouterWith({ bodyLimit: null })
  .openapi(routes.calls, async (c) => {
    const contentType = c.req.header('content-type');
    if (contentType && !BATCH_TYPES.test(contentType)) {
      throw new ApiError('unsupported_media_type', `Content-Type ${contentType.slice(0, 80)} is not accepted here: send a JSON array (application/json) or NDJSON (application/x-ndjson); files go to POST /api/ingest/import`);
    }
    const key = idempotencyKey(c);
    const quota = monthlyQuota(c.get('services'), c.get('auth'));
    const body = decodedBody(c, MAX_BATCH_BYTES);
    const text = await readText(body.stream);
    body.check();
    const bodyHash = key ? await sha256Hex(text) : '';
    if (key) {
      const prior = await ingestBuffer(c.env, c.get('auth').org_id).lookup(key, bodyHash);
      if (prior) return priorAnswer(c, prior);
    }
    const prices = await loadPriceBook(c.get('services').db(), c.get('auth').org_id); // the org's own prices cost the calls
    let batch: ReturnType<typeof parseBatch>;
    try {
      batch = parseBatch(text, { source: 'api', now_ms: Date.now(), future_tolerance_ms: FUTURE_TOLERANCE_MS, maxRecords: MAX_BATCH_RECORDS, prices });
    } catch (err) {
      throw inputError(err);
    }
    const rejections = batch.rejected.slice(0, MAX_REJECTIONS_LISTED);
    if (batch.accepted.length === 0) {
      throw new ApiError('invalid_request', 'no valid record in the batch', { rejected: batch.rejected.length, rejections });
    }
    const batchId = newBatchId();
    const response = { batch_id: batchId, accepted: batch.accepted.length, rejected: batch.rejected.length, rejections };
    const result = await store(c, quota, batch.accepted, 'api', batchId, batch.rejected.length, key ? { key, body_hash: bodyHash, response } : undefined);
    if (result.kind !== 'stored') return priorAnswer(c, result);
    return c.json({ ...response, duplicates: result.duplicates }, 202);
  })
  .openapi(routes.importFile, async (c) => {
    const key = idempotencyKey(c);
    const body = decodedBody(c, MAX_IMPORT_BYTES);
    let stream = body.stream;
    let fields: Record<string, string> = {};
    let fileName: string | null = null;
    const boundary = multipartBoundary(c.req.header('content-type'));
    if (boundary) {
      const file = await multipartFile(stream, boundary).catch((err: unknown) => Promise.reject(bodyOrInputError(body, err)));
      stream = file.body;
      fields = file.fields;
      fileName = file.filename;
    }
    // Options come in the query string, or as form fields before the file; the query string wins.
    const formOptions = Object.fromEntries(Object.entries(fields).filter(([k]) => k in importOptions.shape));
    const { format, model, provider, start_time, filename } = validate(importOptions, { ...formOptions, ...c.req.query() }, 'import options');
    const { row, created } = await runImport(c, { stream, check: body.check, format, options: { model, provider, start_time }, filename: filename ?? fileName, idempotency_key: key });
    c.header('Location', `/api/ingest/imports/${row.id}`);
    if (!created) c.header('Idempotent-Replayed', 'true');
    return created ? c.json(importJson(row), 202) : c.json(importJson(row), 200);
  })
  .openapi(routes.deadLetter, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await ingestBuffer(c.env, c.get('auth').org_id).deadLetters(limit + 1, cursor ? Number(cursor) : 0);
    const items = page.items.slice(0, limit);
    const last = items[items.length - 1];
    return c.json({ total: page.total, items, next_cursor: page.items.length > limit && last ? String(last.id) : null }, 200);
  })
  .openapi(routes.imports, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(await listPage({ limit, cursor }, imports.id, 'desc', (k) => listImports(db, orgId, k), importJson), 200);
  })
  .openapi(routes.importStatus, async (c) => {
    const row = await findImport(c.get('services').db(), c.get('auth').org_id, c.req.valid('param').id);
    return c.json(importJson(row), 200);
  });

/** OTLP/HTTP JSON (ExportTraceServiceRequest): spans with GenAI attributes become calls; other spans are ignored. */
export const otlp = contractRouterWith({ bodyLimit: null }).openapi(routes.traces, async (c) => {
  const contentType = c.req.header('content-type') ?? '';
  if (/^application\/(x-)?protobuf/i.test(contentType)) {
    throw new ApiError('unsupported_media_type', 'OTLP/HTTP protobuf is not supported: export OTLP/HTTP JSON (Content-Type: application/json, e.g. OTEL_EXPORTER_OTLP_PROTOCOL=http/json)');
  }
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new ApiError('unsupported_media_type', 'send OTLP/HTTP JSON with Content-Type: application/json');
  }
  const quota = monthlyQuota(c.get('services'), c.get('auth'));
  const body = decodedBody(c, MAX_BATCH_BYTES);
  const calls: LlmCall[] = [];
  const reasons: string[] = [];
  try {
    const prices = await loadPriceBook(c.get('services').db(), c.get('auth').org_id);
    const spans = parseStream(body.stream, { format: 'otlp', source: 'otlp', now_ms: Date.now(), future_tolerance_ms: FUTURE_TOLERANCE_MS, maxRecords: MAX_BATCH_RECORDS, prices });
    for await (const item of spans) {
      if (item.ok) calls.push(item.call);
      else reasons.push(item.reason);
    }
    body.check();
  } catch (err) {
    throw bodyOrInputError(body, err);
  }
  if (calls.length > 0) await store(c, quota, calls, 'otlp', newBatchId(), reasons.length);
  return c.json({ partialSuccess: { rejectedSpans: reasons.length, errorMessage: reasons.slice(0, 5).join('; ') } }, 200);
});

// One file import, streamed: the body goes through the telemetry parsers record by record, accepted calls go
// to the org's IngestBuffer in chunks of IMPORT_CHUNK_CALLS, and the import's Postgres record follows along
// (at most once per PROGRESS_INTERVAL_MS, and at the end). The file is never held in memory.
import type { Context } from 'hono';
import { HEAD_BYTES } from '../../engine/telemetry/detect';
import { detectFormat, parseStream, type FormatName, type ImportItem, type ImportOptions } from '../../engine/telemetry/import';
import { byteChunks, peekHead, type ByteSource } from '../../engine/telemetry/lines';
import type { LlmCall } from '../../engine/telemetry/record';
import { ApiError } from '../lib/errors';
import { newId } from '../../common/ids';
import type { AppEnv } from '../lib/services';
import { bodyOrInputError } from './body';
import { createImport, finishImport, importByKey, MAX_IMPORT_ERRORS, saveProgress, type ImportProgress, type ImportRow } from './imports';
import { FUTURE_TOLERANCE_MS } from './limits';
import { countIngested, ensureRoom, monthlyQuota } from './quota';
import { submit } from './submit';
import { loadPriceBook } from '../../db/org-prices';

const IMPORT_CHUNK_CALLS = 5_000;
const PROGRESS_INTERVAL_MS = 1_000;

export interface ImportRequest {
  stream: ReadableStream<Uint8Array>;
  /** Throws when the body stream was cut short (over the size limit, unreadable): see ingest/body.ts. */
  check(): void;
  /** Explicit format; absent = detected from the first records. */
  format?: FormatName;
  options: ImportOptions;
  filename: string | null;
  idempotency_key?: string;
}

/**
 * Runs the import to its end and returns its record (`created` false: the Idempotency-Key names an earlier
 * import, returned as it is). Empty, binary or wrongly formatted input is a 400 before any import exists.
 */
export async function runImport(c: Context<AppEnv>, req: ImportRequest): Promise<{ row: ImportRow; created: boolean }> {
  const auth = c.get('auth');
  const services = c.get('services');
  const prior = req.idempotency_key ? await importByKey(services.db(), auth.org_id, req.idempotency_key) : undefined;
  if (prior) return { row: prior, created: false }; // the body is not read at all
  const id = newId('imp');
  let bytes = 0;
  let detected: Awaited<ReturnType<typeof detectFormat>>;
  let items: AsyncGenerator<ImportItem>;
  let next: IteratorResult<ImportItem>;
  // Loaded before the body is read: a Postgres failure here is a 503, not a body error.
  const prices = await loadPriceBook(services.db(), auth.org_id);
  try {
    const { head, chunks } = await peekHead(counted(req.stream, (n) => (bytes += n)), HEAD_BYTES);
    detected = await detectFormat(head);
    items = parseStream(chunks, {
      format: req.format ?? 'auto',
      source: `import:${id}`,
      options: req.options,
      now_ms: Date.now(),
      future_tolerance_ms: FUTURE_TOLERANCE_MS,
      prices,
    });
    next = await items.next();
  } catch (err) {
    throw bodyOrInputError(req, err);
  }

  const { row, created } = await createImport(services.db(), {
    id,
    org_id: auth.org_id,
    created_by: auth.user_id,
    api_key_id: auth.key_id,
    format: req.format ?? detected.format,
    options: { ...req.options },
    filename: req.filename,
    idempotency_key: req.idempotency_key ?? null,
  });
  if (!created) {
    await items.return(undefined);
    return { row, created };
  }

  const progress: ImportProgress = { format: row.format, accepted: 0, rejected: 0, duplicates: 0, input_tokens: 0, output_tokens: 0, cost_nanousd: 0, bytes: 0, errors: [] };
  const quota = await monthlyQuota(services, auth);
  let chunk: LlmCall[] = [];
  let uncounted = 0;
  let savedAt = Date.now();

  /** Adds the newly stored calls to the monthly count (never throws: the count fails open). */
  const countNew = async () => {
    await countIngested(services, auth.org_id, uncounted);
    uncounted = 0;
    progress.bytes = bytes;
  };
  const flush = async () => {
    if (chunk.length === 0) return;
    ensureRoom({ ...quota, used: quota.used === null ? null : quota.used + progress.accepted - progress.duplicates }, chunk.length);
    const result = await submit(c.env, auth, { calls: chunk });
    if (result.kind !== 'stored') throw new Error('an import chunk without Idempotency-Key cannot be a replay');
    for (const call of chunk) {
      progress.input_tokens += call.input_tokens;
      progress.output_tokens += call.output_tokens;
      progress.cost_nanousd += call.cost_nanousd ?? 0;
    }
    progress.accepted += chunk.length;
    progress.duplicates += result.duplicates;
    uncounted += result.inserted;
    chunk = [];
    if (Date.now() - savedAt >= PROGRESS_INTERVAL_MS) {
      await countNew();
      await saveProgress(services.db(), id, progress);
      savedAt = Date.now();
    }
  };

  try {
    for (; !next.done; next = await items.next()) {
      const item = next.value;
      if (item.ok) {
        chunk.push(item.call);
        if (chunk.length >= IMPORT_CHUNK_CALLS) await flush();
      } else {
        progress.rejected++;
        if (progress.errors.length < MAX_IMPORT_ERRORS) progress.errors.push({ line: item.line, reason: item.reason });
      }
    }
    req.check();
    await flush();
    await countNew();
    await submit(c.env, auth, {
      calls: [],
      event: {
        event_id: id,
        event_type: 'import_completed',
        data: { import_id: id, format: progress.format, accepted: progress.accepted, rejected: progress.rejected, duplicates: progress.duplicates },
      },
    });
    return { row: await finishImport(services.db(), id, progress, null), created: true };
  } catch (err) {
    const failure = bodyOrInputError(req, err);
    const message = failure instanceof ApiError ? failure.message : 'the import stopped on an internal error';
    await countNew();
    // If Postgres is down too, the import stays "running" until findImport reports it interrupted.
    await finishImport(services.db(), id, progress, message).catch(() => {});
    if (!(failure instanceof ApiError)) throw failure;
    throw new ApiError(failure.code, failure.message, { ...failure.details, import_id: id, accepted: progress.accepted, rejected: progress.rejected }, failure.headers);
  }
}

async function* counted(source: ByteSource, add: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of byteChunks(source)) {
    add(chunk.byteLength);
    yield chunk;
  }
}

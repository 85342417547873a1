// Request bodies of the ingest routes: gunzipped when Content-Encoding says so, capped in decoded bytes
// (413 with the limit), read as a stream; and whole-input failures of the telemetry parsers mapped to 4xx.
import type { Context } from 'hono';
import { maybeGunzip, TelemetryImportError, type ImportErrorCode } from '../../engine/telemetry/import';
import { tooLarge } from '../lib/body';
import { ApiError, type ErrorCode } from '../lib/errors';

const IMPORT_ERROR_CODES: Record<ImportErrorCode, ErrorCode> = {
  empty_input: 'invalid_request',
  not_text: 'invalid_request',
  unreadable_input: 'invalid_request',
  invalid_format: 'invalid_request',
  invalid_options: 'invalid_request',
  record_limit: 'payload_too_large',
  unsupported_encoding: 'unsupported_media_type',
};

/** A whole-input failure of the parsers (empty, binary, wrong format, …) as the API error it is. */
export function inputError(err: unknown): unknown {
  if (!(err instanceof TelemetryImportError)) return err;
  return new ApiError(IMPORT_ERROR_CODES[err.code], err.message, { reason: err.code });
}

export interface DecodedBody {
  stream: ReadableStream<Uint8Array>;
  /** Throws what cut the stream short, if anything did: 413 past the limit, 400 when unreadable. */
  check(): void;
}

/**
 * The decoded body as a stream. Past `limit` decoded bytes (however the body was compressed), or when the
 * bytes cannot be read (invalid gzip, truncated upload), the stream simply ends and `check()` throws why:
 * the parsers treat a failing source as their own input error, this keeps the real status (413 vs 400).
 */
export function decodedBody(c: Context, limit: number): DecodedBody {
  const encoding = c.req.header('content-encoding');
  if (!encoding && Number(c.req.header('content-length') ?? '0') > limit) throw tooLarge(limit);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = maybeGunzip(c.req.raw.body ?? new ReadableStream<Uint8Array>({ start: (ctl) => ctl.close() }), encoding).getReader();
  } catch (err) {
    throw inputError(err);
  }
  let total = 0;
  let failure: ApiError | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        failure = new ApiError('invalid_request', 'the request body could not be read: invalid gzip data or a truncated upload');
        controller.close();
        return;
      }
      if (chunk.done) {
        controller.close();
        return;
      }
      total += chunk.value.byteLength;
      if (total > limit) {
        failure = tooLarge(limit);
        reader.cancel().catch(() => {});
        controller.close();
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return {
    stream,
    check() {
      if (failure) throw failure;
    },
  };
}

/** The body's own failure explains a parse error better than the parser can; else the parse error, as an API error. */
export function bodyOrInputError(body: Pick<DecodedBody, 'check'>, err: unknown): unknown {
  try {
    body.check();
  } catch (bodyErr) {
    return bodyErr;
  }
  return inputError(err);
}

/** All of a (limited) body stream as text. */
export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The Idempotency-Key header (printable ASCII, at most 200 characters), or undefined. */
export function idempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new ApiError('invalid_request', 'Idempotency-Key must be 1–200 printable ASCII characters without spaces');
  return key;
}

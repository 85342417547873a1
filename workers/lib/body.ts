// Reading request bodies at the edge: size limit first, then JSON, then the route's zod schema.
import type { Context } from 'hono';
import type { z } from 'zod';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../engine/json-depth';
import { ApiError } from './errors';

export const DEFAULT_JSON_LIMIT = 1024 * 1024;

/** Reads the body as bytes, refusing more than `limit` bytes (413) whether or not Content-Length is honest. */
export async function readBytes(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return new Uint8Array();
  // A declared length frames the body (HTTP/1.1 reads exactly that many bytes): read it whole, in one step.
  if (c.req.header('content-length') !== undefined && c.req.header('transfer-encoding') === undefined) {
    const whole = new Uint8Array(await c.req.raw.arrayBuffer());
    if (whole.byteLength > limit) throw tooLarge(limit);
    return whole;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `request body exceeds the limit of ${limit} bytes`, { limit_bytes: limit });
}

/** A \u0000 escape that is not itself escaped: Postgres text cannot hold NUL. */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/i;

export function parseJsonText(text: string): unknown {
  if (jsonTooDeep(text)) throw new ApiError('invalid_json', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (NUL_ESCAPE.test(text)) throw new ApiError('invalid_request', 'request body contains a NUL character (\\u0000), which text fields cannot hold');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'request body is not valid JSON');
  }
}

/** Formats zod issues as `{path: message}` details a client can act on. */
export function zodDetails(error: z.ZodError): Record<string, unknown> {
  return {
    issues: error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
  };
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('invalid_request', `${what} is invalid`, zodDetails(parsed.error));
  return parsed.data;
}

/** Parses and validates a JSON body: 413 over `limit`, 400 `invalid_json` when unparsable, 400 `invalid_request` when it fails `schema`. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S, limit = DEFAULT_JSON_LIMIT): Promise<z.output<S>> {
  const bytes = await readBytes(c, limit);
  if (bytes.byteLength === 0) throw new ApiError('invalid_json', 'request body is empty; a JSON object is expected');
  return validate(schema, parseJsonText(new TextDecoder().decode(bytes)));
}

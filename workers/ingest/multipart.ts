// One file field out of a multipart/form-data body, parsed by @remix-run/multipart-parser (streaming, with
// limits on headers, parts and sizes). The parser keeps a part in memory until its closing delimiter, so a
// multipart file is capped at MAX_MULTIPART_FILE_BYTES; bigger files go as the raw body, which streams.
// Text fields (import options) may come before or after the file.
import { MaxFileSizeExceededError, MaxTotalSizeExceededError, MultipartParseError, MultipartParser, type MultipartPart } from '@remix-run/multipart-parser';
import { tooLarge } from '../lib/body';
import { ApiError } from '../lib/errors';

export const MAX_MULTIPART_FILE_BYTES = 32 * 1024 * 1024;
const MAX_FIELD_BYTES = 4 * 1024;
const MAX_PARTS = 20;
const MAX_HEADER_BYTES = 8 * 1024;

export interface MultipartFile {
  filename: string | null;
  /** The text fields of the form. */
  fields: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

/** The boundary of a multipart/form-data Content-Type (RFC 2046: 1–70 characters), or null for any other type. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

/** A parser or decoding failure as the API error it is: 413 over the size limits, else 400. */
function multipartError(err: unknown): unknown {
  if (err instanceof MaxFileSizeExceededError || err instanceof MaxTotalSizeExceededError) {
    const e = tooLarge(MAX_MULTIPART_FILE_BYTES);
    return new ApiError(e.code, `${e.message} for a multipart file; send bigger files as the raw request body (streamed)`, e.details);
  }
  if (err instanceof MultipartParseError) return new ApiError('invalid_request', `malformed multipart body: ${err.message}`);
  // part.text decodes strictly: a field that is not UTF-8 throws a TypeError.
  if (err instanceof TypeError) return new ApiError('invalid_request', 'malformed multipart body: a form field is not UTF-8 text');
  return err;
}

/** The part's chunks as a stream, without copying them into one buffer. */
function partStream(part: MultipartPart): ReadableStream<Uint8Array> {
  const chunks = part.content;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** True once the closing delimiter was read (finish() only checks that). */
function closed(parser: MultipartParser): boolean {
  try {
    parser.finish();
    return true;
  } catch {
    return false;
  }
}

/** Every part of the body. Bytes after the closing delimiter are an epilogue (RFC 2046): read and ignored. */
async function* parts(body: ReadableStream<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const parser = new MultipartParser(boundary, {
    maxHeaderSize: MAX_HEADER_BYTES,
    maxFileSize: MAX_MULTIPART_FILE_BYTES,
    maxTotalSize: MAX_MULTIPART_FILE_BYTES + MAX_PARTS * MAX_FIELD_BYTES,
    maxParts: MAX_PARTS,
  });
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length > 0 && !closed(parser)) yield* parser.write(value);
  }
  parser.finish();
}

/** Reads the whole form; 400 when it is malformed (no closing boundary included) or has no `field` part, 413 over the limit. */
export async function multipartFile(body: ReadableStream<Uint8Array>, boundary: string, field = 'file'): Promise<MultipartFile> {
  const fields: Record<string, string> = {};
  let file: MultipartPart | undefined;
  try {
    for await (const part of parts(body, boundary)) {
      const name = part.name;
      if (name === field && !file) file = part;
      else if (name && !part.isFile) {
        if (part.size > MAX_FIELD_BYTES) throw new ApiError('invalid_request', `malformed multipart body: field ${JSON.stringify(name.slice(0, 40))} is too long`);
        fields[name] = part.text;
      }
    }
  } catch (err) {
    throw multipartError(err);
  }
  if (!file) throw new ApiError('invalid_request', `multipart body has no "${field}" field; send the file as form field "${field}"`);
  // Control characters (NUL above all) have no place in a file name stored as text.
  const filename = file.filename ? [...file.filename].filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f).join('') || null : null;
  return { filename, fields, body: partStream(file) };
}

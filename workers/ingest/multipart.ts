// Streams one file field out of a multipart/form-data body without holding the file in memory
// (Request.formData() would buffer all of it). Small text fields sent before the file are collected;
// parts after the file are not read.
import { ApiError } from '../lib/errors';

const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_FIELD_BYTES = 4 * 1024;
const MAX_FIELDS = 20;

export interface MultipartFile {
  filename: string | null;
  /** Text fields that preceded the file. */
  fields: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

/** The boundary of a multipart/form-data Content-Type, or null for any other type. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const malformed = (why: string) => new ApiError('invalid_request', `malformed multipart body: ${why}`);

/** A byte buffer over a stream reader: read more until a pattern shows up. */
class Cursor {
  buf: Uint8Array = new Uint8Array();
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Appends the next chunk; false at the end of the stream. */
  async more(): Promise<boolean> {
    const { done, value } = await this.reader.read();
    if (done) return false;
    this.buf = concat(this.buf, value);
    return true;
  }

  /** Bytes up to `pattern` (consumed with it), reading at most `max` bytes before giving up. */
  async until(pattern: Uint8Array, max: number, what: string): Promise<Uint8Array> {
    for (;;) {
      const i = indexOf(this.buf, pattern);
      if (i !== -1) {
        const head = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + pattern.length);
        return head;
      }
      if (this.buf.length > max + pattern.length) throw malformed(`${what} is too long`);
      if (!(await this.more())) throw malformed(`unexpected end of body in ${what}`);
    }
  }

  async take(n: number): Promise<Uint8Array> {
    while (this.buf.length < n) if (!(await this.more())) throw malformed('unexpected end of body');
    const head = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return head;
  }

  cancel(): void {
    this.reader.cancel().catch(() => {});
  }
}

function disposition(headers: string): { name: string | null; filename: string | null } {
  const line = headers.split('\r\n').find((l) => /^content-disposition\s*:/i.test(l)) ?? '';
  const param = (key: string) => new RegExp(`;\\s*${key}="([^"]*)"`, 'i').exec(line)?.[1] ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(line)?.[1] ?? null;
  return { name: param('name'), filename: param('filename') };
}

/** Finds the part named `field` and streams its content; 400 when the body is malformed or has no such part. */
export async function multipartFile(body: ReadableStream<Uint8Array>, boundary: string, field = 'file'): Promise<MultipartFile> {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const cursor = new Cursor(body.getReader());
  const delimiter = enc.encode(`\r\n--${boundary}`);
  // The first delimiter may open the body without the leading CRLF.
  cursor.buf = concat(CRLF, cursor.buf);
  await cursor.until(delimiter, MAX_HEADER_BYTES, 'preamble');
  const fields: Record<string, string> = {};
  for (let parts = 0; ; parts++) {
    const after = dec.decode(await cursor.take(2));
    if (after === '--' || parts > MAX_FIELDS) break;
    if (after !== '\r\n') throw malformed('bad delimiter');
    const { name, filename } = disposition(dec.decode(await cursor.until(HEADER_END, MAX_HEADER_BYTES, 'part headers')));
    if (name === field) return { filename, fields, body: streamUntil(cursor, delimiter) };
    const value = await cursor.until(delimiter, MAX_FIELD_BYTES, `field ${JSON.stringify(name ?? '')}`);
    if (name) fields[name] = dec.decode(value);
  }
  cursor.cancel();
  throw new ApiError('invalid_request', `multipart body has no "${field}" field; send the file as form field "${field}"`);
}

/** The cursor's bytes up to `delimiter`, as a stream (keeps back delimiter.length - 1 bytes that may start it). */
function streamUntil(cursor: Cursor, delimiter: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const i = indexOf(cursor.buf, delimiter);
        if (i !== -1) {
          if (i > 0) controller.enqueue(cursor.buf.slice(0, i));
          cursor.cancel();
          controller.close();
          return;
        }
        const safe = cursor.buf.length - (delimiter.length - 1);
        if (safe > 0) {
          controller.enqueue(cursor.buf.slice(0, safe));
          cursor.buf = cursor.buf.subarray(safe);
          return;
        }
        if (!(await cursor.more())) {
          controller.error(malformed('the file part is not terminated by the boundary'));
          return;
        }
      }
    },
    cancel() {
      cursor.cancel();
    },
  });
}

// Byte streams → numbered text lines, without holding more than one line (bounded) in memory.
import { TelemetryImportError } from './errors';

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Longest line we buffer (1 MiB); a longer one is reported as an error for that line and skipped. */
export const MAX_LINE_BYTES = 1 << 20;

export type LineItem = { line: number; text: string } | { line: number; error: string };

/**
 * The chunks of a ReadableStream or an async iterable (reader-based: not every runtime makes streams iterable).
 * A source that fails (a broken gzip body, a dropped upload) is the input's fault: an import error, not a crash.
 */
export async function* byteChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  const it = source instanceof ReadableStream ? readerChunks(source) : source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await it.next();
    } catch (e) {
      throw new TelemetryImportError('unreadable_input', `input could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (next.done) return;
    yield next.value;
  }
}

async function* readerChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads at least `bytes` (or everything, if shorter) for sniffing, and hands back a stream that replays them. */
export async function peekHead(
  source: ByteSource,
  bytes: number,
): Promise<{ head: Uint8Array; chunks: AsyncGenerator<Uint8Array> }> {
  const it = byteChunks(source);
  const seen: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < bytes) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    seen.push(next.value);
    size += next.value.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* seen;
    if (!ended) yield* it;
  }
  return { head: concat(seen, size), chunks: replay() };
}

/**
 * Splits bytes into lines (LF or CRLF; a last line without newline counts), numbered from 1.
 * Splitting on the LF byte is safe in UTF-8: 0x0A never occurs inside a multi-byte character.
 */
export async function* readLines(source: ByteSource, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<LineItem> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  let tooLong = false;
  let line = 1;
  const finish = (): LineItem => {
    const item: LineItem = tooLong
      ? { line, error: `line is longer than ${maxLineBytes} bytes` }
      : { line, text: stripCr(decoder.decode(concat(parts, size))) };
    parts = [];
    size = 0;
    tooLong = false;
    line += 1;
    return item;
  };
  for await (const chunk of byteChunks(source)) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!tooLong && size + (end - start) > maxLineBytes) {
        tooLong = true;
        parts = [];
        size = 0;
      } else if (!tooLong && end > start) {
        // Copy only what outlives this chunk (sources may reuse their buffers).
        parts.push(nl === -1 ? chunk.slice(start, end) : chunk.subarray(start, end));
        size += end - start;
      }
      if (nl === -1) break;
      yield finish();
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) yield finish();
}

function stripCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

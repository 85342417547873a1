// Telemetry import: a byte stream in any supported format → validated LlmCalls and per-record rejections,
// streamed (memory stays bounded by one record); and the REST batch of native records.
import { assertText, describeRecord, detectSpec, formatMismatch, HEAD_BYTES, sampleOf, sniffLayout } from './detect';
import { RecordError, TelemetryImportError } from './errors';
import { parseUtc, timestampProblem } from './time';
import { FORMAT_NAMES, formatByName, type FormatName, type FormatSpec, type MapOptions, type Syntax } from './formats/index';
import { peekHead, type ByteSource } from './lines';
import { normalizeCall, type NormalizeContext } from './normalize';
import { rawItems, type RawItem } from './records';
import type { LlmCall } from './record';

export { parseBatch, type BatchOptions, type BatchRejection } from './batch';
export { detectFormat, type DetectResult } from './detect';
export { TelemetryImportError, type ImportErrorCode } from './errors';
export { FORMAT_NAMES, type FormatName } from './formats/index';

export interface ImportOptions {
  /** Model (and provider) for traces that name none; fills records that lack one. */
  model?: string;
  provider?: string;
  /** Start of traces with relative timestamps (BurstGPT, Mooncake): ISO 8601 or epoch ms. */
  start_time?: string | number;
}

export interface ParseStreamOptions {
  format?: 'auto' | FormatName;
  source: string;
  options?: ImportOptions;
  now_ms: number;
  future_tolerance_ms: number;
  /** More records than this stops the import with a 'record_limit' error (after yielding the first maxRecords). */
  maxRecords?: number;
  /** The org's own prices over the catalog. */
  prices?: NormalizeContext['prices'];
}

export type ImportItem = { ok: true; call: LlmCall; line: number } | { ok: false; line: number; reason: string };

/**
 * Streams the records of `stream`. Throws TelemetryImportError for the input as a whole: empty, binary,
 * unreadable, wrong or undetectable format, a missing option, or more than maxRecords records.
 */
export async function* parseStream(stream: ByteSource, opts: ParseStreamOptions): AsyncGenerator<ImportItem> {
  const requested = opts.format ?? 'auto';
  let spec = requested === 'auto' ? undefined : formatByName(requested);
  if (requested !== 'auto' && !spec) {
    const supported = FORMAT_NAMES.join(', ');
    throw new TelemetryImportError('invalid_format', `unknown format '${String(requested)}'; supported formats: ${supported}`);
  }
  const mapOpts = resolveOptions(opts.options ?? {});
  if (spec) requireOptions(spec, mapOpts);

  const { head, chunks } = await peekHead(stream, HEAD_BYTES);
  assertText(head);
  const layout = sniffLayout(head);
  const syntax: Syntax = layout === 'csv' ? 'csv' : 'json';
  const ctx: NormalizeContext = {
    source: opts.source,
    defaults: { model: mapOpts.model, provider: mapOpts.provider },
    now_ms: opts.now_ms,
    future_tolerance_ms: opts.future_tolerance_ms,
    ...(opts.prices && { prices: opts.prices }),
  };
  const probe = new FormatProbe();
  const limit = opts.maxRecords ?? Number.POSITIVE_INFINITY;
  let count = 0;

  for await (const raw of rawItems(chunks, layout)) {
    if (raw.kind === 'header') {
      spec ??= detectSpec(sampleOf(raw) ?? {});
      if (!spec || !spec.syntaxes.includes('csv') || spec.fields.some((f) => !raw.columns.includes(f))) {
        throw formatMismatch(spec, describeRecord(raw));
      }
      requireOptions(spec, mapOpts);
      continue;
    }
    if (raw.kind === 'value' && !spec) {
      const sample = sampleOf(raw);
      spec = sample && detectSpec(sample);
      if (sample && !spec) throw formatMismatch(undefined, describeRecord(raw));
      if (spec) requireOptions(spec, mapOpts);
    }
    if (raw.kind === 'value' && spec && !spec.syntaxes.includes(syntax)) throw formatMismatch(spec, describeRecord(raw));

    for (const outcome of outcomes(raw, spec, mapOpts, syntax, ctx)) {
      if (++count > limit) {
        probe.end(spec);
        throw new TelemetryImportError('record_limit', `input has more than ${limit} records; the first ${limit} were read`);
      }
      yield* probe.pass(outcome, spec);
    }
  }
  probe.end(spec);
}

/** An ImportItem, plus what the wrong-format rule needs: did it fail for its shape, and what does it look like. */
type Outcome = ImportItem & { structural?: boolean; shape?: string };

function* outcomes(
  raw: RawItem,
  spec: FormatSpec | undefined,
  mapOpts: MapOptions,
  syntax: Syntax,
  ctx: NormalizeContext,
): Generator<Outcome> {
  if (raw.kind === 'error' || !spec) {
    const reason = raw.kind === 'error' ? raw.reason : 'record is not a JSON object';
    yield { ok: false, line: raw.line, reason, structural: true, shape: describeRecord(raw) };
    return;
  }
  if (raw.kind !== 'value') return;
  const line = raw.line;
  const itemCtx = spec.positional ? { ...ctx, identity: `line:${line}` } : ctx;
  try {
    for (const item of spec.map(raw.value, mapOpts, syntax)) {
      const where = item.at ? `${item.at}: ` : '';
      if ('error' in item) {
        yield { ok: false, line, reason: where + item.error };
        continue;
      }
      const r = normalizeCall(item.input, itemCtx);
      yield r.ok ? { ok: true, call: r.call, line } : { ok: false, line, reason: where + r.reason };
    }
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    yield { ok: false, line, reason: e.message, structural: e.structural, shape: describeRecord(raw) };
  }
}

/** Records read before the wrong-format rule gives up. */
export const FORMAT_PROBE_RECORDS = 20;

/**
 * The wrong-format rule: when the first FORMAT_PROBE_RECORDS records (or all of them, if fewer) fail for
 * structural reasons (not JSON, not an object, missing the format's fields) and none succeeded, the input
 * is not in this format: stop with one format error instead of a rejection per record. Held back until
 * decided, those records are then released in order.
 */
class FormatProbe {
  private held: ImportItem[] = [];
  private firstShape: string | undefined;
  private decided = false;

  *pass(o: Outcome, spec: FormatSpec | undefined): Generator<ImportItem> {
    const item = plain(o);
    if (this.decided) {
      yield item;
    } else if (o.ok || !o.structural) {
      this.decided = true;
      yield* this.held;
      this.held = [];
      yield item;
    } else {
      this.firstShape ??= o.shape;
      this.held.push(item);
      if (this.held.length >= FORMAT_PROBE_RECORDS) throw formatMismatch(spec, this.firstShape ?? `line ${o.line}`);
    }
  }

  /** At the end of the input (or of the records allowed): still undecided means every record failed structurally. */
  end(spec: FormatSpec | undefined): void {
    if (!this.decided && this.held.length > 0) throw formatMismatch(spec, this.firstShape ?? 'no record is readable');
  }
}

function plain(o: Outcome): ImportItem {
  return o.ok ? { ok: true, call: o.call, line: o.line } : { ok: false, line: o.line, reason: o.reason };
}

function resolveOptions(o: ImportOptions): MapOptions {
  const textOption = (v: unknown, name: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '' || v.length > 200) {
      throw new TelemetryImportError('invalid_options', `option ${name} must be a non-empty string`);
    }
    return v.trim();
  };
  let start: number | undefined;
  if (o.start_time !== undefined) {
    start = typeof o.start_time === 'number' ? o.start_time : parseUtc(o.start_time);
    if (start === undefined || !Number.isSafeInteger(start) || start < 0 || timestampProblem(start)) {
      throw new TelemetryImportError('invalid_options', 'option start_time must be ISO 8601 or epoch milliseconds, a real day between 1970 and 2299');
    }
  }
  return { model: textOption(o.model, 'model'), provider: textOption(o.provider, 'provider'), start_time_ms: start };
}

function requireOptions(spec: FormatSpec, o: MapOptions): void {
  if (spec.needs.includes('model') && !o.model) {
    throw new TelemetryImportError('invalid_options', `format '${spec.name}' needs the model option: its records name no model`);
  }
  if (spec.needs.includes('start_time') && o.start_time_ms === undefined) {
    throw new TelemetryImportError(
      'invalid_options',
      `format '${spec.name}' needs the start_time option: its timestamps are relative to the trace start`,
    );
  }
}

/** The body stream as sent: gzip-decoded when Content-Encoding says gzip (DecompressionStream, a Web API). */
export function maybeGunzip(
  stream: ReadableStream<Uint8Array>,
  contentEncoding: string | null | undefined,
): ReadableStream<Uint8Array> {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (encoding === '' || encoding === 'identity') return stream;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    // the typings give its writable side as WritableStream<BufferSource>, which does not unify with Uint8Array
    return stream.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  }
  throw new TelemetryImportError('unsupported_encoding', `Content-Encoding '${contentEncoding}' is not supported: send gzip or uncompressed`);
}

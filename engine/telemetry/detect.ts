// Which format an input is in, from its first bytes and first record; and the errors that say it is not
// the format asked for, or not an input at all.
import { TelemetryImportError } from './errors';
import { isRec, type Rec } from './fields';
import { FORMAT_NAMES, FORMATS, type FormatName, type FormatSpec } from './formats/index';
import { rawItems, type Layout, type RawItem } from './records';

/** Bytes read before deciding anything: enough for a CSV header or a first JSON line. */
export const HEAD_BYTES = 64 * 1024;

/** Empty, compressed or binary input is one clear error up front, not a rejection per line. */
export function assertText(head: Uint8Array): void {
  if (head.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) {
    throw new TelemetryImportError('empty_input', 'input is empty');
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    throw new TelemetryImportError('not_text', 'input is gzip-compressed: send it with Content-Encoding: gzip');
  }
  let valid = !head.includes(0);
  try {
    // stream: a multi-byte character cut at the end of the head is not an error
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(head, { stream: true });
  } catch {
    valid = false;
  }
  if (!valid) throw new TelemetryImportError('not_text', 'input is binary, not CSV or JSON text');
}

/**
 * '[' starts a JSON array; '{' NDJSON, or a pretty-printed document (or several) when the first line is a
 * lone '{'; anything else is CSV.
 */
export function sniffLayout(head: Uint8Array): Layout {
  const text = new TextDecoder().decode(head).trimStart();
  if (text.startsWith('[')) return 'json_array';
  if (!text.startsWith('{')) return 'csv';
  return text.split('\n', 1)[0]?.trim() === '{' ? 'json_document' : 'ndjson';
}

/** The first record as detection sees it: CSV header columns, or a JSON object. */
export function sampleOf(item: RawItem): Rec | undefined {
  if (item.kind === 'header') return Object.fromEntries(item.columns.map((c) => [c, '']));
  return item.kind === 'value' && isRec(item.value) ? item.value : undefined;
}

export function detectSpec(sample: Rec): FormatSpec | undefined {
  return FORMATS.find((f) => f.detect(sample));
}

/** How a record looks, for error messages: "line 1 has TIMESTAMP,ContextTokens,GeneratedTokens". */
export function describeRecord(item: RawItem): string {
  if (item.kind === 'error') return `line ${item.line}: ${item.reason}`;
  const sample = sampleOf(item);
  if (!sample) return `line ${item.line} is not a JSON object`;
  const keys = Object.keys(sample);
  return `line ${item.line} has ${keys.slice(0, 12).join(',')}${keys.length > 12 ? ',…' : ''}`;
}

export function formatMismatch(spec: FormatSpec | undefined, shape: string): TelemetryImportError {
  return new TelemetryImportError(
    'invalid_format',
    spec
      ? `format '${spec.name}' expects fields ${spec.fields.join(',')}; ${shape}`
      : `could not detect the format: ${shape}; supported formats: ${FORMAT_NAMES.join(', ')}`,
  );
}

export type DetectResult = { format: FormatName; layout: Layout } | { format: null; layout?: Layout; reason: string };

/** The format of an input from its first bytes (HEAD_BYTES are plenty), for previews; imports detect as they stream. */
export async function detectFormat(head: Uint8Array | string): Promise<DetectResult> {
  const bytes = typeof head === 'string' ? new TextEncoder().encode(head) : head;
  try {
    assertText(bytes);
  } catch (e) {
    if (e instanceof TelemetryImportError) return { format: null, reason: e.message };
    throw e;
  }
  const layout = sniffLayout(bytes);
  for await (const item of rawItems(once(bytes), layout)) {
    if (item.kind === 'error') continue; // a malformed first line (or one cut by the head's end): look further
    const sample = sampleOf(item);
    const spec = sample && detectSpec(sample);
    if (spec) return { format: spec.name, layout };
    return { format: null, layout, reason: formatMismatch(undefined, describeRecord(item)).message };
  }
  return { format: null, layout, reason: 'no complete record in the first bytes' };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

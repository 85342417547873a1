// The REST ingest batch: native records as a JSON array, one JSON object, or NDJSON; each accepted or
// rejected on its own. Bodies are bounded by the route, so this parses them whole.
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-depth';
import { TelemetryImportError } from './errors';
import { isRec } from './fields';
import { generatedRequestId, normalizeCall, type NormalizeContext } from './normalize';
import type { LlmCall } from './record';

export interface BatchOptions {
  source: string;
  defaults?: NormalizeContext['defaults'];
  now_ms: number;
  future_tolerance_ms: number;
  /** A batch of more records is refused whole ('record_limit'). */
  maxRecords?: number;
  prices?: NormalizeContext['prices'];
}

/** index: 0-based position among the batch's records; line: 1-based NDJSON line (absent for a JSON array). */
export interface BatchRejection {
  index: number;
  line?: number;
  reason: string;
}

/**
 * The REST ingest batch: a JSON array, one JSON object, or NDJSON of native records, as text or already
 * parsed. Each record is accepted or rejected on its own. Throws TelemetryImportError when the body as a
 * whole is unusable (empty, not JSON, over maxRecords).
 */
export function parseBatch(body: unknown, opts: BatchOptions): { accepted: LlmCall[]; rejected: BatchRejection[] } {
  const entries = batchEntries(body);
  if (opts.maxRecords !== undefined && entries.length > opts.maxRecords) {
    throw new TelemetryImportError('record_limit', `batch has ${entries.length} records; at most ${opts.maxRecords} are accepted`);
  }
  const accepted: LlmCall[] = [];
  const rejected: BatchRejection[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const at = entry.line === undefined ? { index } : { index, line: entry.line };
    if ('error' in entry) {
      rejected.push({ ...at, reason: entry.error });
      return;
    }
    const r = normalizeCall(entry.value, opts);
    if (!r.ok) {
      rejected.push({ ...at, reason: r.reason });
      return;
    }
    // Identical records without ids in one batch are distinct calls: the k-th copy gets its own (still
    // deterministic) id, so a retry of the batch maps copy to copy.
    const id = r.call.request_id;
    const generated = !(isRec(entry.value) && entry.value.request_id !== undefined);
    const copies = generated ? (seen.get(id) ?? 0) + 1 : 1;
    if (generated) seen.set(id, copies);
    accepted.push(copies > 1 ? { ...r.call, request_id: generatedRequestId(`${id}#${copies}`) } : r.call);
  });
  return { accepted, rejected };
}

type BatchEntry = { value: unknown; line?: number } | { error: string; line?: number };

function batchEntries(body: unknown): BatchEntry[] {
  if (Array.isArray(body)) return body.map((value) => ({ value }));
  if (isRec(body)) return [{ value: body }];
  if (typeof body !== 'string') throw new TelemetryImportError('invalid_format', 'body must be a JSON array, a JSON object or NDJSON');
  const trimmed = body.trim();
  if (trimmed === '') throw new TelemetryImportError('empty_input', 'body is empty');
  if (trimmed.startsWith('[')) {
    if (jsonTooDeep(trimmed)) throw new TelemetryImportError('invalid_format', `body nests deeper than ${MAX_JSON_DEPTH} levels`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new TelemetryImportError('invalid_format', `body is not valid JSON: ${e instanceof Error ? e.message.slice(0, 120) : ''}`);
    }
    return batchEntries(parsed);
  }
  const entries: BatchEntry[] = [];
  body.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    if (jsonTooDeep(text)) return void entries.push({ error: `invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels`, line: i + 1 });
    try {
      entries.push({ value: JSON.parse(text) as unknown, line: i + 1 });
    } catch {
      entries.push({ error: 'invalid JSON', line: i + 1 });
    }
  });
  return entries;
}

// Reading fields out of foreign records (CSV cells are text, JSON values are typed) into llmCallInput shape.
// Values that cannot be coerced are passed through unchanged, so llmCallInput names the field and the problem.
import { jsonTooDeep } from '../json-depth';
import { RecordError } from './errors';
import { parseUtc } from './time';

export type Rec = Record<string, unknown>;

export function isRec(value: unknown): value is Rec {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value if it is an object, else an empty one (optional nested blobs: metadata, usage). */
export function recOrEmpty(value: unknown): Rec {
  return isRec(value) ? value : {};
}

/** The record without its undefined members (metadata built from optional fields). */
export function compact(rec: Rec): Rec {
  return Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined));
}

/** The value as a record, or a structural error: every format's records are objects. */
export function asRec(value: unknown, what = 'record'): Rec {
  if (!isRec(value)) throw new RecordError(`${what} is not a JSON object`, true);
  return value;
}

/** Missing keys mean the record is not of this format (structural); present-but-empty values are the record's own fault. */
export function requireFields(rec: Rec, fields: readonly string[]): void {
  const missing = fields.filter((f) => !(f in rec));
  if (missing.length > 0) throw new RecordError(`missing field(s) ${missing.join(',')}`, true);
}

/** First of `names` that holds a value (not undefined, null or blank text). */
export function pick(rec: Rec, ...names: string[]): unknown {
  for (const name of names) {
    const v = rec[name];
    if (v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '')) return v;
  }
  return undefined;
}

/** Non-blank text, trimmed; numbers become text (ids exported as numbers). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Numeric text → number ("3.0" → 3); blank → undefined; anything else unchanged for the schema to reject. */
export function num(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (t === '') return undefined;
  return NUMERIC.test(t) ? Number(t) : value;
}

/** A number, or a RecordError naming the field (for values the mapper computes with). */
export function needNumber(value: unknown, field: string): number {
  const n = num(value);
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new RecordError(n === undefined ? `${field} is empty` : `${field}: ${JSON.stringify(value)} is not a number`);
  }
  return n;
}

/** Booleans as exported by spreadsheets and databases: true/false, True/False, 1/0, t/f. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const t = text(value)?.toLowerCase();
  if (t === 'true' || t === '1' || t === 't' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'f' || t === 'no') return false;
  return undefined;
}

/** A JSON object/array held in a CSV cell; typed JSON values pass through. Unparseable text → undefined. */
export function jsonCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if ((!t.startsWith('{') && !t.startsWith('[')) || jsonTooDeep(t)) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/** An optional date-time field → epoch ms (blank → undefined), or a RecordError naming the field. */
export function optionalTime(value: unknown, field: string): number | undefined {
  return text(value) === undefined ? undefined : needTime(value, field);
}

/** A date-time field → epoch ms, or a RecordError naming the field. */
export function needTime(value: unknown, field: string): number {
  const t = text(value);
  if (t === undefined) throw new RecordError(`${field} is empty`);
  const ms = parseUtc(t);
  if (ms === undefined) throw new RecordError(`${field}: ${JSON.stringify(t)} is not a date-time`);
  return ms;
}

/** A relative offset plus the import's start time (traces with relative timestamps). */
export function relativeTime(offset: unknown, field: string, startMs: number | undefined, unitMs: number): number {
  // startMs is checked once per import (the format declares it needs start_time); this guards direct callers.
  if (startMs === undefined) throw new RecordError(`${field} is relative: the start_time option is required`);
  const n = needNumber(offset, field);
  if (n < 0) throw new RecordError(`${field} must not be negative`);
  return startMs + Math.round(n * unitMs);
}

/**
 * Sources disagree on whether the input count includes prompt-cache reads/writes (OpenAI, LiteLLM, OTel:
 * included; Anthropic's API: reported apart). Ours includes them: add them when the source reported them
 * apart, or when the cache read alone exceeds the input (the source cannot have included it).
 */
export function inputIncludingCache(
  input: unknown,
  cacheRead: unknown,
  cacheWrite: unknown,
  reportedApart: boolean,
): unknown {
  const [i, r, w] = [num(input), num(cacheRead), num(cacheWrite)];
  if (typeof i !== 'number' || (typeof r !== 'number' && typeof w !== 'number')) return i;
  const read = typeof r === 'number' ? r : 0;
  const write = typeof w === 'number' ? w : 0;
  return reportedApart || read > i ? i + read + write : i;
}

/** Optional text field (ids, names): blank → undefined; an object, array or boolean is the record's fault. */
export function optText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return text(value);
  throw new RecordError(`${field} is not text (got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value})`);
}

/** A tag list: a JSON array of text (CSV cells hold it as JSON text); blank/absent → []. */
export function tagList(value: unknown, field: string): string[] {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return [];
  const parsed = typeof value === 'string' ? jsonCell(value) : value;
  if (!Array.isArray(parsed)) throw new RecordError(`${field} is not a list of tags`);
  const out: string[] = [];
  for (const tag of parsed) {
    if (typeof tag !== 'string') throw new RecordError(`${field} holds a tag that is not text (${JSON.stringify(tag)})`);
    if (tag.trim() !== '') out.push(tag.trim());
  }
  return out;
}

/** Tags that name the calling feature (`feature:search`, `route=/chat`, …), in the order we trust them. */
const FEATURE_TAG = /^(feature|route|use[_-]?case|task[_-]?name|task|job[_-]?name|app)\s*[:=]\s*(.+)$/i;

/** The feature a tag list names: a `feature:`-style tag first, else the first plain tag (no `key:value`). */
export function featureFromTags(tags: readonly string[]): string | undefined {
  let best: { rank: number; value: string } | undefined;
  for (const tag of tags) {
    const m = FEATURE_TAG.exec(tag);
    if (!m) continue;
    const rank = ['feature', 'route', 'usecase', 'use_case', 'use-case', 'taskname', 'task_name', 'task-name', 'task', 'jobname', 'job_name', 'job-name', 'app']
      .indexOf(m[1]!.toLowerCase());
    if (best === undefined || rank < best.rank) best = { rank, value: m[2]!.trim() };
  }
  return best?.value ?? tags.find((t) => !/[:=]/.test(t));
}

/** Hex digests (sha256, md5, xxhash, fnv), optionally behind a namespace ("ns:ab12…"). */
const HASH = /^(?:[\w.-]{1,64}:)?[0-9a-f]{16,128}$/i;

/** An optional hash field: blank → undefined; text that is not a digest is the record's fault. */
export function hashText(value: unknown, field: string): string | undefined {
  const t = optText(value, field);
  if (t === undefined) return undefined;
  if (!HASH.test(t)) throw new RecordError(`${field}: ${JSON.stringify(t.slice(0, 60))} is not a hash`);
  return t.toLowerCase();
}

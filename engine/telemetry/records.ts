// The raw records of an input before any format applies: a CSV header and rows, NDJSON lines,
// a JSON array's elements, or pretty-printed JSON documents; each numbered by the line it starts on.
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-depth';
import { csvRows } from './csv';
import { jsonValues } from './json-values';
import { readLines, type ByteSource } from './lines';

export type Layout = 'csv' | 'ndjson' | 'json_array' | 'json_document';

/** Largest JSON line or value (16 MiB): one OTLP export or usage page is a single value. CSV rows stay at 1 MiB. */
export const MAX_JSON_VALUE_BYTES = 16 << 20;

export type RawItem =
  | { kind: 'header'; line: number; columns: string[] }
  | { kind: 'value'; line: number; value: unknown }
  | { kind: 'error'; line: number; reason: string };

export async function* rawItems(source: ByteSource, layout: Layout): AsyncGenerator<RawItem> {
  if (layout === 'csv') {
    yield* csvItems(source);
    return;
  }
  const texts = layout === 'ndjson' ? readLines(source, MAX_JSON_VALUE_BYTES) : jsonValues(source, MAX_JSON_VALUE_BYTES);
  for await (const t of texts) {
    if ('error' in t) yield { kind: 'error', line: t.line, reason: t.error };
    else if (t.text.trim() !== '') yield parseJson(t.line, t.text);
  }
}

function parseJson(line: number, text: string): RawItem {
  if (jsonTooDeep(text)) return { kind: 'error', line, reason: `invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { kind: 'value', line, value: JSON.parse(text) as unknown };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { kind: 'error', line, reason: `invalid JSON: ${why.length > 120 ? `${why.slice(0, 120)}…` : why}` };
  }
}

async function* csvItems(source: ByteSource): AsyncGenerator<RawItem> {
  let columns: string[] | undefined;
  for await (const row of csvRows(readLines(source))) {
    if ('error' in row) {
      yield { kind: 'error', line: row.line, reason: row.error };
    } else if (row.fields.length === 1 && row.fields[0]?.trim() === '') {
      continue; // blank line
    } else if (columns === undefined) {
      columns = row.fields.map((c) => c.trim());
      yield { kind: 'header', line: row.line, columns };
    } else if (row.fields.length !== columns.length) {
      yield { kind: 'error', line: row.line, reason: `row has ${row.fields.length} fields; the header has ${columns.length}` };
    } else {
      const cells = row.fields;
      yield { kind: 'value', line: row.line, value: Object.fromEntries(columns.map((c, i) => [c, cells[i]])) };
    }
  }
}

// Our own record (llmCallInput) as JSON (array or NDJSON), or as CSV with the same column names.
import { asRec, bool, isRec, jsonCell, needTime, num, requireFields, text, type Rec } from '../fields';
import { llmCallInput, USAGE_DETAIL_FIELDS } from '../record';
import type { FormatSpec } from './types';

const FIELDS = ['timestamp', 'model', 'input_tokens'] as const;
const KNOWN = new Set(Object.keys(llmCallInput.shape));
const NUMBERS = new Set([
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', ...USAGE_DETAIL_FIELDS,
  'latency_ms', 'ttft_ms', 'cost_usd', 'max_tokens', 'attempt',
]);

export const native: FormatSpec = {
  name: 'native',
  syntaxes: ['json', 'csv'],
  fields: FIELDS,
  needs: [],
  positional: false,
  detect: (s) => FIELDS.every((f) => f in s),
  map(value, opts, syntax) {
    const rec = asRec(value);
    // model may come from the import's options instead
    requireFields(rec, opts.model ? ['timestamp', 'input_tokens'] : FIELDS);
    // JSON is our API contract and stays strictly typed; CSV cells are text and get coerced.
    return [{ input: syntax === 'json' ? rec : fromCells(rec) }];
  },
};

/** CSV cells → typed values; blank cells are absent; columns we do not know go to metadata. */
function fromCells(row: Rec): Rec {
  const out: Rec = {};
  const extra: Rec = {};
  for (const [key, cell] of Object.entries(row)) {
    if (text(cell) === undefined) continue;
    if (!KNOWN.has(key)) extra[key] = cell;
    else if (NUMBERS.has(key)) out[key] = num(cell);
    else if (key === 'timestamp') out[key] = typeof num(cell) === 'number' ? num(cell) : needTime(cell, key);
    else if (key === 'stream') out[key] = bool(cell) ?? cell;
    else if (key === 'metadata') out[key] = jsonCell(cell) ?? cell;
    else if (key === 'prefix_hashes') out[key] = jsonCell(cell) ?? String(cell).trim().split(/[\s;|]+/);
    else out[key] = cell;
  }
  // (a metadata cell that is not an object is left for the schema to reject)
  if (Object.keys(extra).length > 0 && (out.metadata === undefined || isRec(out.metadata))) {
    out.metadata = { ...out.metadata, ...extra };
  }
  return out;
}

// Hand-made calls for the profile and tool tests: every field explicit, cost priced by the catalog.
import { costNano, findModel } from '../../../engine/catalog/index.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';

export const T0 = Date.UTC(2026, 9, 5, 12, 0, 0); // a Monday, noon UTC
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

let seq = 0;

/** One call; cost_nanousd defaults to the catalog price of its usage (null for unknown models). */
export function call(over: Partial<LlmCall> = {}): LlmCall {
  const c: LlmCall = {
    request_id: `req_${String(++seq).padStart(8, '0')}`,
    timestamp: T0,
    feature: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1000,
    output_tokens: 100,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    latency_ms: 1000,
    ttft_ms: null,
    status: 'ok',
    cost_nanousd: null,
    cost_from_source: false,
    prompt_hash: null,
    prefix_hashes: [],
    max_tokens: null,
    stream: false,
    region: null,
    attempt: 1,
    trace_id: null,
    span_id: null,
    metadata: {},
    source: 'test',
    ...over,
  };
  if (!('cost_nanousd' in over)) {
    const m = findModel(c.model, c.provider);
    c.cost_nanousd = m ? costNano(m, c) : null;
  }
  return c;
}

/** n calls made by `make(i)`. */
export const calls = (n: number, make: (i: number) => Partial<LlmCall>): LlmCall[] => Array.from({ length: n }, (_, i) => call(make(i)));

/** Prefix hashes of a prompt made of `shared` blocks of a common prefix followed by `own` blocks unique to `tag`. */
export function prefix(common: string, shared: number, tag: string, own: number): string[] {
  return [
    ...Array.from({ length: shared }, (_, j) => `${common}:${j}`),
    ...Array.from({ length: own }, (_, j) => `${common}:${tag}:${shared + j}`),
  ];
}

/** Every number reachable from `value` (for NaN/Infinity checks). */
export function numbersIn(value: unknown, path = '$', out: { path: string; value: number }[] = []): { path: string; value: number }[] {
  if (typeof value === 'number') out.push({ path, value });
  else if (Array.isArray(value)) value.forEach((v, i) => numbersIn(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) numbersIn(v, `${path}.${k}`, out);
  return out;
}

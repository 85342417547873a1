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

import { expect } from 'vitest';
import type { Finding } from '../../../engine/findings.js';
import { buildProfile } from '../../../engine/profile/reference.js';
import type { WorkloadProfile } from '../../../engine/profile/types.js';
import { TOOLS, type ToolContext } from '../../../engine/tools/index.js';

/** Runs one tool of the registry over a profile (or over calls, profiled first). */
export function runTool(id: string, input: WorkloadProfile | LlmCall[], ctx: Partial<ToolContext> = {}): Finding[] {
  const tool = TOOLS.find((t) => t.id === id);
  if (!tool) throw new Error(`no tool ${id}`);
  const profile = Array.isArray(input) ? buildProfile(input) : input;
  const findings = tool.run(profile, { engineer_hourly_usd: 150, min_saving_usd_month: 0, findings: [], ...ctx });
  expectWellFormed(findings);
  return findings;
}

/** Every field set, every number finite, savings consistent with the money conventions. */
export function expectWellFormed(findings: readonly Finding[]): void {
  for (const f of findings) {
    expect(numbersIn(f).filter((n) => !Number.isFinite(n.value)), `${f.tool}: non-finite numbers`).toEqual([]);
    for (const key of ['tool', 'family', 'kind', 'title', 'summary', 'where', 'calls_affected', 'saving_nanousd', 'saving_usd_month', 'saving_pct', 'latency_effect_ms', 'confidence', 'risk', 'evidence', 'recommendation'] as const) {
      expect(f[key], `${f.tool}.${key}`).not.toBeUndefined();
    }
    expect(Number.isInteger(f.saving_nanousd)).toBe(true);
    expect(f.saving_nanousd).toBeGreaterThanOrEqual(0);
    if (f.kind !== 'saving') expect(f.saving_nanousd).toBe(0);
  }
}

// Every import format on a real or realistic file: the import's totals (records, input and output tokens,
// cost) must equal a direct computation over the same file, done here with plain string handling.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../engine/catalog/index';
import { parseStream, type ParseStreamOptions } from '../../../engine/telemetry/import';
import { usdToNano, type LlmCall } from '../../../engine/telemetry/record';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = resolve(here, '../../../../shared/data');
const FIXTURES = resolve(here, '../../fixtures/telemetry');
const NOW = Date.UTC(2026, 0, 1);

function fileText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The file as a Web ReadableStream cut into `chunk`-byte pieces (small pieces exercise every boundary). */
function fileStream(path: string, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(path));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

async function importFile(path: string, opts: Partial<ParseStreamOptions> = {}, chunk?: number) {
  const calls: LlmCall[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for await (const item of parseStream(fileStream(path, chunk), { source: 'import:test', now_ms: NOW, future_tolerance_ms: 300_000, ...opts })) {
    if (item.ok) calls.push(item.call);
    else rejected.push({ line: item.line, reason: item.reason });
  }
  return { calls, rejected };
}

function totals(calls: LlmCall[]) {
  return {
    records: calls.length,
    input: calls.reduce((s, c) => s + c.input_tokens, 0),
    output: calls.reduce((s, c) => s + c.output_tokens, 0),
    cost: calls.reduce((s, c) => s + (c.cost_nanousd ?? 0), 0),
  };
}

/** An independent price computation from the catalog's per-1M prices (integer pico-dollars per token). */
function catalogNano(model: string, provider: string | undefined, u: { input: number; output: number; cached?: number; write?: number; batch?: boolean }): number {
  const m = findModel(model, provider);
  if (!m) return 0;
  const pico = (perM: number) => Math.round(perM * 1e6);
  const cached = u.cached ?? 0;
  const write = u.write ?? 0;
  const pico_total =
    (u.input - cached - write) * pico(m.input_per_m) +
    cached * pico(m.cached_input_per_m ?? m.input_per_m) +
    write * pico(m.cache_write_per_m ?? m.input_per_m) +
    u.output * pico(m.output_per_m);
  return Math.round((pico_total * (u.batch ? 1 - m.batch_discount : 1)) / 1000);
}

/** A whole-file RFC 4180 parse, written independently of engine/telemetry/csv.ts. */
function csvTable(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  const cell = /("((?:[^"]|"")*)"|[^,\r\n]*)(,|\r?\n|$)/gy;
  for (let m = cell.exec(text); m && m.index < text.length; m = cell.exec(text)) {
    row.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : (m[1] ?? ''));
    if (m[3] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  const [header = [], ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

const int = (s: string | undefined) => (s === undefined || s === '' ? 0 : Math.round(Number(s)));

describe('azure_trace: the real Azure LLM inference trace (8,819 rows)', () => {
  const path = resolve(SHARED, 'azure_llm_inference_2023_code.csv');

  it('imports every row with the file’s token totals and catalog cost', async () => {
    const lines = fileText(path).split(/\r?\n/).slice(1).filter((l) => l !== '');
    const rows = lines.map((l) => l.split(','));
    const { calls, rejected } = await importFile(path, { format: 'azure_trace', options: { model: 'gpt-4o-mini' } });

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: 8819,
      input: rows.reduce((s, r) => s + int(r[1]), 0),
      output: rows.reduce((s, r) => s + int(r[2]), 0),
      cost: rows.reduce((s, r) => s + catalogNano('gpt-4o-mini', undefined, { input: int(r[1]), output: int(r[2]) }), 0),
    });
    expect(rows).toHaveLength(8819);
    // "2023-11-16 18:17:03.9799600" is UTC, cut to the millisecond
    expect(calls[0]?.timestamp).toBe(Date.UTC(2023, 10, 16, 18, 17, 3, 979));
    expect(calls.at(-1)?.timestamp).toBe(Date.UTC(2023, 10, 16, 19, 14, 19, 928));
    expect(calls[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', cost_from_source: false, attempt: 1, source: 'import:test' });
    // rows have no id of their own: the line makes each one distinct
    expect(new Set(calls.map((c) => c.request_id)).size).toBe(8819);
  });

  it('is auto-detected, and gives the same records whatever the chunking', async () => {
    const whole = await importFile(path, { options: { model: 'gpt-4o-mini' } });
    const tiny = await importFile(path, { options: { model: 'gpt-4o-mini' } }, 7);
    expect(whole.calls).toHaveLength(8819);
    expect(tiny.calls.map((c) => c.request_id)).toEqual(whole.calls.map((c) => c.request_id));
    expect(totals(tiny.calls)).toEqual(totals(whole.calls));
  });
});

describe('mooncake: the real Mooncake synthetic trace (3,993 rows)', () => {
  const path = resolve(SHARED, 'mooncake_synthetic_trace.jsonl');
  const start = Date.UTC(2025, 0, 15, 9, 0, 0);

  it('imports every row with tokens, prefix hashes and times from the file', async () => {
    const rows = fileText(path)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { timestamp: number; input_length: number; output_length: number; hash_ids: number[] });
    const { calls, rejected } = await importFile(path, { options: { model: 'claude-sonnet-4-5', start_time: '2025-01-15T09:00:00Z' } });

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: 3993,
      input: rows.reduce((s, r) => s + r.input_length, 0),
      output: rows.reduce((s, r) => s + r.output_length, 0),
      cost: rows.reduce((s, r) => s + catalogNano('claude-sonnet-4-5', undefined, { input: r.input_length, output: r.output_length }), 0),
    });
    calls.forEach((c, i) => {
      expect(c.timestamp).toBe(start + (rows[i]?.timestamp ?? NaN));
      expect(c.prefix_hashes).toEqual(rows[i]?.hash_ids.map(String));
    });
    expect(calls[0]?.provider).toBe('anthropic');
    expect(new Set(calls.map((c) => c.request_id)).size).toBe(3993);
  });
});

describe('native records', () => {
  const path = resolve(FIXTURES, 'native_calls.ndjson');
  const records = fileText(path)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { model: string; input_tokens: number; output_tokens: number; cached_input_tokens: number; cost_usd?: number; request_id?: string });
  const expected = {
    records: records.length,
    input: records.reduce((s, r) => s + r.input_tokens, 0),
    output: records.reduce((s, r) => s + r.output_tokens, 0),
    cost: records.reduce(
      (s, r) => s + (r.cost_usd !== undefined ? usdToNano(r.cost_usd) : catalogNano(r.model, undefined, { input: r.input_tokens, output: r.output_tokens, cached: r.cached_input_tokens })),
      0,
    ),
  };

  it('NDJSON: totals, source costs kept, catalog costs filled, ids kept or generated', async () => {
    const { calls, rejected } = await importFile(path);
    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual(expected);
    calls.forEach((c, i) => {
      const r = records[i];
      expect(c.cost_from_source).toBe(r?.cost_usd !== undefined);
      if (r?.request_id) expect(c.request_id).toBe(r.request_id);
      else expect(c.request_id).toMatch(/^auto_[0-9a-f]{16}$/);
    });
  });

  it('a pretty-printed JSON array of the same records gives the same calls', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(records, null, 2));
    const calls: LlmCall[] = [];
    for await (const item of parseStream(new Blob([bytes]).stream(), { source: 'import:test', now_ms: NOW, future_tolerance_ms: 0 })) {
      if (item.ok) calls.push(item.call);
    }
    const ndjson = await importFile(path);
    expect(calls).toEqual(ndjson.calls);
  });
});

describe('openai_usage', () => {
  it('usage API page (JSON): one record per non-empty bucket row, carrying its totals', async () => {
    const path = resolve(FIXTURES, 'openai_usage_completions.json');
    type Result = { model: string; input_tokens: number; output_tokens: number; input_cached_tokens: number; num_model_requests: number; batch: boolean; project_id: string };
    const page = JSON.parse(fileText(path)) as { data: { start_time: number; results: Result[] }[] };
    const rows = page.data.flatMap((b) => b.results.map((r) => ({ ...r, start: b.start_time }))).filter((r) => r.num_model_requests > 0);
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + r.input_tokens, 0),
      output: rows.reduce((s, r) => s + r.output_tokens, 0),
      cost: rows.reduce(
        (s, r) => s + catalogNano(r.model, 'openai', { input: r.input_tokens, output: r.output_tokens, cached: r.input_cached_tokens, batch: r.batch }),
        0,
      ),
    });
    expect(calls.reduce((s, c) => s + (c.metadata.num_requests as number), 0)).toBe(rows.reduce((s, r) => s + r.num_model_requests, 0));
    expect(calls[0]).toMatchObject({ timestamp: (rows[0]?.start ?? 0) * 1000, project: rows[0]?.project_id, provider: 'openai' });
    expect(calls.some((c) => c.metadata.batch === true)).toBe(true);
  });

  it('dashboard CSV export: the same mapping from its columns', async () => {
    const path = resolve(FIXTURES, 'openai_usage_completions.csv');
    const rows = csvTable(fileText(path));
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + int(r.input_tokens), 0),
      output: rows.reduce((s, r) => s + int(r.output_tokens), 0),
      cost: rows.reduce((s, r) => s + catalogNano(r.model ?? '', 'openai', { input: int(r.input_tokens), output: int(r.output_tokens), cached: int(r.input_cached_tokens) }), 0),
    });
    expect(calls.map((c) => c.metadata.num_requests)).toEqual(rows.map((r) => int(r.num_model_requests)));
    expect(calls.map((c) => c.metadata.api_key_id)).toEqual(rows.map((r) => r.api_key_id));
  });
});

describe('litellm spend logs', () => {
  it('CSV dump of LiteLLM_SpendLogs (CRLF, JSON metadata cells): totals and the spend as cost', async () => {
    const path = resolve(FIXTURES, 'litellm_spend_logs.csv');
    const rows = csvTable(fileText(path));
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + int(r.prompt_tokens), 0),
      output: rows.reduce((s, r) => s + int(r.completion_tokens), 0),
      cost: rows.reduce((s, r) => s + usdToNano(Number(r.spend)), 0),
    });
    calls.forEach((c, i) => {
      const r = rows[i] ?? {};
      const meta = JSON.parse(r.metadata ?? '{}') as { usage_object: { prompt_tokens_details: { cached_tokens: number }; cache_creation_input_tokens?: number } };
      expect(c.request_id).toBe(r.request_id);
      expect(c.latency_ms).toBe(Date.parse(`${r.endTime?.replace(' ', 'T')}Z`) - Date.parse(`${r.startTime?.replace(' ', 'T')}Z`));
      expect(c.cached_input_tokens).toBe(meta.usage_object.prompt_tokens_details.cached_tokens);
      expect(c.cache_write_tokens).toBe(meta.usage_object.cache_creation_input_tokens ?? 0);
      expect(c.status).toBe(r.status === 'failure' ? '429' : 'ok');
      expect(c.cost_from_source).toBe(true);
    });
    expect(new Set(calls.map((c) => c.provider))).toEqual(new Set(['openai', 'anthropic']));
  });

  it('JSON of /spend/logs gives the same records as the CSV rows it was exported with', async () => {
    const json = await importFile(resolve(FIXTURES, 'litellm_spend_logs.json'));
    const csv = await importFile(resolve(FIXTURES, 'litellm_spend_logs.csv'));
    expect(json.rejected).toEqual([]);
    expect(json.calls).toHaveLength(12);
    expect(json.calls).toEqual(csv.calls.slice(0, 12));
  });
});

describe('helicone', () => {
  it('CSV export (quoted bodies with commas, quotes and line breaks): totals, cost from the file or the catalog', async () => {
    const path = resolve(FIXTURES, 'helicone_export.csv');
    const rows = csvTable(fileText(path));
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(rows.some((r) => r.request_body?.includes('\n'))).toBe(true);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + int(r.prompt_tokens), 0),
      output: rows.reduce((s, r) => s + int(r.completion_tokens), 0),
      cost: rows.reduce(
        (s, r) => s + (r.cost ? usdToNano(Number(r.cost)) : catalogNano(r.model ?? '', undefined, { input: int(r.prompt_tokens), output: int(r.completion_tokens) })),
        0,
      ),
    });
    expect(calls.map((c) => c.status)).toEqual(rows.map((r) => (r.response_status === '200' ? 'ok' : r.response_status)));
    expect(calls.map((c) => c.latency_ms)).toEqual(rows.map((r) => int(r.latency)));
    expect(calls[0]?.feature).toBe((JSON.parse(rows[0]?.request_properties ?? '{}') as Record<string, string>)['Helicone-Property-Feature']);
  });

  it('JSONL of the request API: Anthropic cache tokens are added to the prompt, as Helicone reports them apart', async () => {
    const path = resolve(FIXTURES, 'helicone_requests.jsonl');
    type Row = { provider: string; prompt_tokens: number; completion_tokens: number; prompt_cache_read_tokens: number; prompt_cache_write_tokens: number; costUSD: number; response_status: number };
    const rows = fileText(path).trim().split('\n').map((l) => JSON.parse(l) as Row);
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + r.prompt_tokens + (r.provider === 'ANTHROPIC' ? r.prompt_cache_read_tokens + r.prompt_cache_write_tokens : 0), 0),
      output: rows.reduce((s, r) => s + r.completion_tokens, 0),
      cost: rows.reduce((s, r) => s + usdToNano(r.costUSD), 0),
    });
    expect(calls.map((c) => c.status)).toEqual(rows.map((r) => (r.response_status === 200 ? 'ok' : 'error')));
  });
});

describe('burstgpt', () => {
  it('keeps every row (equal rows in the same second too), times from start_time, model names mapped', async () => {
    const path = resolve(FIXTURES, 'burstgpt_sample.csv');
    const rows = fileText(path).trim().split('\n').slice(1).map((l) => l.split(','));
    const start = Date.UTC(2023, 4, 1);
    const model = (m: string | undefined) => (m === 'ChatGPT' ? 'gpt-3.5-turbo' : 'gpt-4');
    const { calls, rejected } = await importFile(path, { options: { start_time: start } });

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: rows.length,
      input: rows.reduce((s, r) => s + int(r[2]), 0),
      output: rows.reduce((s, r) => s + int(r[3]), 0),
      cost: rows.reduce((s, r) => s + catalogNano(model(r[1]), 'openai', { input: int(r[2]), output: int(r[3]) }), 0),
    });
    expect(calls.map((c) => c.timestamp)).toEqual(rows.map((r) => start + int(r[0]) * 1000));
    expect(calls.map((c) => c.model)).toEqual(rows.map((r) => model(r[1])));
    expect(new Set(calls.map((c) => c.request_id)).size).toBe(rows.length);
  });
});

describe('otlp', () => {
  it('one record per model-call span; agent, tool and non-GenAI spans skipped', async () => {
    const path = resolve(FIXTURES, 'otlp_genai_traces.json');
    type Attr = { key: string; value: { stringValue?: string; intValue?: string } };
    type Span = { spanId: string; attributes: Attr[]; status: { code?: number }; startTimeUnixNano: string; endTimeUnixNano: string };
    const doc = JSON.parse(fileText(path)) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
    const attr = (s: Span, k: string) => s.attributes.find((a) => a.key === k)?.value;
    const modelCalls = doc.resourceSpans
      .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
      .filter((s) => attr(s, 'gen_ai.request.model') && !['invoke_agent', 'execute_tool'].includes(attr(s, 'gen_ai.operation.name')?.stringValue ?? ''));
    const tokens = (s: Span, k: string) => int(attr(s, k)?.intValue);
    const { calls, rejected } = await importFile(path);

    expect(rejected).toEqual([]);
    expect(totals(calls)).toEqual({
      records: modelCalls.length,
      input: modelCalls.reduce((s, sp) => s + tokens(sp, 'gen_ai.usage.input_tokens'), 0),
      output: modelCalls.reduce((s, sp) => s + tokens(sp, 'gen_ai.usage.output_tokens'), 0),
      cost: modelCalls.reduce(
        (s, sp) =>
          s +
          catalogNano(attr(sp, 'gen_ai.response.model')?.stringValue ?? attr(sp, 'gen_ai.request.model')?.stringValue ?? '', attr(sp, 'gen_ai.provider.name')?.stringValue ?? attr(sp, 'gen_ai.system')?.stringValue, {
            input: tokens(sp, 'gen_ai.usage.input_tokens'),
            output: tokens(sp, 'gen_ai.usage.output_tokens'),
            cached: tokens(sp, 'gen_ai.usage.cache_read.input_tokens'),
            write: tokens(sp, 'gen_ai.usage.cache_creation.input_tokens'),
          }),
        0,
      ),
    });
    expect(calls.map((c) => c.span_id)).toEqual(modelCalls.map((s) => s.spanId));
    expect(calls.map((c) => c.latency_ms)).toEqual(modelCalls.map((s) => Math.round((Number(s.endTimeUnixNano) - Number(s.startTimeUnixNano)) / 1e6)));
    const failed = calls.find((c) => c.status !== 'ok');
    expect(failed).toMatchObject({ status: '429', input_tokens: 0, model: 'gpt-4o-mini' });
    expect(calls[0]).toMatchObject({ request_id: 'chatcmpl-AZ1', model: 'gpt-4o-2024-08-06', region: 'eu-west-1', max_tokens: 1024, user: 'u-17' });
  });
});

// The import's edges: line/CSV/JSON splitting over arbitrary chunks, bad records (rejected with line and
// reason while good ones are kept), whole-input errors (wrong format, empty, binary, options, limits),
// stable request ids, the REST batch and normalizeCall itself.
import { describe, expect, it } from 'vitest';
import { csvRows } from '../../../engine/telemetry/csv';
import { canonicalJson, fnv1a64 } from '../../../engine/telemetry/hash';
import {
  detectFormat,
  FORMAT_PROBE_RECORDS,
  maybeGunzip,
  parseBatch,
  parseStream,
  TelemetryImportError,
  type ImportItem,
  type ParseStreamOptions,
} from '../../../engine/telemetry/import';
import { jsonValues } from '../../../engine/telemetry/json-values';
import { readLines } from '../../../engine/telemetry/lines';
import { normalizeCall } from '../../../engine/telemetry/normalize';

const NOW = Date.UTC(2026, 0, 1);
const TOLERANCE = 5 * 60_000;

/** Text (or bytes) as a stream of `size`-byte chunks. */
async function* chunked(input: string | Uint8Array, size = 1 << 16): AsyncGenerator<Uint8Array> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function importText(input: string | Uint8Array, opts: Partial<ParseStreamOptions> = {}, size?: number): Promise<ImportItem[]> {
  return all(parseStream(chunked(input, size), { source: 'import:test', now_ms: NOW, future_tolerance_ms: TOLERANCE, ...opts }));
}

async function importError(input: string | Uint8Array, opts: Partial<ParseStreamOptions> = {}): Promise<TelemetryImportError> {
  try {
    await importText(input, opts);
  } catch (e) {
    if (e instanceof TelemetryImportError) return e;
    throw e;
  }
  throw new Error('expected the import to fail');
}

const rejections = (items: ImportItem[]) => items.flatMap((i) => (i.ok ? [] : [{ line: i.line, reason: i.reason }]));
const accepted = (items: ImportItem[]) => items.flatMap((i) => (i.ok ? [{ line: i.line, call: i.call }] : []));

const native = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ timestamp: '2025-06-01T12:00:00Z', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 200, ...over });

describe('readLines', () => {
  it('numbers LF and CRLF lines, keeps blank ones and a last line without newline, at any chunking', async () => {
    const text = 'a,b\r\nçé€😀\n\nlast';
    for (const size of [1, 2, 3, 5, 64]) {
      expect(await all(readLines(chunked(text, size)))).toEqual([
        { line: 1, text: 'a,b' },
        { line: 2, text: 'çé€😀' },
        { line: 3, text: '' },
        { line: 4, text: 'last' },
      ]);
    }
  });

  it('reports an over-long line as that line’s error without buffering it, and goes on', async () => {
    const text = `ok\n${'x'.repeat(100)}\nnext\n`;
    expect(await all(readLines(chunked(text, 7), 50))).toEqual([
      { line: 1, text: 'ok' },
      { line: 2, error: 'line is longer than 50 bytes' },
      { line: 3, text: 'next' },
    ]);
  });

  it('reads a ReadableStream as well as an async iterable', async () => {
    expect(await all(readLines(new Blob(['x\ny']).stream()))).toEqual([
      { line: 1, text: 'x' },
      { line: 2, text: 'y' },
    ]);
  });
});

describe('csvRows', () => {
  const rows = (text: string, size = 3) => all(csvRows(readLines(chunked(text, size))));

  it('parses quotes, doubled quotes, embedded commas and line breaks; rows keep their first line', async () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",\n"multi\nline\r\ncell",2,3\nplain,"",z\n';
    expect(await rows(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', ''] },
      { line: 3, fields: ['multi\nline\ncell', '2', '3'] },
      { line: 6, fields: ['plain', '', 'z'] },
    ]);
  });

  it('reports a quoted field left open at the end of the input', async () => {
    expect(await rows('a,b\n1,"open\n2,3')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, error: 'quoted field is not closed before the end of the input' },
    ]);
  });
});

describe('jsonValues', () => {
  it('splits a JSON array into its elements across chunk boundaries, brackets in strings included', async () => {
    const text = '[\n {"a": "]},[\\"x"},\n {"b": [1, {"c": 2}]},\n 3, "s"\n]\n';
    for (const size of [1, 4, 1000]) {
      expect(await all(jsonValues(chunked(text, size), 1000))).toEqual([
        { line: 2, text: '{"a": "]},[\\"x"}' },
        { line: 3, text: '{"b": [1, {"c": 2}]}' },
        { line: 4, text: '3' },
        { line: 4, text: '"s"' },
      ]);
    }
  });

  it('splits consecutive pretty-printed documents, and reports values too long or left open', async () => {
    expect(await all(jsonValues(chunked('{\n "a": 1\n}\n{\n "b": 2\n}\n', 2), 1000))).toEqual([
      { line: 1, text: '{\n "a": 1\n}' },
      { line: 4, text: '{\n "b": 2\n}' },
    ]);
    expect(await all(jsonValues(chunked(`[{"a": "${'x'.repeat(50)}"}, {"b": 1}]`, 8), 20))).toEqual([
      { line: 1, error: 'JSON value is longer than 20 characters' },
      { line: 1, text: '{"b": 1}' },
    ]);
    expect(await all(jsonValues(chunked('[{"a": 1}, {"b":'), 100))).toEqual([
      { line: 1, text: '{"a": 1}' },
      { line: 1, error: 'JSON value is not closed before the end of the input' },
    ]);
  });
});

describe('hash', () => {
  it('is FNV-1a 64 over UTF-8, and canonical JSON ignores key order', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } })).toBe(canonicalJson({ a: { d: [1, { e: 2, f: 1 }] }, b: 1 }));
  });
});

describe('parseStream streams', () => {
  it('yields the first record after reading only the first chunks of a large input', async () => {
    const block = new TextEncoder().encode(`${Array.from({ length: 100 }, () => native()).join('\n')}\n`);
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 1000; i++) {
        pulled += 1;
        yield block;
      }
    }
    const it = parseStream(source(), { source: 't', now_ms: NOW, future_tolerance_ms: 0 })[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ ok: true, line: 1 });
    expect(pulled).toBeLessThan(10);
    await it.return(undefined);
  });
});

describe('bad records are rejected one by one, with line and reason; good ones are kept', () => {
  it('NDJSON: malformed JSON, wrong types, negative tokens, future dates, unknown fields', async () => {
    const text = [
      native(),
      '{"timestamp": "2025-06-01T12:00:00Z", "model": "gpt-4o-mini", "input_tokens": 10', // cut short
      native({ input_tokens: 'many' }),
      native({ output_tokens: -5 }),
      native({ timestamp: new Date(NOW + TOLERANCE + 60_000).toISOString() }),
      native({ timestamp: new Date(NOW + TOLERANCE - 60_000).toISOString() }), // within the clock-skew tolerance
      native({ colour: 'blue' }),
      native({ timestamp: 'yesterday' }),
      native({ cached_input_tokens: 5000 }),
      '',
      native({ input_tokens: 7 }),
    ].join('\n');
    const items = await importText(text);
    expect(accepted(items).map((a) => a.line)).toEqual([1, 6, 11]);
    const bad = rejections(items);
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4, 5, 7, 8, 9]);
    expect(bad[0]?.reason).toMatch(/^invalid JSON/);
    expect(bad[1]?.reason).toMatch(/^input_tokens: .*expected number, received string/);
    expect(bad[2]?.reason).toMatch(/^output_tokens: Too small/);
    expect(bad[3]?.reason).toMatch(/^timestamp 2026-01-01T00:06:00.000Z is more than 300s in the future/);
    expect(bad[4]?.reason).toBe('Unrecognized key: "colour"');
    expect(bad[5]?.reason).toMatch(/^timestamp: timestamp is not ISO 8601/);
    expect(bad[6]?.reason).toBe('cached_input_tokens: cached_input_tokens cannot exceed input_tokens');
  });

  it('CSV: a row with the wrong number of cells, a non-number, a negative, a bad date, an over-long line', async () => {
    const text = [
      'TIMESTAMP,ContextTokens,GeneratedTokens',
      '2023-11-16 18:17:03.9799600,4808,10',
      '2023-11-16 18:17:04.0319600,3180',
      '2023-11-16 18:17:04.0781490,lots,27',
      '2023-11-16 18:17:04.1206440,-7433,14',
      '16/11/2023 18:17,110,27',
      `2023-11-16 18:17:05.0000000,${'9'.repeat(1_100_000)},1`,
      '2023-11-16 18:17:06.0000000,100,2',
    ].join('\r\n');
    const items = await importText(text, { options: { model: 'gpt-4o-mini' } });
    expect(accepted(items).map((a) => a.line)).toEqual([2, 8]);
    expect(rejections(items)).toEqual([
      { line: 3, reason: 'row has 2 fields; the header has 3' },
      { line: 4, reason: 'input_tokens: Invalid input: expected number, received string' },
      { line: 5, reason: 'input_tokens: Too small: expected number to be >=0' },
      { line: 6, reason: 'TIMESTAMP: "16/11/2023 18:17" is not a date-time' },
      { line: 7, reason: 'line is longer than 1048576 bytes' },
    ]);
  });

  it('an OTLP span with a broken attribute is rejected on its own, located inside the document', async () => {
    const span = (id: string, tokens: string) => ({
      traceId: 'ab',
      spanId: id,
      startTimeUnixNano: '1740900000000000000',
      endTimeUnixNano: '1740900001000000000',
      attributes: [
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: tokens } },
      ],
    });
    const doc = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('01', '12'), span('02', 'x'), span('03', '40')] }] }] });
    const items = await importText(doc);
    expect(accepted(items).map((a) => a.call.span_id)).toEqual(['01', '03']);
    expect(rejections(items)).toEqual([
      { line: 1, reason: 'resourceSpans[0].scopeSpans[0].spans[1]: input_tokens: Invalid input: expected number, received string' },
    ]);
  });
});

describe('whole-input errors', () => {
  const azure = 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n';
  const mooncake = '{"timestamp": 0, "input_length": 40160, "output_length": 6, "hash_ids": [0, 1]}\n';

  it('a wrong explicit format is one clear error naming the fields expected and found', async () => {
    expect((await importError(azure, { format: 'mooncake', options: { model: 'm', start_time: 0 } })).message).toBe(
      "format 'mooncake' expects fields timestamp,input_length,output_length; line 1 has TIMESTAMP,ContextTokens,GeneratedTokens",
    );
    expect((await importError(mooncake, { format: 'azure_trace', options: { model: 'm' } })).message).toBe(
      "format 'azure_trace' expects fields TIMESTAMP,ContextTokens,GeneratedTokens; line 1 has timestamp,input_length,output_length,hash_ids",
    );
    // JSON formats: records that all miss the format's fields, up to the probe size, stop the import
    const e = await importError(mooncake.repeat(FORMAT_PROBE_RECORDS + 5), { format: 'native', options: { model: 'm' } });
    expect(e.code).toBe('invalid_format');
    expect(e.message).toBe("format 'native' expects fields timestamp,model,input_tokens; line 1 has timestamp,input_length,output_length,hash_ids");
  });

  it('structural failures before the first good record are only held back: released once a record fits', async () => {
    const text = [...Array<string>(FORMAT_PROBE_RECORDS - 1).fill('{"nope": 1}'), native(), native()].join('\n');
    const items = await importText(text, { format: 'native' });
    expect(rejections(items)).toHaveLength(FORMAT_PROBE_RECORDS - 1);
    expect(rejections(items)[0]).toEqual({ line: 1, reason: 'missing field(s) timestamp,model,input_tokens' });
    expect(accepted(items).map((a) => a.line)).toEqual([FORMAT_PROBE_RECORDS, FORMAT_PROBE_RECORDS + 1]);
  });

  it('an unknown format is named; an undetectable input lists what is supported', async () => {
    expect((await importError(azure, { format: 'splunk' as never })).message).toMatch(/^unknown format 'splunk'; supported formats: .*\bnative\b/);
    expect((await importError('when,what\n1,2\n')).message).toMatch(/^could not detect the format: line 1 has when,what; supported formats: /);
  });

  it('empty and blank inputs are refused; a header with no rows is simply no records', async () => {
    expect((await importError('')).code).toBe('empty_input');
    expect((await importError(' \r\n\n')).code).toBe('empty_input');
    expect(await importText('TIMESTAMP,ContextTokens,GeneratedTokens\n', { options: { model: 'gpt-4o-mini' } })).toEqual([]);
  });

  it('binary garbage and undeclared gzip are refused up front, for any format', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256);
    expect((await importError(garbage)).message).toBe('input is binary, not CSV or JSON text');
    expect((await importError(garbage, { format: 'native' })).code).toBe('not_text');
    const gz = new Uint8Array(await new Response(new Blob([azure]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    expect((await importError(gz)).message).toMatch(/gzip-compressed/);
  });

  it('maybeGunzip decodes a gzip body, passes plain bodies through and refuses other encodings', async () => {
    const gz = new Blob([azure]).stream().pipeThrough(new CompressionStream('gzip'));
    const items = await all(parseStream(maybeGunzip(gz, 'gzip'), { source: 't', now_ms: NOW, future_tolerance_ms: 0, options: { model: 'gpt-4o-mini' } }));
    expect(accepted(items)).toHaveLength(1);
    const plain = new Blob([azure]).stream();
    expect(maybeGunzip(plain, null)).toBe(plain);
    expect(() => maybeGunzip(plain, 'br')).toThrow(/Content-Encoding 'br' is not supported/);
    const broken = new Blob([new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7])]).stream();
    const e = await all(parseStream(maybeGunzip(broken, 'gzip'), { source: 't', now_ms: NOW, future_tolerance_ms: 0 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TelemetryImportError);
    expect((e as TelemetryImportError).code).toBe('unreadable_input');
  });

  it('formats that need options say which', async () => {
    expect((await importError(azure)).message).toBe("format 'azure_trace' needs the model option: its records name no model");
    expect((await importError(mooncake, { options: { model: 'm' } })).message).toMatch(/needs the start_time option/);
    expect((await importError(mooncake, { options: { model: 'm', start_time: 'soon' } })).code).toBe('invalid_options');
  });

  it('more than maxRecords records: the first maxRecords are yielded, then a record_limit error', async () => {
    const seen: ImportItem[] = [];
    const run = async () => {
      for await (const item of parseStream(chunked(Array.from({ length: 10 }, () => native()).join('\n')), {
        source: 't', now_ms: NOW, future_tolerance_ms: 0, maxRecords: 4,
      })) seen.push(item);
    };
    await expect(run()).rejects.toMatchObject({ code: 'record_limit' });
    expect(seen).toHaveLength(4);
  });
});

describe('detectFormat', () => {
  it('names the format from the first bytes', async () => {
    expect(await detectFormat('TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n')).toEqual({ format: 'azure_trace', layout: 'csv' });
    expect(await detectFormat('Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n')).toEqual({ format: 'burstgpt', layout: 'csv' });
    expect(await detectFormat('{"timestamp": 0, "input_length": 1, "output_length": 2, "hash_ids": []}\n')).toEqual({ format: 'mooncake', layout: 'ndjson' });
    expect(await detectFormat(`[${native()}]`)).toEqual({ format: 'native', layout: 'json_array' });
    expect(await detectFormat('{\n "resourceSpans": []\n}\n')).toEqual({ format: 'otlp', layout: 'json_document' });
    expect(await detectFormat('{\n "object": "page", "data": [')).toMatchObject({ format: null, reason: 'no complete record in the first bytes' });
    expect(await detectFormat('')).toEqual({ format: null, reason: 'input is empty' });
  });
});

describe('request ids', () => {
  it('a retried identical record gets the same id; any change gives another; key order does not matter', () => {
    const ctx = { source: 'api', now_ms: NOW, future_tolerance_ms: 0 };
    const a = normalizeCall(JSON.parse(native({ user: 'u1', metadata: { b: 1, a: 2 } })), ctx);
    const b = normalizeCall({ metadata: { a: 2, b: 1 }, user: 'u1', input_tokens: 1000, output_tokens: 200, model: 'gpt-4o-mini', timestamp: Date.parse('2025-06-01T12:00:00Z') }, { ...ctx, source: 'import:imp_2' });
    const c = normalizeCall(JSON.parse(native({ user: 'u2', metadata: { b: 1, a: 2 } })), ctx);
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.call.request_id).toBe(b.call.request_id);
    expect(c.call.request_id).not.toBe(a.call.request_id);
  });

  it('re-importing the same trace file yields the same ids', async () => {
    const text = 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n5,ChatGPT,10,2,12,API log\n5,ChatGPT,10,2,12,API log\n';
    const opts = { options: { start_time: 0 } };
    const first = accepted(await importText(text, { ...opts, source: 'import:imp_1' })).map((a) => a.call.request_id);
    const again = accepted(await importText(text, { ...opts, source: 'import:imp_2' })).map((a) => a.call.request_id);
    expect(first).toEqual(again);
    expect(new Set(first).size).toBe(2); // equal rows are still two calls
  });
});

describe('parseBatch (REST ingest)', () => {
  const opts = { source: 'api', now_ms: NOW, future_tolerance_ms: TOLERANCE };

  it('JSON array: valid records kept, invalid ones rejected by index; a retried batch gets the same ids', () => {
    const body = `[${native()}, ${native({ input_tokens: -1 })}, ${native({ request_id: 'req_1' })}, ${native()}]`;
    const first = parseBatch(body, opts);
    expect(first.accepted).toHaveLength(3);
    expect(first.rejected).toEqual([{ index: 1, reason: 'input_tokens: Too small: expected number to be >=0' }]);
    // two identical id-less records in one batch are two calls, with distinct but stable ids
    const ids = first.accepted.map((c) => c.request_id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toBe('req_1');
    expect(parseBatch(body, opts).accepted.map((c) => c.request_id)).toEqual(ids);
    expect(parseBatch(JSON.parse(body) as unknown, opts).accepted.map((c) => c.request_id)).toEqual(ids);
  });

  it('NDJSON: rejections carry index and line; one object is a batch of one', () => {
    const body = `${native()}\n\n{oops\n${native({ model: '' })}\n`;
    const r = parseBatch(body, opts);
    expect(r.accepted).toHaveLength(1);
    expect(r.rejected).toEqual([
      { index: 1, line: 3, reason: 'invalid JSON' },
      { index: 2, line: 4, reason: 'model: Too small: expected string to have >=1 characters' },
    ]);
    expect(parseBatch(JSON.parse(native()) as unknown, opts).accepted).toHaveLength(1);
  });

  it('refuses an empty body, a broken JSON array, or more than maxRecords', () => {
    expect(() => parseBatch('  ', opts)).toThrow(TelemetryImportError);
    expect(() => parseBatch('[{"a": 1},', opts)).toThrow(/body is not valid JSON/);
    expect(() => parseBatch(`[${native()}, ${native()}]`, { ...opts, maxRecords: 1 })).toThrow(/at most 1/);
    expect(() => parseBatch(42, opts)).toThrow(/JSON array, a JSON object or NDJSON/);
  });
});

describe('normalizeCall', () => {
  const ctx = { source: 'api', now_ms: NOW, future_tolerance_ms: 0 };

  it('infers the provider and prices from the catalog when the source gave no cost', () => {
    const r = normalizeCall({ timestamp: 1, model: 'claude-3-5-sonnet-20241022', input_tokens: 1_000_000, output_tokens: 0 }, ctx);
    expect(r).toMatchObject({ ok: true, call: { provider: 'anthropic', cost_nanousd: 3_000_000_000, cost_from_source: false, attempt: 1, status: 'ok' } });
  });

  it('keeps the source’s cost and spelling of the provider; unknown models have no cost', () => {
    const given = normalizeCall({ timestamp: 1, model: 'gpt-4o', provider: 'azure', input_tokens: 10, cost_usd: 0.25, attempt: 2 }, ctx);
    expect(given).toMatchObject({ ok: true, call: { provider: 'openai', cost_nanousd: 250_000_000, cost_from_source: true, attempt: 2, metadata: { source_provider: 'azure' } } });
    const unknown = normalizeCall({ timestamp: 1, model: 'in-house-7b', input_tokens: 10 }, ctx);
    expect(unknown).toMatchObject({ ok: true, call: { provider: 'unknown', cost_nanousd: null, cost_from_source: false } });
  });

  it('fills model and provider from defaults only where the record has none', () => {
    const r = normalizeCall({ timestamp: 1, input_tokens: 10 }, { ...ctx, defaults: { model: 'gpt-4o-mini', provider: 'openai' } });
    expect(r).toMatchObject({ ok: true, call: { model: 'gpt-4o-mini', provider: 'openai' } });
    expect(normalizeCall('text', ctx)).toEqual({ ok: false, reason: 'record is not a JSON object' });
  });
});

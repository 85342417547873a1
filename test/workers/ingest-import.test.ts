/// <reference types="vite/client" />
// POST /api/ingest/import: every format through the API — the two real traces of ../shared/data and the
// parsers' realistic fixtures — with totals checked against a direct reading of each file done here;
// multipart and raw bodies, gzip, progress, idempotency, bad input, and tenancy of import ids.
import { beforeAll, describe, expect, it } from 'vitest';
import azureCsv from '../../../shared/data/azure_llm_inference_2023_code.csv?raw';
import mooncakeJsonl from '../../../shared/data/mooncake_synthetic_trace.jsonl?raw';
import burstgptCsv from '../fixtures/telemetry/burstgpt_sample.csv?raw';
import heliconeCsv from '../fixtures/telemetry/helicone_export.csv?raw';
import heliconeJsonl from '../fixtures/telemetry/helicone_requests.jsonl?raw';
import litellmCsv from '../fixtures/telemetry/litellm_spend_logs.csv?raw';
import litellmJson from '../fixtures/telemetry/litellm_spend_logs.json?raw';
import litellmFull from '../fixtures/telemetry/litellm_spend_logs_full.json?raw';
import heliconeFull from '../fixtures/telemetry/helicone_requests_full.jsonl?raw';
import nativeNdjson from '../fixtures/telemetry/native_calls.ndjson?raw';
import openaiCsv from '../fixtures/telemetry/openai_usage_completions.csv?raw';
import openaiJson from '../fixtures/telemetry/openai_usage_completions.json?raw';
import otlpJson from '../fixtures/telemetry/otlp_genai_traces.json?raw';
import { costNano, findModel } from '../../engine/catalog';
import { api } from './helpers';
import { clickhouse, createKey, drain, expectError, getJson, gzip } from './ingest-support';
import { bearer, describeTenancy, signUp, type Tenant } from './tenancy';

interface ImportJson {
  id: string;
  status: 'running' | 'completed' | 'failed';
  format: string | null;
  source: string;
  filename: string | null;
  accepted: number;
  rejected: number;
  duplicates: number;
  totals: { input_tokens: number; output_tokens: number; cost_usd: number };
  errors: Array<{ line: number; reason: string }>;
  failure: string | null;
  started_at: string;
  completed_at: string | null;
}

interface Summary {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** RFC 4180 CSV (quoted cells may hold commas, quotes and newlines) → header + rows of cells: the test's own reader. */
function readCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const [header, ...data] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const sum = (values: unknown[]) => values.reduce<number>((n, v) => n + Number(v ?? 0), 0);
/** Source costs in USD → integer nano-USD, summed exactly (each value rounded once, as stored). */
const nanoSum = (usd: unknown[]) => usd.reduce<number>((n, v) => n + Math.round(Number(v ?? 0) * 1e9), 0);

function importFile(auth: string, body: BodyInit, query = '', headers: Record<string, string> = {}): Promise<Response> {
  return api(`/api/ingest/import${query}`, { method: 'POST', headers: { ...bearer(auth), ...headers }, body });
}

async function completed(res: Response): Promise<ImportJson> {
  const body = (await res.json()) as ImportJson;
  expect(res.status, JSON.stringify(body).slice(0, 2000)).toBe(202);
  expect(body.status).toBe('completed');
  expect(res.headers.get('location')).toBe(`/api/ingest/imports/${body.id}`);
  return body;
}

async function summaryOf(t: Tenant, source: string): Promise<Summary> {
  return getJson<Summary>(`/api/analytics/summary?source=${encodeURIComponent(source)}`, t.headers);
}

describe('POST /api/ingest/import', () => {
  let t: Tenant;
  let key: string;
  beforeAll(async () => {
    t = await signUp();
    key = await createKey(t, ['ingest', 'read']);
  });

  it('imports the real Azure LLM inference trace (CSV) with the model option: totals equal the file, priced from the catalog', async () => {
    const rows = readCsv(azureCsv);
    const model = findModel('gpt-4o-mini', 'openai')!;
    const expected = {
      calls: rows.length,
      input_tokens: sum(rows.map((r) => r.ContextTokens)),
      output_tokens: sum(rows.map((r) => r.GeneratedTokens)),
      cost_nano: rows.reduce((n, r) => n + costNano(model, { input_tokens: Number(r.ContextTokens), output_tokens: Number(r.GeneratedTokens) }), 0),
    };
    expect(expected.calls).toBe(8_819);

    const imp = await completed(await importFile(key, azureCsv, '?model=gpt-4o-mini&provider=openai&filename=azure_code.csv', { 'content-type': 'text/csv' }));
    expect(imp).toMatchObject({ format: 'azure_trace', source: `import:${imp.id}`, filename: 'azure_code.csv', accepted: expected.calls, rejected: 0, errors: [] });
    expect(imp.totals).toMatchObject({ input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
    expect(imp.totals.cost_usd).toBeCloseTo(expected.cost_nano / 1e9, 9);

    await drain(t.org_id);
    const s = await summaryOf(t, imp.source);
    expect(s).toMatchObject({ calls: expected.calls, input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
    expect(s.cost_usd).toBeCloseTo(expected.cost_nano / 1e9, 9);
    const [first] = await clickhouse<{ t: string }>('SELECT toString(min(timestamp)) AS t FROM llm_calls FINAL WHERE org_id = {org:String} AND source = {src:String}', { org: t.org_id, src: imp.source });
    expect(first!.t).toBe(rows[0]!.TIMESTAMP!.slice(0, 23));
  });

  it('imports the real Mooncake trace (JSONL) as multipart form data, with model and start_time; prefix hashes kept', async () => {
    const lines = jsonLines(mooncakeJsonl) as Array<{ timestamp: number; input_length: number; output_length: number; hash_ids: number[] }>;
    const model = findModel('claude-haiku-4-5', 'anthropic')!;
    const expected = {
      calls: lines.length,
      input_tokens: sum(lines.map((l) => l.input_length)),
      output_tokens: sum(lines.map((l) => l.output_length)),
      cost_nano: lines.reduce((n, l) => n + costNano(model, { input_tokens: l.input_length, output_tokens: l.output_length }), 0),
      hashes: sum(lines.map((l) => l.hash_ids.length)),
      last_ms: Date.parse('2026-11-01T00:00:00Z') + Math.max(...lines.map((l) => l.timestamp)),
    };
    expect(expected.calls).toBe(3_993);

    const form = new FormData();
    form.append('model', 'claude-haiku-4-5');
    form.append('file', new Blob([mooncakeJsonl], { type: 'application/jsonl' }), 'mooncake.jsonl');
    const imp = await completed(await importFile(key, form, '?provider=anthropic&start_time=2026-11-01T00:00:00Z'));
    expect(imp).toMatchObject({ format: 'mooncake', filename: 'mooncake.jsonl', accepted: expected.calls, rejected: 0 });
    expect(imp.totals).toMatchObject({ input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
    expect(imp.totals.cost_usd).toBeCloseTo(expected.cost_nano / 1e9, 9);

    await drain(t.org_id);
    const s = await summaryOf(t, imp.source);
    expect(s).toMatchObject({ calls: expected.calls, input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
    expect(s.cost_usd).toBeCloseTo(expected.cost_nano / 1e9, 9);
    const [row] = await clickhouse<{ hashes: number; last_ms: number; models: string[] }>(
      'SELECT sum(length(prefix_hashes)) AS hashes, toUnixTimestamp64Milli(max(timestamp)) AS last_ms, groupUniqArray(model) AS models FROM llm_calls FINAL WHERE org_id = {org:String} AND source = {src:String}',
      { org: t.org_id, src: imp.source },
    );
    expect(Number(row!.hashes)).toBe(expected.hashes);
    expect(Number(row!.last_ms)).toBe(expected.last_ms);
    expect(row!.models).toEqual(['claude-haiku-4-5']);
  });

  // Each fixture: how to count its calls, output tokens and source-given cost from the file itself.
  const fixtures: Array<{ name: string; file: string; format: string; query?: string; calls: number; output_tokens: number; cost_nano?: number }> = [];
  {
    const native = jsonLines(nativeNdjson);
    fixtures.push({ name: 'native NDJSON', file: nativeNdjson, format: 'native', calls: native.length, output_tokens: sum(native.map((r) => r.output_tokens)) });
    const usage = (JSON.parse(openaiJson) as { data: Array<{ results: Array<{ num_model_requests: number; output_tokens: number }> }> }).data.flatMap((b) => b.results).filter((r) => r.num_model_requests > 0);
    fixtures.push({ name: 'OpenAI usage API page (JSON)', file: openaiJson, format: 'openai_usage', calls: usage.length, output_tokens: sum(usage.map((r) => r.output_tokens)) });
    const usageCsv = readCsv(openaiCsv).filter((r) => Number(r.num_model_requests) > 0);
    fixtures.push({ name: 'OpenAI usage export (CSV)', file: openaiCsv, format: 'openai_usage', calls: usageCsv.length, output_tokens: sum(usageCsv.map((r) => r.output_tokens)) });
    const lite = readCsv(litellmCsv);
    fixtures.push({ name: 'LiteLLM spend logs (CSV)', file: litellmCsv, format: 'litellm', calls: lite.length, output_tokens: sum(lite.map((r) => r.completion_tokens)), cost_nano: nanoSum(lite.map((r) => r.spend)) });
    const liteJ = JSON.parse(litellmJson) as Array<Record<string, unknown>>;
    fixtures.push({ name: 'LiteLLM spend logs (JSON)', file: litellmJson, format: 'litellm', calls: liteJ.length, output_tokens: sum(liteJ.map((r) => r.completion_tokens)), cost_nano: nanoSum(liteJ.map((r) => r.spend)) });
    const heli = readCsv(heliconeCsv);
    // Rows without a cost are priced from the catalog.
    const heliCost = heli.reduce((n, r) => n + (r.cost !== '' ? nanoSum([r.cost]) : costNano(findModel(r.model!)!, { input_tokens: Number(r.prompt_tokens), output_tokens: Number(r.completion_tokens) })), 0);
    fixtures.push({ name: 'Helicone export (CSV)', file: heliconeCsv, format: 'helicone', calls: heli.length, output_tokens: sum(heli.map((r) => r.completion_tokens)), cost_nano: heliCost });
    const heliJ = jsonLines(heliconeJsonl);
    fixtures.push({ name: 'Helicone requests (JSONL)', file: heliconeJsonl, format: 'helicone', calls: heliJ.length, output_tokens: sum(heliJ.map((r) => r.completion_tokens)), cost_nano: nanoSum(heliJ.map((r) => r.costUSD)) });
    const burst = readCsv(burstgptCsv);
    fixtures.push({ name: 'BurstGPT trace (CSV)', file: burstgptCsv, format: 'burstgpt', query: '?start_time=2026-10-01T00:00:00Z', calls: burst.length, output_tokens: sum(burst.map((r) => r['Response tokens'])) });
    const spans = (JSON.parse(otlpJson) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string } }> }> }> }> }).resourceSpans
      .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
      .map((s) => Object.fromEntries(s.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue])))
      .filter((a) => Object.keys(a).some((k) => k.startsWith('gen_ai.')) && !['invoke_agent', 'create_agent', 'execute_tool'].includes(String(a['gen_ai.operation.name'])));
    fixtures.push({ name: 'OTLP GenAI traces (JSON)', file: otlpJson, format: 'otlp', calls: spans.length, output_tokens: sum(spans.map((a) => a['gen_ai.usage.output_tokens'])) });
  }

  for (const f of fixtures) {
    it(`imports ${f.name}: format detected as ${f.format}, calls and tokens${f.cost_nano === undefined ? '' : ' and source costs'} equal the file`, async () => {
      const org = await signUp();
      const k = await createKey(org, ['ingest']);
      const imp = await completed(await importFile(k, f.file, f.query ?? ''));
      expect(imp).toMatchObject({ format: f.format, accepted: f.calls, rejected: 0 });
      expect(imp.totals.output_tokens).toBe(f.output_tokens);
      if (f.cost_nano !== undefined) expect(Math.round(imp.totals.cost_usd * 1e9)).toBe(f.cost_nano);
      await drain(org.org_id);
      const s = await summaryOf(org, imp.source);
      expect(s).toMatchObject({ calls: f.calls, output_tokens: f.output_tokens });
      // Forced format = the detected one: same outcome.
      const again = await completed(await importFile(k, f.file, `${f.query ? `${f.query}&` : '?'}format=${f.format}`));
      expect(again).toMatchObject({ accepted: f.calls, duplicates: f.calls });
    });
  }

  it('reports progress and the outcome at GET /api/ingest/imports/{id} and lists them; another org\'s key gets 404', async () => {
    const imp = await completed(await importFile(key, nativeNdjson, '?filename=calls.ndjson'));
    const got = await getJson<ImportJson>(`/api/ingest/imports/${imp.id}`, bearer(key));
    expect(got).toMatchObject({ id: imp.id, status: 'completed', format: 'native', accepted: imp.accepted, rejected: 0, errors: [] });
    expect(Date.parse(got.completed_at!)).toBeGreaterThanOrEqual(Date.parse(got.started_at));
    const list = await getJson<{ items: ImportJson[] }>('/api/ingest/imports?limit=100', bearer(key));
    expect(list.items.map((i) => i.id)).toContain(imp.id);
    await expectError(await api('/api/ingest/imports/imp_nonsense', { headers: bearer(key) }), 404, 'not_found');
    const other = await signUp();
    await expectError(await api(`/api/ingest/imports/${imp.id}`, { headers: bearer(await createKey(other, ['ingest'])) }), 404, 'not_found');
  });

  it('Idempotency-Key: a retried upload returns the first import and imports nothing again', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const first = await completed(await importFile(k, nativeNdjson, '', { 'idempotency-key': 'upload-42' }));
    const retry = await importFile(k, nativeNdjson, '', { 'idempotency-key': 'upload-42' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as ImportJson).id).toBe(first.id);
    const list = await getJson<{ items: ImportJson[] }>('/api/ingest/imports', org.headers);
    expect(list.items).toHaveLength(1);
  });

  it('takes gzip bodies and writes an import_completed usage event', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const imp = await completed(await importFile(k, await gzip(burstgptCsv), '?start_time=1700000000000', { 'content-encoding': 'gzip' }));
    expect(imp.accepted).toBe(readCsv(burstgptCsv).length);
    await drain(org.org_id);
    const [event] = await clickhouse<{ event_type: string; event_data: string }>(
      'SELECT event_type, event_data FROM workload_events FINAL WHERE org_id = {org:String} AND event_id = {id:String}',
      { org: org.org_id, id: imp.id },
    );
    expect(event!.event_type).toBe('import_completed');
    expect(JSON.parse(event!.event_data)).toMatchObject({ import_id: imp.id, format: 'burstgpt', accepted: imp.accepted, rejected: 0 });
  });

  it('keeps the valid records of a file with bad lines and lists the first rejections with their line numbers', async () => {
    const good = mooncakeJsonl.split('\n').filter(Boolean).slice(0, 50);
    const lines = [...good.slice(0, 10), '{"timestamp": 5, "input_length": "lots", "output_length": 3}', 'not json at all', ...good.slice(10, 20), '{"timestamp": 9, "input_length": -4, "output_length": 3}', ...good.slice(20)];
    const imp = await completed(await importFile(key, lines.join('\n'), '?model=gpt-4o&start_time=2026-09-01T00:00:00Z'));
    expect(imp).toMatchObject({ accepted: 50, rejected: 3 });
    expect(imp.errors.map((e) => e.line)).toEqual([11, 12, 23]);
    expect(imp.errors[0]!.reason).toMatch(/input_tokens/);
    expect(imp.errors[1]!.reason).toMatch(/JSON/);
  });

  it('answers 4xx for files it cannot import, before any import exists', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const bad = (body: BodyInit, query = '') => importFile(k, body, query);
    const cases: Array<[Promise<Response>, number, string, RegExp]> = [
      [bad(''), 400, 'invalid_request', /empty/],
      [bad('\n\n  \n'), 400, 'invalid_request', /empty/],
      [bad(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0xfe, 0, 1])), 400, 'invalid_request', /binary/],
      [bad(await gzip(azureCsv)), 400, 'invalid_request', /gzip/],
      [bad(azureCsv), 400, 'invalid_request', /model/],
      [bad(azureCsv, '?format=mooncake&model=x&start_time=0'), 400, 'invalid_request', /mooncake/],
      [bad(nativeNdjson, '?format=litellm'), 400, 'invalid_request', /litellm/],
      [bad(nativeNdjson, '?format=parquet'), 400, 'invalid_request', /invalid/],
      [bad(nativeNdjson, '?colour=blue'), 400, 'invalid_request', /invalid/],
      [bad('a;b;c\n1;2;3\n'), 400, 'invalid_request', /detect/],
      [bad(mooncakeJsonl, '?model=gpt-4o'), 400, 'invalid_request', /start_time/],
      [importFile(k, 'x', '', { 'content-type': 'multipart/form-data; boundary=zzz' }), 400, 'invalid_request', /multipart/],
    ];
    for (const [res, status, code, message] of cases) {
      const body = await expectError(await res, status, code);
      expect(body.error.message).toMatch(message);
    }
    const list = await getJson<{ items: ImportJson[] }>('/api/ingest/imports', org.headers);
    expect(list.items).toEqual([]);
  });

  it('stops at 100 MB decoded with 413 and the limit', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1 << 20));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('timestamp,model,input_tokens\n'));
        if (sent++ > 101) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await api('/api/ingest/import', { method: 'POST', headers: { ...bearer(key), 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
    const err = await expectError(res, 413, 'payload_too_large');
    expect(err.error.details).toMatchObject({ limit_bytes: 100 * 1024 * 1024 });
  });
});

describeTenancy([
  {
    name: 'imports',
    create: async (owner) => (await completed(await importFile(owner.access_token, nativeNdjson))).id,
    probes: (id) => [{ method: 'GET', path: `/api/ingest/imports/${id}` }],
    lists: ['/api/ingest/imports'],
  },
]);

// Tags, users, keys and prompt hashes of real exports reach the analytics breakdowns (README "Import formats").
describe('imported dimensions are visible in the analytics breakdowns', () => {
  type Item = { name: string; calls: number };
  const names = async (t: Tenant, source: string, by: string) =>
    Object.fromEntries(
      (await getJson<{ items: Item[] }>(`/api/analytics/breakdown?by=${by}&source=${encodeURIComponent(source)}`, t.headers)).items.map((i) => [i.name, i.calls]),
    );
  const count = (values: Array<string | null | undefined>) => {
    const out: Record<string, number> = {};
    for (const v of values) out[v ?? ''] = (out[v ?? ''] ?? 0) + 1;
    return out;
  };

  it('LiteLLM: features from request_tags / metadata.tags, end users, key hashes, cache keys as prompt hashes', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const rows = JSON.parse(litellmFull) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const imp = await completed(await importFile(k, litellmFull));
    expect(imp).toMatchObject({ format: 'litellm', accepted: rows.length, rejected: 0 });
    await drain(org.org_id);
    // the features, read from each row's tags here: "feature:x" / "route=x" / "taskName:x", else the first plain tag
    const featureOf = (r: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const tags: string[] = r.request_tags.length > 0 ? r.request_tags : (r.metadata.tags ?? []);
      const named = tags.find((t) => /^(feature|route|taskName)[:=]/.test(t));
      return named ? named.split(/[:=]/).slice(1).join(':') : tags.find((t) => !/[:=]/.test(t));
    };
    expect(await names(org, imp.source, 'feature')).toEqual(count(rows.map(featureOf)));
    expect(await names(org, imp.source, 'user')).toEqual(count(rows.map((r) => r.end_user || undefined)));
    expect(await names(org, imp.source, 'key')).toEqual(count(rows.map((r) => r.api_key)));
    const [h] = await clickhouse<{ with_hash: string; hashes: string }>(
      "SELECT countIf(prompt_hash != '') AS with_hash, uniqExactIf(prompt_hash, prompt_hash != '') AS hashes FROM llm_calls FINAL WHERE org_id = {org:String} AND source = {src:String}",
      { org: org.org_id, src: imp.source },
    );
    const hashed = rows.filter((r) => (r.cache_key !== '' && r.cache_key !== 'Cache OFF') || Array.isArray(r.messages));
    expect(Number(h!.with_hash)).toBe(hashed.length);
    // two rows share one cache key (in different case); the two stored-message rows differ
    expect(Number(h!.hashes)).toBe(hashed.length - 1);
  });

  it('Helicone: Helicone-Property-Feature, user ids, body hashes', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const rows = jsonLines(heliconeFull) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const imp = await completed(await importFile(k, heliconeFull));
    expect(imp).toMatchObject({ format: 'helicone', accepted: rows.length, rejected: 0 });
    await drain(org.org_id);
    const props = (r: Record<string, any>) => r.request_properties as Record<string, string>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const feature = (r: Record<string, any>) => props(r)['Helicone-Property-Feature'] ?? props(r).Feature ?? props(r)['Helicone-Property-App']; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await names(org, imp.source, 'feature')).toEqual(count(rows.map(feature)));
    expect(await names(org, imp.source, 'user')).toEqual(count(rows.map((r) => r.request_user_id ?? r.helicone_user)));
    const [h] = await clickhouse<{ hashes: string }>(
      "SELECT uniqExactIf(prompt_hash, prompt_hash != '') AS hashes FROM llm_calls FINAL WHERE org_id = {org:String} AND source = {src:String}",
      { org: org.org_id, src: imp.source },
    );
    expect(Number(h!.hashes)).toBe(new Set(rows.map((r) => r.request_body)).size);
  });

  it('OTLP: app.feature / workflow / tags as features, user ids from every convention', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const imp = await completed(await importFile(k, otlpJson));
    await drain(org.org_id);
    const features = await names(org, imp.source, 'feature');
    expect(features).toMatchObject({ 'order-status': 1, 'order-followup': 1, summarize: 1 });
    const users = await names(org, imp.source, 'user');
    expect(users).toMatchObject({ 'u-17': 1, 'u-18': 1, 'u-3': 1 });
  });

  it('a LiteLLM file with bad tags, a non-hash cache key and an object user: those rows are rejected by name, the rest import', async () => {
    const org = await signUp();
    const k = await createKey(org, ['ingest']);
    const rows = JSON.parse(litellmFull) as Array<Record<string, unknown>>;
    const bad = [
      { ...rows[1], request_id: 'bad-tags', request_tags: { feature: 'faq' } },
      { ...rows[1], request_id: 'bad-key', cache_key: 'not a hash at all' },
      { ...rows[1], request_id: 'bad-user', end_user: { id: 'cust_7' } },
      ...rows,
    ];
    const imp = await completed(await importFile(k, JSON.stringify(bad), '?format=litellm'));
    expect(imp).toMatchObject({ accepted: rows.length, rejected: 3 });
    expect(imp.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/request_tags/),
      expect.stringMatching(/cache_key/),
      expect.stringMatching(/end_user/),
    ]);
  });
});

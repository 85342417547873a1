// Every mapped field of every import format (README "Import formats" tables), read from real-shaped fixtures:
// each expected value is read here from the fixture's own JSON, never from the mapper. Bad values are
// per-record rejections that name the field.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStream } from '../../../engine/telemetry/import';
import type { LlmCall } from '../../../engine/telemetry/record';
import { buildProfile } from '../../../engine/profile/reference';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/telemetry');
const NOW = Date.UTC(2026, 0, 1);
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function parse(body: string, format: 'auto' | 'litellm' | 'helicone' | 'otlp' | 'openai_usage' = 'auto') {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(bytes), c.close()) });
  const calls: LlmCall[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for await (const item of parseStream(stream, { format, source: 'import:test', now_ms: NOW, future_tolerance_ms: 0 })) {
    if (item.ok) calls.push(item.call);
    else rejected.push({ line: item.line, reason: item.reason });
  }
  return { calls, rejected };
}

const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');
const byId = (calls: LlmCall[]) => new Map(calls.map((c) => [c.request_id, c]));

describe('litellm spend logs: every field', async () => {
  const rows = JSON.parse(fixture('litellm_spend_logs_full.json')) as Row[];
  const { calls, rejected } = await parse(fixture('litellm_spend_logs_full.json'));
  const call = byId(calls);
  const at = (i: number) => call.get(rows[i]!.request_id)!;

  it('imports every row', () => {
    expect(rejected).toEqual([]);
    expect(calls.length).toBe(rows.length);
  });

  it('request_tags → feature: a feature:/route= tag, else the first plain tag; all tags kept in metadata', () => {
    expect(at(1).feature).toBe('faq'); // ["feature:faq","env:prod"]
    expect(at(3).feature).toBe('summarize'); // ["summarize"]
    expect(at(5).feature).toBe('/plan'); // ["route=/plan","env:prod"]
    expect(at(1).metadata.tags).toEqual(rows[1]!.request_tags);
  });

  it('metadata.tags → feature when request_tags is empty', () => {
    expect(rows[0]!.request_tags).toEqual([]);
    expect(at(0).feature).toBe('nightly-digest'); // metadata.tags ["taskName:nightly-digest","env:prod"]
  });

  it('cache_key → prompt_hash (case folded), "Cache OFF" and "" → none', () => {
    expect(at(1).prompt_hash).toBe(rows[1]!.cache_key);
    expect(at(2).prompt_hash).toBe(rows[1]!.cache_key); // the same key in upper case: the same prompt
    expect(rows[0]!.cache_key).toBe('Cache OFF');
    expect(at(0).prompt_hash).toBeNull();
  });

  it('stored messages → prompt hash and one prefix hash per full 2,048-character block, shared by a shared prefix', () => {
    const rendering = (msgs: Row[]) => msgs.map((m) => JSON.stringify(Object.fromEntries(Object.entries(m).sort()))).join('\n');
    const [a, b] = [rendering(rows[3]!.messages), rendering(rows[4]!.messages)];
    expect(at(3).prefix_hashes.length).toBe(Math.floor(a.length / 2048));
    expect(at(4).prefix_hashes.length).toBe(Math.floor(b.length / 2048));
    let common = 0;
    while (common < a.length && a[common] === b[common]) common++;
    const sharedBlocks = Math.floor(common / 2048);
    expect(sharedBlocks).toBeGreaterThan(0);
    expect(at(4).prefix_hashes.slice(0, sharedBlocks)).toEqual(at(3).prefix_hashes.slice(0, sharedBlocks));
    expect(at(3).prompt_hash).not.toBeNull();
    expect(at(3).prompt_hash).not.toBe(at(4).prompt_hash);
    // "{}" (prompts not stored) yields nothing
    expect(at(0).prefix_hashes).toEqual([]);
  });

  it('end_user → user; user (the key owner) is never the end user', () => {
    expect(at(1).user).toBe('cust_7');
    expect(at(5).user).toBeUndefined(); // end_user "" while user is "alice@acme.dev"
    expect(at(5).metadata.key_owner).toBe('alice@acme.dev');
  });

  it('team_id → project; the key owner when the key has no team', () => {
    expect(at(5).project).toBe('team-planning');
    expect(rows[0]!.team_id).toBeNull();
    expect(at(0).project).toBe('svc-batch');
  });

  it('api_key (the key hash) → api_key', () => {
    for (const [i, r] of rows.entries()) expect(at(i).api_key).toBe(r.api_key);
    expect(new Set(calls.map((c) => c.api_key)).size).toBe(3);
  });

  it('cache_hit, session_id, reasoning tokens, key alias, organization', () => {
    expect(at(2).metadata.cache_hit).toBe(true);
    expect(at(1).metadata.cache_hit).toBe(false);
    expect(at(3).metadata.session_id).toBe('sess-1');
    expect(at(5).reasoning_tokens).toBe(rows[5]!.metadata.usage_object.completion_tokens_details.reasoning_tokens);
    expect(at(1).metadata.key_alias).toBe(rows[1]!.metadata.user_api_key_alias);
    expect(at(1).metadata.organization_id).toBe('org-acme');
  });

  it('the older fixture: end_user kept apart from user, request_tags become the feature', async () => {
    const old = JSON.parse(fixture('litellm_spend_logs.json')) as Row[];
    const parsed = byId((await parse(fixture('litellm_spend_logs.json'))).calls);
    for (const r of old) {
      const c = parsed.get(r.request_id)!;
      expect(c.user).toBe(r.end_user === '' ? undefined : r.end_user);
      expect(c.feature).toBe(r.request_tags.length > 0 ? 'search' : undefined);
      expect(c.project).toBe(r.team_id);
    }
  });

  it('bad values are per-record rejections that name the field', async () => {
    const good = rows[1]!;
    const bad = [
      { ...good, request_id: 'bad-1', request_tags: 'feature:faq' },
      { ...good, request_id: 'bad-2', request_tags: [1, 2] },
      { ...good, request_id: 'bad-3', cache_key: 'how do I reset my password' },
      { ...good, request_id: 'bad-4', end_user: { id: 'cust_7' } },
      { ...good, request_id: 'bad-5', user: ['alice'] },
      { ...good, request_id: 'ok-6' },
    ];
    const { calls: ok, rejected: no } = await parse(JSON.stringify(bad), 'litellm');
    expect(ok.map((c) => c.request_id)).toEqual(['ok-6']);
    expect(no.length).toBe(5);
    expect(no[0]!.reason).toMatch(/request_tags/);
    expect(no[1]!.reason).toMatch(/request_tags/);
    expect(no[2]!.reason).toMatch(/cache_key.*not a hash/);
    expect(no[3]!.reason).toMatch(/end_user is not text/);
    expect(no[4]!.reason).toMatch(/user is not text/);
  });

  it('a sha256 cache key computed here is accepted as it is', async () => {
    const key = createHash('sha256').update('anything').digest('hex');
    const { calls: ok } = await parse(JSON.stringify([{ ...rows[1], request_id: 'k', cache_key: key }]), 'litellm');
    expect(ok[0]!.prompt_hash).toBe(key);
  });
});

describe('helicone request exports: every field', async () => {
  const rows = fixture('helicone_requests_full.jsonl').trim().split('\n').map((l) => JSON.parse(l) as Row);
  const { calls, rejected } = await parse(fixture('helicone_requests_full.jsonl'));
  const at = (i: number) => byId(calls).get(rows[i]!.request_id)!;

  it('imports every row', () => {
    expect(rejected).toEqual([]);
    expect(calls.length).toBe(rows.length);
  });

  it('Helicone-Property-Feature (or the bare property name) → feature; App when no feature; properties kept', () => {
    expect(at(0).feature).toBe(rows[0]!.request_properties['Helicone-Property-Feature']);
    expect(at(1).feature).toBe(rows[1]!.request_properties.Feature);
    expect(at(2).feature).toBe(rows[2]!.request_properties['Helicone-Property-App']);
    expect(at(0).metadata.properties).toEqual(rows[0]!.request_properties);
  });

  it('request_user_id, else helicone_user → user', () => {
    expect(at(0).user).toBe('user_41');
    expect(at(2).user).toBe('user_43');
  });

  it('Helicone-Session-Id/Path → session; prompt_id and version kept', () => {
    expect(at(0).metadata.session_id).toBe('sess-a');
    expect(at(0).metadata.session_path).toBe('/triage');
    expect(at(1).metadata.session_id).toBe('sess-b');
    expect(at(0).metadata.prompt_id).toBe('triage-v2');
    expect(at(0).metadata.prompt_version).toBe('3');
  });

  it('cache_reference_id of another request → cache hit; the nil id or none → not a hit', () => {
    expect(at(1).metadata.cache_hit).toBe(true);
    expect(at(1).metadata.cache_reference_id).toBe(rows[0]!.request_id);
    expect(at(0).metadata.cache_hit).toBeUndefined();
    expect(at(2).metadata.cache_hit).toBeUndefined();
  });

  it('request_body messages → prompt hash (equal bodies, equal hash), the body itself is not kept', () => {
    expect(rows[0]!.request_body).toBe(rows[1]!.request_body);
    expect(at(0).prompt_hash).not.toBeNull();
    expect(at(1).prompt_hash).toBe(at(0).prompt_hash);
    expect(at(2).prompt_hash).not.toBe(at(0).prompt_hash);
    expect(JSON.stringify(at(0))).not.toContain('invoice');
  });

  it('request_body stream and max_tokens → stream, max_tokens', async () => {
    const body = { ...JSON.parse(rows[0]!.request_body), stream: true, max_tokens: 256 };
    const { calls: [c] } = await parse(JSON.stringify({ ...rows[0], request_id: 'st', request_body: JSON.stringify(body) }), 'helicone');
    expect(c!.stream).toBe(true);
    expect(c!.max_tokens).toBe(256);
    expect(at(0).stream).toBeNull(); // the fixture's bodies do not say
  });

  it('reasoning_tokens, delay_ms → latency, time_to_first_token → ttft, costUSD → cost', () => {
    expect(at(2).reasoning_tokens).toBe(rows[2]!.reasoning_tokens);
    expect(at(2).latency_ms).toBe(rows[2]!.delay_ms);
    expect(at(2).ttft_ms).toBe(rows[2]!.time_to_first_token);
    expect(at(2).cost_nanousd).toBe(Math.round(rows[2]!.costUSD * 1e9));
  });

  it('a user id that is an object, or properties that are a list, are per-record rejections', async () => {
    const bad = [
      { ...rows[0], request_id: 'b1', request_user_id: { id: 7 } },
      { ...rows[0], request_id: 'b2', request_properties: ['Feature'] },
      { ...rows[0], request_id: 'ok' },
    ];
    const { calls: ok, rejected: no } = await parse(bad.map((r) => JSON.stringify(r)).join('\n'), 'helicone');
    expect(ok.map((c) => c.request_id)).toEqual(['ok']);
    expect(no.map((r) => r.reason)).toEqual([expect.stringMatching(/request_user_id is not text/), expect.stringMatching(/request_properties is not an object/)]);
  });
});

describe('openai usage: every field', async () => {
  const page = JSON.parse(fixture('openai_usage_completions.json')) as Row;
  const results = (page.data as Row[]).flatMap((b) => (b.results as Row[]).filter((r) => r.num_model_requests > 0));
  const { calls, rejected } = await parse(fixture('openai_usage_completions.json'));

  it('project_id → project, user_id → user, api_key_id → api_key, batch flag, cached tokens, requests', () => {
    expect(rejected).toEqual([]);
    expect(calls.length).toBe(results.length);
    for (const [i, r] of results.entries()) {
      const c = calls[i]!;
      expect(c.project).toBe(r.project_id ?? undefined);
      expect(c.user).toBe(r.user_id ?? undefined);
      expect(c.api_key).toBe(r.api_key_id ?? undefined);
      expect(c.metadata.batch).toBe(r.batch ?? undefined);
      expect(c.cached_input_tokens).toBe(r.input_cached_tokens);
      expect(c.metadata.num_requests).toBe(r.num_model_requests);
    }
  });

  it('CSV export: api_key_id → api_key, project_id → project (rows in file order)', async () => {
    const [header, ...lines] = fixture('openai_usage_completions.csv').trim().split(/\r?\n/).map((l) => l.split(','));
    const col = (name: string) => header!.indexOf(name);
    const nonEmpty = lines.filter((l) => Number(l[col('num_model_requests')]) > 0);
    const { calls: csv } = await parse(fixture('openai_usage_completions.csv'));
    expect(csv.length).toBe(nonEmpty.length);
    for (const [i, l] of nonEmpty.entries()) {
      expect(csv[i]!.api_key).toBe(l[col('api_key_id')] || undefined);
      expect(csv[i]!.project).toBe(l[col('project_id')] || undefined);
      expect(csv[i]!.metadata.batch).toBe(l[col('batch')] === 'True');
    }
  });

  it('a project id that is an object is a per-record rejection', async () => {
    const bad = { ...page, data: [{ ...page.data[0], results: [{ ...page.data[0].results[0], project_id: { id: 'p' } }] }] };
    const { calls: ok, rejected: no } = await parse(JSON.stringify(bad), 'openai_usage');
    expect(ok).toEqual([]);
    expect(no[0]!.reason).toMatch(/project_id is not text/);
  });
});

describe('otlp genai: every field', async () => {
  const doc = JSON.parse(fixture('otlp_genai_traces.json')) as Row;
  const spans = new Map<string, Record<string, unknown>>();
  for (const r of doc.resourceSpans as Row[]) {
    for (const s of r.scopeSpans as Row[]) {
      for (const sp of s.spans as Row[]) {
        spans.set(sp.spanId, Object.fromEntries((sp.attributes as Row[]).map((a) => [a.key, Object.values(a.value)[0]])));
      }
    }
  }
  const { calls } = await parse(fixture('otlp_genai_traces.json'));
  const span = (id: string) => calls.find((c) => c.span_id === id)!;

  it('app.feature, traceloop.workflow.name, a feature: tag of langfuse.trace.tags → feature', () => {
    expect(span('051581bf3cb55c14').feature).toBe(spans.get('051581bf3cb55c14')!['app.feature']);
    expect(span('051581bf3cb55c16').feature).toBe(spans.get('051581bf3cb55c16')!['traceloop.workflow.name']);
    expect(span('051581bf3cb55c1b').feature).toBe('summarize');
  });

  it('user.id, traceloop / langfuse user ids → user', () => {
    expect(span('051581bf3cb55c14').user).toBe(spans.get('051581bf3cb55c14')!['user.id']);
    expect(span('051581bf3cb55c16').user).toBe('u-18');
    expect(span('051581bf3cb55c1b').user).toBe('u-3');
  });

  it('session.id, gen_ai.conversation.id, langfuse.session.id → session', () => {
    expect(span('051581bf3cb55c14').metadata.session_id).toBe('sess-88');
    expect(span('051581bf3cb55c16').metadata.session_id).toBe('conv-5');
    expect(span('051581bf3cb55c1b').metadata.session_id).toBe('doc-session-1');
  });

  it('reasoning tokens, stream flag, response id, finish reasons, agent name', () => {
    expect(span('051581bf3cb55c19').reasoning_tokens).toBe(64);
    expect(span('051581bf3cb55c19').stream).toBe(true);
    expect(span('051581bf3cb55c14').request_id).toBe('chatcmpl-AZ1');
    expect(span('051581bf3cb55c14').metadata.finish_reasons).toEqual(['stop']);
  });

  it('a user id that is a list is a per-record rejection', async () => {
    const bad = structuredClone(doc);
    bad.resourceSpans[0].scopeSpans[0].spans[1].attributes.push({ key: 'enduser.id', value: { arrayValue: { values: [{ stringValue: 'x' }] } } });
    bad.resourceSpans[0].scopeSpans[0].spans[1].attributes = bad.resourceSpans[0].scopeSpans[0].spans[1].attributes.filter((a: Row) => a.key !== 'user.id');
    const { calls: ok, rejected: no } = await parse(JSON.stringify(bad), 'otlp');
    expect(ok.length).toBe(calls.length - 1);
    expect(no.length).toBe(1);
    expect(no[0]!.reason).toMatch(/user.id is not text/);
  });
});

describe('retries and duplicates from the source ids', async () => {
  it('otlp: sibling model-call spans after a failed one are its retries; resend_count counts; a re-sent span is one call', async () => {
    const doc = JSON.parse(fixture('otlp_genai_retries.json')) as Row;
    const modelSpans = (doc.resourceSpans[0].scopeSpans[0].spans as Row[]).filter((s) => s.parentSpanId);
    const { calls, rejected } = await parse(fixture('otlp_genai_retries.json'));
    expect(rejected).toEqual([]);
    // 5 model-call spans, plus the third attempt exported a second time by the collector
    expect(calls).toHaveLength(modelSpans.length + 1);
    const attempt = (spanId: string) => calls.find((c) => c.span_id === spanId)!.attempt;
    // under parent a1…: 429, then 500, then ok → attempts 1, 2, 3; the next call after the ok starts over at 1;
    // under parent b2…: a lone span with http.request.resend_count 1 → attempt 2
    expect(modelSpans.map((s) => attempt(s.spanId))).toEqual([1, 2, 3, 1, 2]);
    expect(calls.find((c) => c.span_id === modelSpans[0]!.spanId)!.metadata.parent_span_id).toBe(modelSpans[0]!.parentSpanId);
    // no gen_ai.response.id: the span's own trace and span ids identify the call, so the re-sent copy has the same id
    const thirdIds = calls.filter((c) => c.span_id === modelSpans[2]!.spanId).map((c) => c.request_id);
    expect(thirdIds).toEqual([`otlp:${doc.resourceSpans[0].scopeSpans[0].spans[0].traceId}:${modelSpans[2]!.spanId}`, thirdIds[0]]);

    // the profile counts them as retries though OTLP carries no prompt hash (stored calls are unique by id)
    const unique = [...new Map(calls.map((c) => [c.request_id, c])).values()];
    const [seg] = buildProfile(unique).segments;
    expect(seg!.retry_calls).toBe(3);
  });

  it('litellm: metadata.attempted_retries → attempt, trace_id groups the attempts, api_base kept', async () => {
    const rows = JSON.parse(fixture('litellm_spend_logs_retries.json')) as Row[];
    const calls = byId((await parse(fixture('litellm_spend_logs_retries.json'))).calls);
    for (const r of rows) {
      const c = calls.get(r.request_id)!;
      expect(c.attempt).toBe(r.metadata.attempted_retries === undefined ? 1 : r.metadata.attempted_retries + 1);
      expect(c.trace_id).toBe(r.trace_id);
      expect(c.metadata.api_base).toBe(r.api_base);
    }
    expect(calls.get('chatcmpl-r3')!.attempt).toBe(3);
  });
});

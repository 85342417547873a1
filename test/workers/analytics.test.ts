// /api/analytics: summary, time series, breakdowns and latency of the caller's org, checked against the same
// figures computed here from the calls that were sent; parameter validation; tenancy.
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers';
import { createKey, drain, expectError, getJson, ndjson, postCalls } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

const DAY0 = Date.parse('2026-10-05T00:00:00Z');
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-haiku-4-5'] as const;
const PROVIDERS: Record<(typeof MODELS)[number], string> = { 'gpt-4o': 'openai', 'gpt-4o-mini': 'openai', 'claude-haiku-4-5': 'anthropic' };

interface Call {
  request_id: string;
  timestamp: string;
  model: (typeof MODELS)[number];
  provider: string;
  feature: string;
  user: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  latency_ms: number;
  ttft_ms?: number;
  status: string;
  cost_usd: number;
}

/** 240 calls over 3 days (some hours empty), with exact source costs so every figure is known here. */
function workload(tag: string): Call[] {
  return Array.from({ length: 240 }, (_, i) => {
    const model = MODELS[i % 3]!;
    const h = (i * 7) % 60;
    const hour = h % 10 === 9 ? h + 1 : h; // 0..60 hours after DAY0; hours 9, 19, 29, 39, 49 stay empty
    return {
      request_id: `${tag}-${i}`,
      timestamp: new Date(DAY0 + hour * 3_600_000 + (i % 13) * 60_000).toISOString(),
      model,
      provider: PROVIDERS[model],
      feature: ['chat', 'search', 'summarize', 'extract'][i % 4]!,
      user: `u${i % 5}`,
      input_tokens: 500 + 37 * i,
      output_tokens: 50 + (i % 90),
      cached_input_tokens: i % 6 === 0 ? 200 : 0,
      latency_ms: 100 + ((i * 53) % 2900),
      ...(i % 2 === 0 && { ttft_ms: 20 + ((i * 31) % 400) }),
      status: i % 17 === 0 ? '429' : i % 29 === 0 ? '500' : 'ok',
      cost_usd: Number(((1 + ((i * 97) % 1000)) / 1_000_000).toFixed(6)),
    };
  });
}

/** ClickHouse `quantile` on up to 8192 values: linear interpolation at position q·(n−1) of the sorted values. */
function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

/** Percentiles compared to 1e-6 ms: ClickHouse and JS round the interpolation differently in the last bit. */
function expectPercentiles(actual: Record<string, number | null>, expected: Record<string, number | null>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) {
    if (v === null) expect(actual[k], k).toBeNull();
    else expect(actual[k], k).toBeCloseTo(v, 6);
  }
}

const nano = (calls: Call[]) => calls.reduce((n, c) => n + Math.round(c.cost_usd * 1e9), 0);
const usd = (calls: Call[]) => nano(calls) / 1e9;
const within = (calls: Call[], from: number, to: number) => calls.filter((c) => Date.parse(c.timestamp) >= from && Date.parse(c.timestamp) < to);

interface Summary {
  from: string | null;
  to: string | null;
  source: string | null;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_usd: number;
  unpriced_calls: number;
  error_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  first_call_at: string | null;
  last_call_at: string | null;
}

describe('analytics', () => {
  let a: Tenant;
  let b: Tenant;
  let readKey: string;
  let ingestOnly: string;
  const calls = workload('a');
  const others = workload('b').map((c) => ({ ...c, model: 'gpt-4o' as const, provider: 'openai', input_tokens: c.input_tokens * 10 }));

  beforeAll(async () => {
    [a, b] = await Promise.all([signUp(), signUp()]);
    const [ingestA, ingestB] = await Promise.all([createKey(a, ['ingest']), createKey(b, ['ingest'])]);
    readKey = await createKey(a, ['read']);
    ingestOnly = ingestB;
    for (const [key, list] of [[ingestA, calls], [ingestB, others]] as const) {
      const res = await postCalls(key, ndjson(list), { 'content-type': 'application/x-ndjson' });
      expect(res.status, await res.clone().text()).toBe(202);
    }
    await Promise.all([drain(a.org_id), drain(b.org_id)]);
  });

  it('summary over all the org\'s data (no window) equals the calls sent, exactly', async () => {
    const s = await getJson<Summary>('/api/analytics/summary', bearer(readKey));
    const latencies = calls.map((c) => c.latency_ms);
    const { latency_p50_ms, latency_p95_ms, ...rest } = s;
    expectPercentiles({ p50: latency_p50_ms, p95: latency_p95_ms }, { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) });
    expect(rest).toEqual({
      from: null,
      to: null,
      source: null,
      calls: calls.length,
      input_tokens: calls.reduce((n, c) => n + c.input_tokens, 0),
      output_tokens: calls.reduce((n, c) => n + c.output_tokens, 0),
      cached_input_tokens: calls.reduce((n, c) => n + c.cached_input_tokens, 0),
      cost_usd: usd(calls),
      unpriced_calls: 0,
      error_rate: calls.filter((c) => c.status !== 'ok').length / calls.length,
      first_call_at: new Date(Math.min(...calls.map((c) => Date.parse(c.timestamp)))).toISOString(),
      last_call_at: new Date(Math.max(...calls.map((c) => Date.parse(c.timestamp)))).toISOString(),
    });
  });

  it('summary honours from (inclusive), to (exclusive), dates or instants, and the source filter', async () => {
    const from = DAY0 + 24 * 3_600_000;
    const to = DAY0 + 36 * 3_600_000;
    const part = within(calls, from, to);
    const s = await getJson<Summary>(`/api/analytics/summary?from=2026-10-06&to=${new Date(to).toISOString()}`, a.headers);
    expect(s).toMatchObject({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), calls: part.length, cost_usd: usd(part) });
    expect((await getJson<Summary>('/api/analytics/summary?source=api', a.headers)).calls).toBe(calls.length);
    expect((await getJson<Summary>('/api/analytics/summary?source=import:imp_0000', a.headers)).calls).toBe(0);
    const empty = await getJson<Summary>('/api/analytics/summary?from=2030-01-01T00:00:00Z', a.headers);
    expect(empty).toMatchObject({ calls: 0, cost_usd: 0, error_rate: null, latency_p50_ms: null, first_call_at: null });
  });

  it('timeseries: hourly and daily buckets of cost, calls, tokens and errors add up; empty hours are zero', async () => {
    type Series = { bucket: string; metric: string; unit: string; points: Array<{ t: string; value: number }> };
    const hourly = await getJson<Series>('/api/analytics/timeseries?bucket=hour&metric=calls', a.headers);
    const hours = new Map<string, number>();
    for (const c of calls) {
      const h = new Date(Math.floor(Date.parse(c.timestamp) / 3_600_000) * 3_600_000).toISOString();
      hours.set(h, (hours.get(h) ?? 0) + 1);
    }
    const first = Math.min(...[...hours.keys()].map(Date.parse));
    const last = Math.max(...[...hours.keys()].map(Date.parse));
    expect(hourly.points).toHaveLength((last - first) / 3_600_000 + 1);
    for (const p of hourly.points) expect(p.value, p.t).toBe(hours.get(p.t) ?? 0);
    expect(hourly.points.some((p) => p.value === 0)).toBe(true);

    const daily = await getJson<Series>('/api/analytics/timeseries?bucket=day&metric=cost', a.headers);
    expect(daily).toMatchObject({ bucket: 'day', metric: 'cost', unit: 'usd' });
    expect(daily.points.map((p) => p.t)).toEqual(['2026-10-05T00:00:00.000Z', '2026-10-06T00:00:00.000Z', '2026-10-07T00:00:00.000Z']);
    daily.points.forEach((p, d) => expect(p.value).toBe(usd(within(calls, DAY0 + d * 86_400_000, DAY0 + (d + 1) * 86_400_000))));

    const tokens = await getJson<Series>('/api/analytics/timeseries?bucket=day&metric=tokens', a.headers);
    expect(tokens.points.reduce((n, p) => n + p.value, 0)).toBe(calls.reduce((n, c) => n + c.input_tokens + c.output_tokens, 0));
    const errors = await getJson<Series>('/api/analytics/timeseries?metric=errors', a.headers);
    expect(errors.bucket).toBe('day');
    expect(errors.points.reduce((n, p) => n + p.value, 0)).toBe(calls.filter((c) => c.status !== 'ok').length);
  });

  it('breakdown by model, provider, feature, user and key: most expensive first, exact sums and shares', async () => {
    type Breakdown = { by: string; items: Array<{ name: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number; error_rate: number; cost_share: number | null }> };
    const dims: Array<[string, (c: Call) => string]> = [
      ['model', (c) => c.model],
      ['provider', (c) => c.provider],
      ['feature', (c) => c.feature],
      ['user', (c) => c.user],
    ];
    for (const [by, keyOf] of dims) {
      const res = await getJson<Breakdown>(`/api/analytics/breakdown?by=${by}`, a.headers);
      const groups = new Map<string, Call[]>();
      for (const c of calls) groups.set(keyOf(c), [...(groups.get(keyOf(c)) ?? []), c]);
      expect(res.items.map((i) => i.name).sort(), by).toEqual([...groups.keys()].sort());
      for (const item of res.items) {
        const g = groups.get(item.name)!;
        expect(item).toEqual({
          name: item.name,
          calls: g.length,
          input_tokens: g.reduce((n, c) => n + c.input_tokens, 0),
          output_tokens: g.reduce((n, c) => n + c.output_tokens, 0),
          cost_usd: usd(g),
          error_rate: g.filter((c) => c.status !== 'ok').length / g.length,
          cost_share: nano(g) / nano(calls),
        });
      }
      const costs = res.items.map((i) => i.cost_usd);
      expect(costs).toEqual([...costs].sort((x, y) => y - x));
    }
    const byKey = await getJson<Breakdown>('/api/analytics/breakdown?by=key&limit=1', a.headers);
    expect(byKey.items).toHaveLength(1);
    expect(byKey.items[0]!.name).toMatch(/^key_/);
    expect(byKey.items[0]!.calls).toBe(calls.length);
  });

  it('latency: per model p50/p95/p99 of latency and time to first token', async () => {
    const res = await getJson<{ items: Array<{ model: string; provider: string; calls: number; latency_ms: Record<string, number | null>; ttft_ms: Record<string, number | null> }> }>(
      '/api/analytics/latency?from=2026-10-01&to=2026-11-01',
      a.headers,
    );
    expect(res.items).toHaveLength(3);
    for (const item of res.items) {
      const g = calls.filter((c) => c.model === item.model);
      const lat = g.map((c) => c.latency_ms);
      const ttft = g.flatMap((c) => (c.ttft_ms === undefined ? [] : [c.ttft_ms]));
      expect(item).toMatchObject({ provider: PROVIDERS[item.model as Call['model']], calls: g.length });
      expectPercentiles(item.latency_ms, { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95), p99: quantile(lat, 0.99) });
      expectPercentiles(item.ttft_ms, { p50: quantile(ttft, 0.5), p95: quantile(ttft, 0.95), p99: quantile(ttft, 0.99) });
    }
  });

  it('never shows another org\'s rows', async () => {
    const sb = await getJson<Summary>('/api/analytics/summary', b.headers);
    expect(sb).toMatchObject({ calls: others.length, input_tokens: others.reduce((n, c) => n + c.input_tokens, 0) });
    const models = await getJson<{ items: Array<{ name: string }> }>('/api/analytics/breakdown?by=model', b.headers);
    expect(models.items.map((i) => i.name)).toEqual(['gpt-4o']);
    const lat = await getJson<{ items: Array<{ calls: number }> }>('/api/analytics/latency', b.headers);
    expect(lat.items.reduce((n, i) => n + i.calls, 0)).toBe(others.length);
  });

  it('validates parameters (400 naming the parameter) and needs the read scope', async () => {
    const bad = [
      '/api/analytics/summary?from=yesterday',
      '/api/analytics/summary?from=2026-02-30',
      '/api/analytics/summary?from=2026-10-07&to=2026-10-06',
      '/api/analytics/summary?to=1e12',
      '/api/analytics/summary?colour=blue',
      '/api/analytics/timeseries?bucket=week',
      '/api/analytics/timeseries?metric=vibes',
      '/api/analytics/breakdown',
      '/api/analytics/breakdown?by=region',
      '/api/analytics/breakdown?by=model&limit=0',
      '/api/analytics/latency?from=1899-12-31',
    ];
    for (const path of bad) {
      const err = await expectError(await api(path, { headers: a.headers }), 400, 'invalid_request');
      expect(err.error.details, path).toHaveProperty('issues');
    }
    await expectError(await api('/api/analytics/summary', { headers: bearer(ingestOnly) }), 403, 'forbidden');
    await expectError(await api('/api/analytics/summary'), 401, 'unauthorized');
  });
});

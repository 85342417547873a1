// /api/prices: org rules (discounts, custom-model rates) from an effective date, used when ingested calls are
// costed; history kept; past costs change only through an explicit, logged recompute. Expected figures by hand
// from the published $/1M prices (gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out).
import { describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';
import { clickhouse, createKey, drain, expectError, getJson, postCalls } from './ingest-support';
import { bearer, signUp, type Tenant } from './tenancy';

const DAY = 86_400_000;
const day0 = Date.UTC(2026, 9, 1); // 2026-10-01
const iso = (ms: number) => new Date(ms).toISOString();

async function addRule(t: Tenant, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await api('/api/prices', jsonRequest('POST', body, t.headers));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string };
}

async function costs(orgId: string): Promise<Record<string, number | null>> {
  const rows = await clickhouse<{ request_id: string; cost_nanousd: number | null }>(
    'SELECT request_id, cost_nanousd FROM llm_calls FINAL WHERE org_id = {org:String} ORDER BY request_id',
    { org: orgId },
  );
  return Object.fromEntries(rows.map((r) => [r.request_id, r.cost_nanousd === null ? null : Number(r.cost_nanousd)]));
}

const call = (id: string, ts: number, extra: Record<string, unknown> = {}) => ({
  request_id: id, timestamp: iso(ts), provider: 'openai', model: 'gpt-4o-mini', input_tokens: 10_000, cached_input_tokens: 2_000, output_tokens: 1_000, ...extra,
});
// catalog cost: 8,000×0.15 + 2,000×0.075 + 1,000×0.6 = 1,200 + 150 + 600 = 1,950 ($/1M·tokens) → 1,950,000 nano
const CATALOG_COST = 1_950_000;

describe('/api/prices', () => {
  it('prices ingested calls by the rule in force at each call, keeps history, and recomputes only on request (logged)', async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest', 'read']);

    // 20 % off gpt-4o-mini from day 10; 30 % off every OpenAI model from day 20 (the model rule still wins after it)
    const d10 = await addRule(t, { provider: 'openai', model: 'gpt-4o-mini', discount: 0.2, effective_from: iso(day0 + 10 * DAY), note: 'commit deal' });
    await addRule(t, { provider: 'openai', discount: 0.3, effective_from: iso(day0 + 20 * DAY) });
    // a fine-tuned model at its own rates: $0.30 in, $0.15 cached, $1.20 out
    await addRule(t, { provider: 'openai', model: 'ft:gpt-4o-mini:acme::abc123', rates: { input_per_m: 0.3, output_per_m: 1.2, cached_input_per_m: 0.15 }, effective_from: iso(day0) });

    const res = await postCalls(key, JSON.stringify([
      call('a-before', day0 + 5 * DAY),
      call('b-after', day0 + 12 * DAY),
      call('c-ft', day0 + 12 * DAY, { model: 'ft:gpt-4o-mini:acme::abc123' }),
      call('d-other', day0 + 25 * DAY, { model: 'gpt-4.1-nano' }),
    ]));
    expect(res.status, await res.clone().text()).toBe(202);
    await drain(t.org_id);
    // gpt-4.1-nano: $0.10 in, $0.025 cached, $0.40 out: 8,000×0.1 + 2,000×0.025 + 1,000×0.4 = 800 + 50 + 400 = 1,250 → ×0.7 (30 % off) = 875
    // fine-tuned: 8,000×0.3 + 2,000×0.15 + 1,000×1.2 = 2,400 + 300 + 1,200 = 3,900
    expect(await costs(t.org_id)).toEqual({
      'a-before': CATALOG_COST,
      'b-after': CATALOG_COST * 0.8, // 1,560,000
      'c-ft': 3_900_000,
      'd-other': 875_000,
    });

    const list = await getJson<{ items: { id: string; discount: number | null; model: string | null }[] }>('/api/prices', bearer(key));
    expect(list.items.map((r) => r.discount)).toEqual([null, 0.3, 0.2]);
    expect(list.items[2]!.id).toBe(d10.id);

    // A new, larger discount back-dated to day 0 does not silently change stored costs…
    await addRule(t, { provider: 'openai', model: 'gpt-4o-mini', discount: 0.5, effective_from: iso(day0) });
    expect((await costs(t.org_id))['a-before']).toBe(CATALOG_COST);
    // …until a recompute of a chosen window: days 0–11 (a-before only; b-after on day 12 stays as it is)
    const recompute = await api('/api/prices/recompute', jsonRequest('POST', { from: iso(day0), to: iso(day0 + 11 * DAY) }, t.headers));
    expect(recompute.status, await recompute.clone().text()).toBe(200);
    // a-before on day 5: only the 50 % rule (from day 0) is in force → 975,000
    expect(await recompute.json()).toMatchObject({ calls: 1, changed_calls: 1, cost_before_usd: 0.00195, cost_after_usd: 0.000975 });
    expect(await costs(t.org_id)).toEqual({ 'a-before': 975_000, 'b-after': 1_560_000, 'c-ft': 3_900_000, 'd-other': 875_000 });

    const log = await getJson<{ items: { from: string; to: string; calls: number; requested_by: string }[] }>('/api/prices/recomputes', t.headers);
    expect(log.items).toMatchObject([{ from: iso(day0), to: iso(day0 + 11 * DAY), calls: 1, requested_by: t.user_id }]);
  });

  it('is org-scoped: another org neither sees the rules nor gets their prices', async () => {
    const a = await signUp();
    const b = await signUp();
    await addRule(a, { provider: 'openai', model: 'gpt-4o-mini', discount: 0.5, effective_from: iso(day0) });
    expect((await getJson<{ items: unknown[] }>('/api/prices', b.headers)).items).toEqual([]);
    const key = await createKey(b, ['ingest']);
    expect((await postCalls(key, JSON.stringify([call('x', day0 + DAY)]))).status).toBe(202);
    await drain(b.org_id);
    expect(await costs(b.org_id)).toEqual({ x: CATALOG_COST });
  });

  it('refuses bad input with 4xx', async () => {
    const t = await signUp();
    const post = (body: unknown) => api('/api/prices', jsonRequest('POST', body, t.headers));
    await expectError(await post({ provider: 'openai', model: 'gpt-4o-mini', effective_from: iso(day0) }), 400, 'invalid_request'); // neither
    await expectError(await post({ provider: 'openai', model: 'gpt-4o-mini', discount: 0.2, rates: { input_per_m: 1, output_per_m: 1 }, effective_from: iso(day0) }), 400, 'invalid_request');
    await expectError(await post({ provider: 'openai', model: 'gpt-4o-mini', discount: 1.5, effective_from: iso(day0) }), 400, 'invalid_request');
    await expectError(await post({ provider: 'openai', model: 'gpt-4o-mini', discount: 0.2, effective_from: 'yesterday' }), 400, 'invalid_request');
    await expectError(await post({ provider: 'openai', rates: { input_per_m: 1, output_per_m: 1 }, effective_from: iso(day0) }), 400, 'invalid_request'); // rates need a model
    await expectError(await post({ provider: 'openai', model: 'my-own-model', discount: 0.2, effective_from: iso(day0) }), 400, 'invalid_request'); // not in catalog
    await expectError(await post({ provider: 'openai', model: 'x', rates: { input_per_m: -1, output_per_m: 1 }, effective_from: iso(day0) }), 400, 'invalid_request');
    const rc = (body: unknown) => api('/api/prices/recompute', jsonRequest('POST', body, t.headers));
    await expectError(await rc({ from: iso(day0 + DAY), to: iso(day0) }), 400, 'invalid_request');
    await expectError(await rc({ from: iso(day0) }), 400, 'invalid_request');
    const key = await createKey(t, ['read']);
    await expectError(await api('/api/prices', jsonRequest('POST', { provider: 'openai', discount: 0.1, effective_from: iso(day0) }, bearer(key))), 401, 'unauthorized'); // user routes take no API key
    await expectError(await api('/api/prices'), 401, 'unauthorized');
  });
});

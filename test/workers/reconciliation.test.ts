// POST /api/costs/reconciliation: a bill (OpenAI costs API JSON, or daily CSV) against the computed costs.
// Planted: a model the bill prices at twice our rate, a day where the bill gives no cached-token discount, a
// billed model with no calls, calls with no billed row, a non-USD row. Figures by hand from published prices:
// gpt-4o-mini $0.15 in / $0.075 cached / $0.60 out; gpt-4.1-nano $0.10 / $0.025 / $0.40; gpt-4.1-mini $0.40 / $0.10 / $1.60.
import { describe, expect, it } from 'vitest';
import { api } from './helpers';
import { createKey, drain, expectError, postCalls } from './ingest-support';
import { bearer, signUp } from './tenancy';

const D1 = Date.UTC(2026, 9, 5);
const D2 = Date.UTC(2026, 9, 6);
const at = (day: number, hour: number) => new Date(day + hour * 3_600_000).toISOString();
const c = (id: string, ts: string, model: string, input: number, cached: number, output: number) =>
  ({ request_id: id, timestamp: ts, provider: 'openai', model, input_tokens: input, cached_input_tokens: cached, output_tokens: output });

interface Recon {
  billed_usd: number;
  computed_usd: number;
  rows: { day: string; model: string; billed_usd: number | null; computed_usd: number | null; drift_usd: number; calls: number; flags: string[]; top_calls: { request_id: string; cost_usd: number }[] }[];
  issues: { flag: string }[];
}

function post(auth: string, body: string, query: string, type = 'application/json') {
  return api(`/api/costs/reconciliation?${query}`, { method: 'POST', headers: { ...bearer(auth), 'content-type': type }, body });
}

describe('POST /api/costs/reconciliation', () => {
  it('names the drifts, the calls that explain them, and the rows only one side has', async () => {
    const t = await signUp();
    const key = await createKey(t, ['ingest', 'read']);
    const calls = [
      // D1 gpt-4o-mini ×3: 8,000×0.15 + 2,000×0.075 + 1,000×0.6 = 1,950 each → $0.00585 (the bill agrees)
      c('m1', at(D1, 1), 'gpt-4o-mini', 10_000, 2_000, 1_000), c('m2', at(D1, 2), 'gpt-4o-mini', 10_000, 2_000, 1_000), c('m3', at(D1, 3), 'gpt-4o-mini', 10_000, 2_000, 1_000),
      // D1 gpt-4.1-nano ×2: 8,000×0.1 + 2,000×0.025 + 1,000×0.4 = 1,250 each → $0.0025 (billed $0.005: mis-priced)
      c('n1', at(D1, 4), 'gpt-4.1-nano', 10_000, 2_000, 1_000), c('n2', at(D1, 5), 'gpt-4.1-nano', 10_000, 2_000, 1_000),
      // D2 gpt-4o-mini: big 20,000×0.15 + 80,000×0.075 = 9,000; small 1,000×0.15 = 150 → $0.00915
      // (billed without the cached discount: 101,000×0.15 = 15,150 → $0.01515)
      c('big', at(D2, 1), 'gpt-4o-mini', 100_000, 80_000, 0), c('small', at(D2, 2), 'gpt-4o-mini', 1_000, 0, 0),
      // D2 gpt-4.1-mini, not on the bill: 1,000×0.4 + 100×1.6 = 560 → $0.00056
      c('unbilled', at(D2, 3), 'gpt-4.1-mini', 1_000, 0, 100),
    ];
    expect((await postCalls(key, JSON.stringify(calls))).status).toBe(202);
    await drain(t.org_id);

    const bucket = (day: number, results: unknown[]) => ({ object: 'bucket', start_time: day / 1000, end_time: day / 1000 + 86_400, results });
    const r = (line: string, value: number, currency = 'usd') => ({ object: 'organization.costs.result', amount: { value, currency }, line_item: line, project_id: null });
    const bill = {
      object: 'page',
      data: [
        bucket(D1, [
          r('gpt-4o-mini-2024-07-18, input', 0.00405), r('gpt-4o-mini-2024-07-18, output', 0.0018),
          r('gpt-4.1-nano-2025-04-14, input', 0.0017), r('gpt-4.1-nano-2025-04-14, output', 0.0033),
          r('gpt-4o-2024-08-06, input', 0.02), // no calls of gpt-4o
          r('gpt-4o-mini-2024-07-18, input', 1.5, 'eur'),
        ]),
        bucket(D2, [r('gpt-4o-mini-2024-07-18, input', 0.01515)]),
      ],
      has_more: false,
    };
    const res = await post(key, JSON.stringify(bill), 'tolerance_usd=0.0001&tolerance_pct=1');
    expect(res.status, await res.clone().text()).toBe(200);
    const out = (await res.json()) as Recon;
    // billed: 0.00585 + 0.005 + 0.02 + 0.01515 = 0.046; computed: 0.00585 + 0.0025 + 0.00915 + 0.00056 = 0.01806
    expect(out.billed_usd).toBe(0.046);
    expect(out.computed_usd).toBe(0.01806);
    expect(out.rows.map((x) => [x.day, x.model, x.billed_usd, x.computed_usd, x.drift_usd, x.flags])).toEqual([
      ['2026-10-05', 'gpt-4o', 0.02, null, -0.02, ['no_calls']],
      ['2026-10-06', 'gpt-4o-mini', 0.01515, 0.00915, -0.006, []],
      ['2026-10-05', 'gpt-4.1-nano', 0.005, 0.0025, -0.0025, []],
      ['2026-10-06', 'gpt-4.1-mini', null, 0.00056, 0.00056, ['not_billed']],
    ]);
    // the calls that explain the drift, costliest first
    expect(out.rows[1]!.top_calls).toEqual([{ request_id: 'big', cost_usd: 0.009 }, { request_id: 'small', cost_usd: 0.00015 }]);
    expect(out.rows[2]!.top_calls.map((x) => x.request_id).sort()).toEqual(['n1', 'n2']);
    expect(out.issues).toEqual([expect.objectContaining({ flag: 'currency_not_usd' })]);

    // the same bill as a daily CSV: only D1 gpt-4.1-nano is off
    const csv = 'date,model,cost_usd,currency\n2026-10-05,gpt-4o-mini,0.00585,USD\n2026-10-05,gpt-4.1-nano,0.005,USD\n';
    const fromCsv = (await (await post(key, csv, 'tolerance_usd=0.0001', 'text/csv')).json()) as Recon;
    expect(fromCsv.rows.map((x) => [x.model, x.drift_usd, x.flags])).toEqual([['gpt-4.1-nano', -0.0025, []]]);
  });

  it('refuses what cannot be reconciled, with 4xx', async () => {
    const t = await signUp();
    await expectError(await post(t.access_token, '', ''), 400, 'invalid_request');
    await expectError(await post(t.access_token, '{"object":"page","data":[]}', ''), 400, 'invalid_request');
    await expectError(await post(t.access_token, 'date,model,cost_usd,currency\n2026-10-05,gpt-4o,3,EUR\n', '', 'text/csv'), 400, 'invalid_request');
    await expectError(await post(t.access_token, '{"object":"page"', ''), 400, 'invalid_json');
    await expectError(await post(t.access_token, '[]', 'tolerance_pct=-1'), 400, 'invalid_request');
    await expectError(await api('/api/costs/reconciliation', { method: 'POST', body: '[]' }), 401, 'unauthorized');
  });
});

import { describe, expect, it } from 'vitest';
import { api, jsonRequest } from './helpers';

interface Page {
  items: { id: string; provider: string; input_per_m: number; output_per_m: number; tier: string; source: { name: string; date: string } }[];
  next_cursor: string | null;
}

describe('supply catalog (public)', () => {
  it('lists models with prices and their source, filtered and paginated, without sign-in', async () => {
    const res = await api('/api/supply/catalog?provider=openai&limit=5');
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.items).toHaveLength(5);
    for (const m of page.items) {
      expect(m.provider).toBe('openai');
      expect(m.source.name).toMatch(/genai-prices/);
      expect(m.source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const next = (await (await api(`/api/supply/catalog?provider=openai&limit=5&cursor=${page.next_cursor}`)).json()) as Page;
    expect(next.items.map((m) => m.id)).not.toContain(page.items[0]!.id);
  });

  it('filters by maximum input price', async () => {
    const page = (await (await api('/api/supply/catalog?max_input_per_m=0.2&limit=100')).json()) as Page;
    expect(page.items.length).toBeGreaterThan(0);
    for (const m of page.items) expect(m.input_per_m).toBeLessThanOrEqual(0.2);
  });

  it('bad filters → 400', async () => {
    for (const q of ['limit=0', 'limit=abc', 'max_input_per_m=-1', 'cursor=%%%']) {
      const res = await api(`/api/supply/catalog?${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe('supply estimate (public)', () => {
  it('costs a workload on each candidate, cheapest first, with the saving against the current model', async () => {
    const res = await api(
      '/api/supply/estimate',
      jsonRequest('POST', { workload: { calls_per_month: 1_000_000, avg_input_tokens: 1000, avg_output_tokens: 200 }, current_model: 'gpt-4o' }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { candidates: { cost_usd: number; saving_usd: number | null }[] };
    const costs = body.candidates.map((c) => c.cost_usd);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    // gpt-4o: 1M calls × (1000 × $2.5 + 200 × $10) / 1M tokens = $4,500 / month; every candidate saves against it.
    for (const c of body.candidates) expect(c.saving_usd).toBeCloseTo(4500 - c.cost_usd, 2);
  });

  it('bad input → 400 with a clear error', async () => {
    const cases = [
      { workload: { calls_per_month: -1, avg_input_tokens: 10, avg_output_tokens: 1 } },
      { workload: [], current_model: 'gpt-4o' },
      { workload: { calls_per_month: 10, avg_input_tokens: 10, avg_output_tokens: 1 }, surprise: true },
    ];
    for (const body of cases) {
      const res = await api('/api/supply/estimate', jsonRequest('POST', body));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect((await api('/api/supply/estimate', jsonRequest('POST', '{"workload":'))).status).toBe(400);
  });
});

// Realized savings against a control: a rule routing gpt-4o → gpt-4o-mini with a 20 % holdout, over a few
// hundred calls of varied size. The split is within sampling error of 80/20; the ledger's realized saving
// equals the test's own sum of (gpt-4o − gpt-4o-mini) over the treated calls; the 95 % interval of the
// treated − control cost per call is Welch's, recomputed here from the calls, and holds the true per-request
// difference of the two prices up to sampling error (the holdout hashes the random policy id, so the sample
// differs per run: a 95 % interval misses the truth in 1 run of 20 by design, 4 SE in 1 of 15,000); the seeds'
// metrics routes and the tier savings report answer the same figure, and /api/metrics (Prometheus) still works.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../engine/catalog/index';
import { api, jsonRequest } from './helpers';
import { activePolicy, chat, costNano, eventually, gatewayOrg, marker, type GatewayOrg, type PolicyJson } from './gateway-support';
import { clickhouse, createKey, drain } from './ingest-support';
import { signUp } from './tenancy';
import { openDb } from '../../db/postgres';

const N = 300;
const CONTROL = 0.2;
const gpt4o = findModel('gpt-4o', 'openai')!;
const mini = findModel('gpt-4o-mini', 'openai')!;
// Varied call sizes: a spread of prompt and completion lengths.
const sizeOf = (i: number) => ({ input: 200 + ((i * 397) % 3000), output: 20 + ((i * 131) % 600) });

interface Summary {
  realized_savings_usd: number;
  groups: Array<{ key: string; treated: { calls: number; mean_cost_per_call_usd: number }; control: { calls: number; mean_cost_per_call_usd: number }; realized_savings_usd: number; difference_per_call_usd: number; ci95_per_call_usd: [number, number] }>;
  method: string;
}

describe('realized savings with a control arm', () => {
  let org: GatewayOrg;
  let policy: PolicyJson;
  const arms = new Map<number, string>();
  const requestIds: string[] = [];

  beforeAll(async () => {
    org = await gatewayOrg();
    policy = await activePolicy(org.tenant, {
      control_share: CONTROL,
      canary: { min_calls: 100_000, max_error_rate_increase: 1, max_latency_ratio: 1000 },
      policy: { version: 1, rules: [{ id: 'downgrade', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' } }] },
    });
    // Fixed request ids: the arm of each call is a deterministic hash of its id, so this sample is reproducible.
    for (let start = 0; start < N; start += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, k) => {
          const i = start + k;
          const { input, output } = sizeOf(i);
          const res = await chat(org.key, { model: 'gpt-4o', messages: [{ role: 'user', content: `${marker()} [usage:${input}/${output}]` }] }, { 'x-request-id': `savings-test-${i}`, 'x-netra-user': i % 2 ? 'alice' : 'bob', 'x-netra-feature': 'qa' });
          expect(res.status).toBe(200);
          arms.set(i, res.headers.get('x-netra-arm')!);
          requestIds.push(res.headers.get('x-netra-request-id')!);
          await res.body?.cancel();
        }),
      );
    }
    const pg = openDb(env);
    try {
      await eventually(async () => Number((await pg.pool.query('select count(*) from savings_ledger where org_id = $1', [org.tenant.org_id])).rows[0].count), (n) => n === N, 30_000);
    } finally {
      await pg.close();
    }
  }, 300_000);

  it('the treated/control split is within sampling error of 80/20', () => {
    const control = [...arms.values()].filter((a) => a === 'control').length;
    expect(control + [...arms.values()].filter((a) => a === 'treated').length).toBe(N);
    const sd = Math.sqrt(N * CONTROL * (1 - CONTROL));
    expect(Math.abs(control - N * CONTROL)).toBeLessThanOrEqual(3 * sd);
  });

  it("realized savings = Σ over treated calls of (original − paid); the 95 % interval is Welch's and holds the true difference", async () => {
    const res = await api(`/api/metrics/savings/summary?policy_id=${policy.id}`, { headers: org.tenant.headers });
    expect(res.status, await res.clone().text()).toBe(200);
    const s = (await res.json()) as Summary;
    let expected = 0;
    let trueDiff = 0;
    let treatedCalls = 0;
    for (let i = 0; i < N; i++) {
      const { input, output } = sizeOf(i);
      const saving = costNano(gpt4o, input, output) - costNano(mini, input, output);
      trueDiff -= saving / N;
      if (arms.get(i) === 'treated') {
        expected += saving;
        treatedCalls++;
      }
    }
    expect(s.realized_savings_usd).toBeCloseTo(expected / 1e9, 9);
    const g = s.groups[0]!;
    expect(g.treated.calls).toBe(treatedCalls);
    expect(g.control.calls).toBe(N - treatedCalls);
    // The interval recomputed from the calls themselves: what each arm paid per call, mean and sample variance.
    const paid = { treated: [] as number[], control: [] as number[] };
    for (let i = 0; i < N; i++) {
      const { input, output } = sizeOf(i);
      if (arms.get(i) === 'treated') paid.treated.push(costNano(mini, input, output) / 1e9);
      else paid.control.push(costNano(gpt4o, input, output) / 1e9);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);
    const diff = mean(paid.treated) - mean(paid.control);
    const se = Math.sqrt(variance(paid.treated) / paid.treated.length + variance(paid.control) / paid.control.length);
    const [lo, hi] = g.ci95_per_call_usd;
    expect(g.difference_per_call_usd).toBeCloseTo(diff, 10);
    expect(lo).toBeCloseTo(diff - 1.96 * se, 6);
    expect(hi).toBeCloseTo(diff + 1.96 * se, 6);
    expect(Math.abs(diff - trueDiff / 1e9)).toBeLessThan(4 * se);
    expect(hi).toBeLessThan(0);
    expect(s.method).toContain('1.96');
    // Per rule and per end user.
    const byRule = (await (await api(`/api/metrics/savings/summary?group_by=rule`, { headers: org.tenant.headers })).json()) as Summary;
    expect(byRule.groups.map((x) => x.key)).toEqual(['downgrade']);
    const alice = (await (await api('/api/metrics/savings/alice', { headers: org.tenant.headers })).json()) as Summary;
    let aliceExpected = 0;
    for (let i = 1; i < N; i += 2) if (arms.get(i) === 'treated') aliceExpected += costNano(gpt4o, sizeOf(i).input, sizeOf(i).output) - costNano(mini, sizeOf(i).input, sizeOf(i).output);
    expect(alice.realized_savings_usd).toBeCloseTo(aliceExpected / 1e9, 9);
  });

  it('the tier savings report and the ROI answer the ledger figure (20 % fee)', async () => {
    const summary = (await (await api('/api/metrics/savings/summary', { headers: org.tenant.headers })).json()) as Summary;
    const report = (await (await api('/api/tier/savings-report', { headers: org.tenant.headers })).json()) as { realized_savings_usd: number };
    expect(report.realized_savings_usd).toBeCloseTo(summary.realized_savings_usd, 9);
    expect(report.realized_savings_usd).toBeGreaterThan(0);
    const roi = (await (await api('/api/metrics/roi', { headers: org.tenant.headers })).json()) as { realized_savings_usd: number; fee_usd: number; net_savings_usd: number };
    expect(roi.fee_usd).toBeCloseTo(summary.realized_savings_usd * 0.2, 9);
    expect(roi.net_savings_usd).toBeCloseTo(summary.realized_savings_usd * 0.8, 9);
  });

  it('performance reads the recorded gateway calls; track stores an event; Prometheus stays at /api/metrics', async () => {
    await drain(org.tenant.org_id);
    const perf = await eventually(
      async () => (await (await api('/api/metrics/performance', { headers: org.tenant.headers })).json()) as { gateway: { calls: number; error_rate: number } },
      (p) => p.gateway.calls >= N,
    );
    const [row] = await clickhouse<{ n: number }>("SELECT count() AS n FROM llm_calls FINAL WHERE org_id = {org:String} AND source = 'gateway'", { org: org.tenant.org_id });
    expect(perf.gateway.calls).toBe(row!.n);
    expect(perf.gateway.error_rate).toBe(0);

    const ingestKey = await createKey(org.tenant, ['ingest']);
    const tracked = await api('/api/metrics/track', jsonRequest('POST', { event_type: 'optimization_applied', data: { policy_id: policy.id } }, { authorization: `Bearer ${ingestKey}` }));
    expect(tracked.status).toBe(202);
    const { event_id } = (await tracked.json()) as { event_id: string };
    await drain(org.tenant.org_id);
    const events = await clickhouse<{ event_type: string }>('SELECT event_type FROM workload_events FINAL WHERE org_id = {org:String} AND event_id = {id:String}', { org: org.tenant.org_id, id: event_id });
    expect(events).toEqual([{ event_type: 'optimization_applied' }]);
    expect((await api('/api/metrics/track', jsonRequest('POST', { event_type: 'bad type!' }, { authorization: `Bearer ${ingestKey}` }))).status).toBe(400);

    const prom = await api('/api/metrics');
    expect(prom.status).toBe(200);
    expect(await prom.text()).toContain('netra_http_requests_total');
    expect((await api('/api/metrics/tier/free/limits')).status).toBe(200);
    expect((await api('/api/metrics/roi')).status).toBe(401);
  });

  it('another org sees none of these savings', async () => {
    const other = await signUp();
    const s = (await (await api(`/api/metrics/savings/summary?policy_id=${policy.id}`, { headers: other.headers })).json()) as Summary;
    expect(s.realized_savings_usd).toBe(0);
    expect(s.groups).toEqual([]);
    expect(requestIds).toHaveLength(N);
  });
});

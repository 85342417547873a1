// Policies: created (or drafted from a report), validated, versioned, simulated on stored traffic, activated;
// the gateway applies the active one — routing, max_tokens caps, the response cache (a hit reaches no
// upstream), fallbacks on a 500 and a time-out, the monthly budget (a block, and 50 concurrent calls that
// never overshoot) — each with its recorded ledger entry; a canary that regresses rolls back by itself.
import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../engine/catalog/index';
import { openDb } from '../../db/postgres';
import { api, jsonRequest } from './helpers';
import { activePolicy, chat, chatOk, costNano, eventually, expectOpenAiError, gatewayOrg, getPolicy, ledgerRows, marker, sseData, upstreamRequests, type GatewayOrg, type LedgerRow } from './gateway-support';
import { clickhouse, drain, ndjson, postCalls, createKey } from './ingest-support';
import { describeTenancy, signUp } from './tenancy';

const pg = openDb(env);
afterAll(() => pg.close());
const query = async (q: string, p: unknown[]) => (await pg.pool.query(q, p)).rows as LedgerRow[];
const user = (text: string) => [{ role: 'user', content: text }];
const gpt4o = findModel('gpt-4o', 'openai')!;
const mini = findModel('gpt-4o-mini', 'openai')!;
const loose = { min_calls: 100_000, max_error_rate_increase: 1, max_latency_ratio: 1000 };

describe('policy API', () => {
  let org: GatewayOrg;
  beforeAll(async () => {
    org = await gatewayOrg();
  });

  it('validates, versions and lists', async () => {
    const bad = [{ policy: { version: 2, rules: [] } }, { policy: { version: 1, rules: [{ id: 'r', match: {}, route_share: 3 }] } }, { policy: { version: 1, rules: [] }, control_share: 0.9 }, {}];
    for (const body of bad) expect((await api('/api/policies', jsonRequest('POST', body, org.tenant.headers))).status, JSON.stringify(body)).toBe(400);
    const a = (await (await api('/api/policies', jsonRequest('POST', { policy: { version: 1, rules: [] } }, org.tenant.headers))).json()) as { version: number; status: string; control_share: number };
    const b = (await (await api('/api/policies', jsonRequest('POST', { name: 'second', policy: { version: 1, rules: [] } }, org.tenant.headers))).json()) as { id: string; version: number };
    expect(a).toMatchObject({ status: 'draft', control_share: 0.05 });
    expect(b.version).toBe(a.version + 1);
    const list = (await (await api('/api/policies', { headers: org.tenant.headers })).json()) as { items: Array<{ id: string }> };
    expect(list.items[0]!.id).toBe(b.id);
    expect((await api('/api/policies/pol_nope', { headers: org.tenant.headers })).status).toBe(404);
  });

  it("a report's gateway policy becomes a draft in one call", async () => {
    const policy = { version: 1, rules: [{ id: 'search@openai/gpt-4o', match: { feature: 'search', provider: 'openai', model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' }, route_share: 0.5 }], budget_usd_month: 100 };
    const reportId = `rep_${crypto.randomUUID().replace(/-/g, '')}`;
    await pg.pool.query(`insert into reports (id, org_id, run_id, title, markdown, data) values ($1, $2, $3, 't', 'm', $4)`, [reportId, org.tenant.org_id, `run_${reportId}`, JSON.stringify({ plan: { policy } })]);
    const res = await api(`/api/policies/from-report/${reportId}`, { method: 'POST', headers: org.tenant.headers });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ status: 'draft', source_report_id: reportId, policy });
    const other = await signUp();
    expect((await api(`/api/policies/from-report/${reportId}`, { method: 'POST', headers: other.headers })).status).toBe(404);
  });

  it("simulates over the org's stored traffic with the engine simulator", async () => {
    const ingestKey = await createKey(org.tenant, ['ingest']);
    const now = Date.now();
    const calls = Array.from({ length: 40 }, (_, i) => ({ request_id: `sim-${i}`, timestamp: now - 3_600_000 + i * 1000, provider: 'openai', model: 'gpt-4o', feature: 'search', input_tokens: 1000 + i * 10, output_tokens: 100 + i }));
    expect((await postCalls(ingestKey, ndjson(calls))).status).toBe(202);
    await drain(org.tenant.org_id);
    const created = (await (await api('/api/policies', jsonRequest('POST', { policy: { version: 1, rules: [{ id: 'r', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' } }] } }, org.tenant.headers))).json()) as { id: string };
    const sim = (await (await api(`/api/policies/${created.id}/simulate`, { method: 'POST', headers: org.tenant.headers })).json()) as { simulation: { saving_usd: number; per_rule: Array<{ calls: number }> } };
    const expected = calls.reduce((a, c) => a + costNano(gpt4o, c.input_tokens, c.output_tokens) - costNano(mini, c.input_tokens, c.output_tokens), 0) / 1e9;
    expect(sim.simulation.per_rule[0]!.calls).toBe(40);
    expect(sim.simulation.saving_usd).toBeCloseTo(expected, 5);
  });
});

describe('the gateway applies the active policy', () => {
  let org: GatewayOrg;
  beforeAll(async () => {
    org = await gatewayOrg();
  });

  it('routes, caps max_tokens, and writes the ledger (actual vs counterfactual)', async () => {
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [{ id: 'down', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' }, max_tokens: 50 }] } });
    const m = marker();
    const { res } = await chatOk(org.key, { model: 'gpt-4o', max_tokens: 500, messages: user(`${m} [usage:1000/40]`) });
    expect(res.headers.get('x-netra-served-model')).toBe('openai/gpt-4o-mini');
    expect(res.headers.get('x-netra-arm')).toBe('treated');
    const sent = (await upstreamRequests(m))[0]!.body;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 50 });
    const [row] = await ledgerRows([res.headers.get('x-netra-request-id')!], query);
    expect(row).toMatchObject({ arm: 'treated', rule_id: 'down', served_model: 'gpt-4o-mini', cache_hit: false, status: 'ok' });
    expect(Number(row!.actual_nanousd)).toBe(costNano(mini, 1000, 40));
    expect(Number(row!.counterfactual_nanousd)).toBe(costNano(gpt4o, 1000, 40));
    // A request the rule does not match is untouched.
    const other = await chatOk(org.key, { model: 'gpt-4o-mini', messages: user(marker()) });
    expect(other.res.headers.get('x-netra-arm')).toBe('none');
  });

  it('response cache: the second identical request is a hit that reaches no upstream, streamed or not', async () => {
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [{ id: 'cache', match: { model: 'gpt-4o-mini' }, response_cache_ttl_s: 600 }] } });
    const m = marker();
    const body = { model: 'gpt-4o-mini', messages: user(`${m} [usage:300/9]`) };
    const first = await chatOk(org.key, body);
    expect(first.res.headers.get('x-netra-cache')).toBe('miss');
    const second = await chatOk(org.key, { ...body, user: 'someone else' });
    expect(second.res.headers.get('x-netra-cache')).toBe('hit');
    expect(second.body.choices[0]!.message.content).toBe(first.body.choices[0]!.message.content);
    const streamed = await chat(org.key, { ...body, stream: true });
    expect(streamed.headers.get('x-netra-cache')).toBe('hit');
    const data = await sseData(streamed);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.slice(0, -1).map((d) => (JSON.parse(d) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '').join('')).toBe(first.body.choices[0]!.message.content);
    expect(await upstreamRequests(m)).toHaveLength(1);
    const rows = await ledgerRows([first.res.headers.get('x-netra-request-id')!, second.res.headers.get('x-netra-request-id')!], query);
    const hit = rows.find((r) => r.cache_hit)!;
    expect(Number(hit.actual_nanousd)).toBe(0);
    expect(Number(hit.counterfactual_nanousd)).toBe(costNano(mini, 300, 9));
  });

  it('prompt_cache puts Anthropic cache breakpoints on the static prefix (tools, system prompt)', async () => {
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [{ id: 'pc', match: { model: 'claude-3-5-haiku' }, prompt_cache: true }] } });
    const m = marker();
    const tools = [{ type: 'function', function: { name: 'a', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'b', parameters: { type: 'object' } } }];
    await chatOk(org.key, { model: 'claude-3-5-haiku', messages: [{ role: 'system', content: 'long static instructions' }, ...user(m)], tools });
    const sent = (await upstreamRequests(m))[0]!.body as { system: Array<{ cache_control?: unknown }>; tools: Array<{ cache_control?: unknown }> };
    expect(sent.system).toEqual([{ type: 'text', text: 'long static instructions', cache_control: { type: 'ephemeral' } }]);
    expect(sent.tools.map((t) => t.cache_control ?? null)).toEqual([null, { type: 'ephemeral' }]);
  });

  it('a streamed miss is cached and replayed to a plain request', async () => {
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [{ id: 'cache2', match: { model: 'claude-3-5-haiku' }, response_cache_ttl_s: 600 }] } });
    const m = marker();
    const body = { model: 'claude-3-5-haiku', messages: user(`${m} [usage:77/5]`) };
    const streamed = await chat(org.key, { ...body, stream: true });
    expect(streamed.headers.get('x-netra-cache')).toBe('miss');
    await sseData(streamed);
    const again = await eventually(() => chatOk(org.key, body), (r) => r.res.headers.get('x-netra-cache') === 'hit');
    expect(again.res.headers.get('x-netra-cache')).toBe('hit');
    expect(again.body.choices[0]!.message.content).toBe('Your biggest saving is caching.');
    expect(await upstreamRequests(m)).toHaveLength(1);
  });

  it('falls back on a 429, a 500 and a time-out', async () => {
    await activePolicy(org.tenant, {
      control_share: 0,
      canary: loose,
      upstream_timeout_ms: 500,
      policy: {
        version: 1,
        rules: [
          { id: 'to-broken', match: { feature: 'a' }, route_to: { provider: 'openai', model: 'gpt-4o-mini-broken' }, fallbacks: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
          { id: 'to-hang', match: { feature: 'b' }, route_to: { provider: 'openai', model: 'gpt-4o-mini-hang' }, fallbacks: [{ provider: 'anthropic', model: 'claude-3-5-haiku' }] },
          { id: 'to-limited', match: { feature: 'c' }, route_to: { provider: 'openai', model: 'gpt-4o-mini-limited' }, fallbacks: [{ provider: 'google', model: 'gemini-2.0-flash' }] },
        ],
      },
    });
    const a = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()) }, { 'x-netra-feature': 'a' });
    expect(a.res.headers.get('x-netra-served-model')).toBe('openai/gpt-4o-mini');
    const b = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()), stream: false }, { 'x-netra-feature': 'b' });
    expect(b.res.headers.get('x-netra-served-model')).toBe('anthropic/claude-3-5-haiku');
    const c = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()) }, { 'x-netra-feature': 'c' });
    expect(c.res.headers.get('x-netra-served-model')).toBe('google/gemini-2.0-flash');
    const rows = await ledgerRows([a, b, c].map((x) => x.res.headers.get('x-netra-request-id')!), query);
    expect(rows.map((r) => [r.rule_id, r.fallback, r.status]).sort()).toEqual([['to-broken', true, 'ok'], ['to-hang', true, 'ok'], ['to-limited', true, 'ok']]);
  });

  it('a budget blocks a call that would pass it, before any upstream sees it', async () => {
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [], budget_usd_month: 0.000001 } });
    const m = marker();
    const res = await chat(org.key, { model: 'gpt-4o', max_tokens: 1000, messages: user(m) });
    expect((await expectOpenAiError(res, 429, 'budget_exceeded')).error.type).toBe('insufficient_quota');
    expect(await upstreamRequests(m)).toHaveLength(0);
  });
});

describe('budget under concurrency', () => {
  it('50 concurrent calls never overshoot the monthly limit; reservations settle to the actual cost', async () => {
    const org = await gatewayOrg();
    const each = costNano(gpt4o, 10, 10);
    // Room for 16 settled calls, far less than 50, and for few reservations in flight (a reservation bounds a call at max_tokens).
    const limitUsd = (16 * each) / 1e9;
    await activePolicy(org.tenant, { control_share: 0, canary: loose, policy: { version: 1, rules: [], budget_usd_month: limitUsd } });
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(org.key, { model: 'gpt-4o', max_tokens: 20, messages: user(`${marker()} [usage:10/10]`) })));
    const ok = results.filter((r) => r.status === 200).length;
    const blocked = results.filter((r) => r.status === 429).length;
    expect(ok + blocked).toBe(50);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(blocked).toBeGreaterThanOrEqual(1);
    expect(ok * each).toBeLessThanOrEqual(limitUsd * 1e9);
    const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    const key = `gw:budget:${org.tenant.org_id}:${new Date().toISOString().slice(0, 7)}`;
    const spent = await eventually(async () => Number(await redis.get(key)), (v) => v === ok * each);
    expect(spent).toBe(ok * each);
  });
});

describe('ledger batches', () => {
  it('50 concurrent calls under a rule: exactly 50 ledger rows, one per request, and 50 call records', async () => {
    const org = await gatewayOrg();
    const p = await activePolicy(org.tenant, { control_share: 0.2, canary: loose, policy: { version: 1, rules: [{ id: 'capped', match: { model: 'gpt-4o-mini' }, max_tokens: 50 }] } });
    const m = marker();
    const results = await Promise.all(Array.from({ length: 50 }, () => chatOk(org.key, { model: 'gpt-4o-mini', messages: user(`${m} [usage:10/5]`) })));
    const ids = results.map((r) => r.res.headers.get('x-netra-request-id')!);
    expect(new Set(ids).size).toBe(50);
    const rows = await ledgerRows(ids, query);
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    // Nothing more arrives later, nor under another policy: the org's ledger is exactly these calls.
    const { rows: all } = await pg.pool.query<{ id: string; policy_id: string }>('select id, policy_id from savings_ledger where org_id = $1', [org.tenant.org_id]);
    expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(new Set(all.map((r) => r.policy_id))).toEqual(new Set([p.id]));
    const recorded = await eventually(
      async () => {
        await drain(org.tenant.org_id);
        return (await clickhouse<{ request_id: string }>('SELECT request_id FROM llm_calls FINAL WHERE org_id = {org:String}', { org: org.tenant.org_id })).map((r) => r.request_id);
      },
      (r) => r.length >= 50,
    );
    expect(recorded.sort()).toEqual([...ids].sort());
  });
});

describe('canary', () => {
  it('a policy whose treated arm errors more than its control arm rolls back by itself', async () => {
    const org = await gatewayOrg();
    const p = await activePolicy(org.tenant, { control_share: 0.5, canary: { min_calls: 5, max_error_rate_increase: 0.2, max_latency_ratio: 1000 }, policy: { version: 1, rules: [{ id: 'bad-route', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini-broken' } }] } });
    let status = 'active';
    for (let i = 0; i < 80 && status === 'active'; i++) {
      await chat(org.key, { model: 'gpt-4o', messages: user(marker()) }, { 'x-request-id': `canary-${p.id}-${i}` });
      status = (await getPolicy(org.tenant, p.id)).status;
    }
    const rolled = await eventually(() => getPolicy(org.tenant, p.id), (x) => x.status === 'rolled_back');
    expect(rolled.status).toBe('rolled_back');
    expect(rolled.rollback_reason).toContain('error rate');
    // The gateway stops applying it: gpt-4o is served as asked.
    const after = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()) });
    expect(after.res.headers.get('x-netra-arm')).toBe('none');
    expect(after.res.headers.get('x-netra-served-model')).toBe('openai/gpt-4o');
  });

  it('a policy whose treated arm answers much slower than its control arm rolls back by itself', async () => {
    const org = await gatewayOrg();
    // The treated arm goes to a model the local upstream answers 400 ms late; the control arm's calls take
    // milliseconds, so the treated mean is many times the control mean (the threshold is ×2); no errors.
    const p = await activePolicy(org.tenant, { control_share: 0.5, canary: { min_calls: 5, max_error_rate_increase: 1, max_latency_ratio: 2 }, policy: { version: 1, rules: [{ id: 'slow-route', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini-slow' } }] } });
    let status = 'active';
    const arms: string[] = [];
    for (let i = 0; i < 80 && status === 'active'; i++) {
      const res = await chat(org.key, { model: 'gpt-4o', messages: user(marker()) }, { 'x-request-id': `canary-slow-${p.id}-${i}` });
      expect(res.status).toBe(200);
      arms.push(res.headers.get('x-netra-arm')!);
      await res.arrayBuffer();
      status = (await getPolicy(org.tenant, p.id)).status;
    }
    const rolled = await eventually(() => getPolicy(org.tenant, p.id), (x) => x.status === 'rolled_back');
    expect(rolled.status).toBe('rolled_back');
    expect(rolled.rollback_reason).toContain('latency');
    // The ledger the canary judged: both arms had their calls, the treated arm the slow ones.
    const { rows } = await pg.pool.query<{ arm: string; n: number; mean: number }>(`select arm, count(*)::int as n, avg(latency_ms)::float8 as mean from savings_ledger where org_id = $1 and policy_id = $2 group by arm`, [org.tenant.org_id, p.id]);
    const byArm = Object.fromEntries(rows.map((r) => [r.arm, r]));
    expect(byArm.treated!.n).toBeGreaterThanOrEqual(5);
    expect(byArm.control!.n).toBeGreaterThanOrEqual(5);
    expect(byArm.treated!.mean).toBeGreaterThanOrEqual(400);
    expect(byArm.treated!.mean / byArm.control!.mean).toBeGreaterThan(2);
    expect(arms).toContain('treated');
    const after = await chatOk(org.key, { model: 'gpt-4o', messages: user(marker()) });
    expect(after.res.headers.get('x-netra-arm')).toBe('none');
    expect(after.res.headers.get('x-netra-served-model')).toBe('openai/gpt-4o');
  });
});

describeTenancy([
  {
    name: 'policies',
    create: async (owner) => {
      const res = await api('/api/policies', jsonRequest('POST', { policy: { version: 1, rules: [] } }, owner.headers));
      return ((await res.json()) as { id: string }).id;
    },
    probes: (id) => [
      { method: 'GET', path: `/api/policies/${id}` },
      { method: 'POST', path: `/api/policies/${id}/activate` },
      { method: 'POST', path: `/api/policies/${id}/deactivate` },
      { method: 'POST', path: `/api/policies/${id}/simulate` },
    ],
    lists: ['/api/policies'],
  },
]);

// Every documented operation through the typed client (hono/client over AppType): each answer must carry a
// status its operation lists and a JSON body valid against that status's schema — checked in Node by the
// control server (test/support/openapi-validator.ts, JSON Schema 2020-12) — and the last test fails when a
// documented operation was never called here. Calls run in order, as a team would: sign up, invite, import,
// ask the agent, apply its policy through the gateway, read the ledger.
import { env, exports } from 'cloudflare:workers';
import { hc, parseResponse } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from '../../workers/app';
import type { Exchange, ExchangeCheck } from '../support/openapi-validator';
import { fakeKey, fakeUrl } from './gateway-support';
import { callWith, captureLogs } from './org-support';
import { drain } from './ingest-support';
import { bearer, randomIp, uniqueEmail } from './tenancy';

const exchanges: Exchange[] = [];

/** A typed client whose every exchange is recorded; `vars` run the app under extra bindings (ENVIRONMENT, OPERATOR_TOKEN). */
function clientWith(vars: Record<string, string> = {}) {
  const send = (req: Request): Promise<Response> => {
    if (Object.keys(vars).length === 0) return exports.default.fetch(req);
    const url = new URL(req.url);
    return callWith(vars, url.pathname + url.search, req);
  };
  return hc<AppType>('http://api.test', {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      const res = await send(req);
      // A 101 answer has no body to read (and cannot be cloned).
      const body = res.status === 101 || !res.body ? '' : await res.clone().text();
      exchanges.push({ method: req.method, path: new URL(req.url).pathname, status: res.status, contentType: res.headers.get('content-type'), body });
      return res;
    },
  });
}

const client = clientWith();
const OPERATOR_TOKEN = `op-${crypto.randomUUID()}`;
const T0 = Date.UTC(2026, 10, 2);
const iso = (ms: number) => new Date(ms).toISOString();

/** Shared across the ordered tests below. */
const s = {} as {
  auth: { authorization: string };
  orgId: string;
  refresh: string;
  ingestKey: string;
  gatewayKey: string;
  threadId: string;
  runId: string;
  reportId: string;
};

/** The exchanges checked against the document by the control server (Node: the validator compiles schemas to code). */
async function checked(document: unknown, list: Exchange[]): Promise<ExchangeCheck> {
  const controlUrl = (env as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
  return (await (await fetch(`${controlUrl}/openapi/exchanges`, { method: 'POST', body: JSON.stringify({ document, exchanges: list }) })).json()) as ExchangeCheck;
}

const signIn = async (tokens: { access_token: string; refresh_token: string }) => {
  s.auth = bearer(tokens.access_token) as { authorization: string };
  s.refresh = tokens.refresh_token;
};

describe('the typed client round-trips every documented route', () => {
  it('auth: register, log in, refresh, me; Google and dev-login answer as documented', async () => {
    const email = uniqueEmail('routes');
    const password = `pw-${crypto.randomUUID()}`;
    const reg = await parseResponse(client.api.auth.register.$post({ json: { email, password, org_name: 'Routes Inc' } }, { headers: { 'cf-connecting-ip': randomIp() } }));
    s.orgId = reg.org.id;
    await signIn(await parseResponse(client.api.auth.login.$post({ json: { email, password } }, { headers: { 'cf-connecting-ip': randomIp() } })));
    await signIn(await parseResponse(client.api.auth.refresh.$post({ json: { refresh_token: s.refresh } })));
    expect((await parseResponse(client.api.auth.me.$get({}, { headers: s.auth }))).user.email).toBe(email);
    // Not development: dev-login does not exist.
    expect((await client.api.auth['dev-login'].$post({ json: { email } })).status).toBe(404);
    const authorize = await client.api.auth.google.authorize.$get({}, { init: { redirect: 'manual' } });
    expect(authorize.status).toBe(302);
    // The user declined at Google (no state of ours either): refused.
    const refused = await client.api.auth.google.callback.$get({ query: { error: 'access_denied' } }, { init: { redirect: 'manual' } });
    expect(refused.status).toBe(401);
  });

  it('org: tier, members, invitations, the operator, keys and the audit log', async () => {
    await parseResponse(client.api.orgs.current.tier.$put({ json: { tier: 'mid' } }, { headers: s.auth }));
    await signIn(await parseResponse(client.api.auth.refresh.$post({ json: { refresh_token: s.refresh } })));
    expect((await parseResponse(client.api.orgs.current.$get({}, { headers: s.auth }))).org.tier).toBe('mid');

    // In development the invitation email is a logged link.
    const dev = clientWith({ ENVIRONMENT: 'development' });
    const invitee = uniqueEmail('invitee');
    const { result: invitation, lines } = await captureLogs(() => parseResponse(dev.api.orgs.invitations.$post({ json: { email: invitee, role: 'member' } }, { headers: s.auth })));
    const line = lines.find((l) => l.includes('invitation email') && l.includes(invitation.id));
    const token = new URLSearchParams(new URL((JSON.parse(line!) as { link: string }).link).hash.slice(1)).get('token')!;
    const other = await parseResponse(client.api.orgs.invitations.$post({ json: { email: uniqueEmail('withdrawn') } }, { headers: s.auth }));
    expect((await parseResponse(client.api.orgs.invitations.$get({ query: {} }, { headers: s.auth }))).items.map((i) => i.id)).toEqual(expect.arrayContaining([invitation.id, other.id]));
    expect((await client.api.orgs.invitations[':id'].$delete({ param: { id: other.id } }, { headers: s.auth })).status).toBe(204);

    const member = await parseResponse(client.api.orgs.invitations.accept.$post({ json: { token, password: `pw-${crypto.randomUUID()}`, name: 'Member' } }, { headers: { 'cf-connecting-ip': randomIp() } }));
    expect(member.org.id).toBe(s.orgId);
    const members = await parseResponse(client.api.orgs.members.$get({ query: {} }, { headers: s.auth }));
    expect(members.items.map((m) => m.id)).toContain(member.user.id);
    expect((await parseResponse(client.api.orgs.members[':id'].$patch({ param: { id: member.user.id }, json: { role: 'admin' } }, { headers: s.auth }))).role).toBe('admin');
    expect((await client.api.orgs.members[':id'].$delete({ param: { id: member.user.id } }, { headers: s.auth })).status).toBe(204);

    const operator = clientWith({ OPERATOR_TOKEN });
    expect((await parseResponse(operator.api.operator.orgs[':id'].tier.$put({ param: { id: s.orgId }, json: { tier: 'enterprise' } }, { headers: bearer(OPERATOR_TOKEN) }))).org.tier).toBe('enterprise');
    await signIn(await parseResponse(client.api.auth.refresh.$post({ json: { refresh_token: s.refresh } })));

    s.ingestKey = (await parseResponse(client.api.keys.$post({ json: { name: 'ingest', scopes: ['ingest', 'read'] } }, { headers: s.auth }))).key;
    s.gatewayKey = (await parseResponse(client.api.keys.$post({ json: { name: 'gateway', scopes: ['gateway'] } }, { headers: s.auth }))).key;
    const spare = await parseResponse(client.api.keys.$post({ json: { name: 'spare', scopes: ['read'] } }, { headers: s.auth }));
    expect((await parseResponse(client.api.keys.$get({ query: {} }, { headers: s.auth }))).items.map((k) => k.id)).toContain(spare.id);
    expect((await client.api.keys[':id'].$delete({ param: { id: spare.id } }, { headers: s.auth })).status).toBe(204);

    const audit = await parseResponse(client.api.orgs.audit.$get({ query: {} }, { headers: s.auth }));
    expect(audit.items.map((a) => a.action)).toEqual(expect.arrayContaining(['member.added', 'member.removed', 'api_key.created', 'api_key.revoked']));
  });

  it('data: ingest, import, OTLP, generation, analytics, prices, reconciliation, supply and corpus', async () => {
    const ingest = bearer(s.ingestKey);
    const calls = [0, 1, 2].map((i) => ({ request_id: `rt-${i}`, timestamp: iso(T0 + i * 60_000), provider: 'openai', model: 'gpt-4o-mini', feature: 'routes', user: 'u1', input_tokens: 1000 + i, output_tokens: 100, latency_ms: 800, status: 'ok' }));
    // Batches and files are read as streams by their handlers (JSON or NDJSON, gzip, size limits): raw bodies.
    const batch = await client.api.ingest.calls.$post({ header: {} }, { init: { body: JSON.stringify(calls), headers: { ...ingest, 'content-type': 'application/json' } } });
    expect(batch.status).toBe(202);
    const ndjson = [3, 4].map((i) => JSON.stringify({ ...calls[0], request_id: `rt-${i}`, timestamp: iso(T0 + i * 60_000) })).join('\n');
    const imported = await client.api.ingest.import.$post({ query: { filename: 'calls.ndjson' }, header: {} }, { init: { body: ndjson, headers: { ...ingest, 'content-type': 'application/octet-stream' } } });
    expect([200, 202]).toContain(imported.status);
    const importId = ((await imported.json()) as { id: string }).id;
    const otlp = await client.v1.traces.$post({ json: { resourceSpans: [] } }, { headers: ingest });
    expect(otlp.status).toBe(200);
    const job = await parseResponse(client.api.generation.start.$post({ json: { seed: 7, calls: 4000, days: 7, start: iso(T0) } }, { headers: s.auth }));
    await expect
      .poll(async () => (await parseResponse(client.api.generation.status[':job_id'].$get({ param: { job_id: job.job_id } }, { headers: s.auth }))).status, { timeout: 60_000, interval: 500 })
      .toBe('completed');
    await expect.poll(async () => (await parseResponse(client.api.ingest.imports[':id'].$get({ param: { id: importId } }, { headers: s.auth }))).status, { timeout: 30_000, interval: 300 }).toBe('completed');
    expect((await parseResponse(client.api.ingest.imports.$get({ query: {} }, { headers: s.auth }))).items.map((i) => i.id)).toContain(importId);
    expect((await parseResponse(client.api.ingest['dead-letter'].$get({ query: {} }, { headers: s.auth }))).items).toEqual([]);
    await drain(s.orgId);

    const window = { from: iso(T0), to: iso(T0 + 8 * 86_400_000) };
    expect((await parseResponse(client.api.analytics.summary.$get({ query: window }, { headers: s.auth }))).calls).toBeGreaterThan(4000);
    await parseResponse(client.api.analytics.timeseries.$get({ query: { ...window, bucket: 'day' } }, { headers: s.auth }));
    await parseResponse(client.api.analytics.breakdown.$get({ query: { ...window, by: 'model' } }, { headers: s.auth }));
    await parseResponse(client.api.analytics.latency.$get({ query: window }, { headers: s.auth }));
    await parseResponse(client.api.analysis.findings.$get({ query: window }, { headers: s.auth }));

    await parseResponse(client.api.prices.$post({ json: { provider: 'openai', model: 'gpt-4o-mini', discount: 0.1, effective_from: iso(T0), note: 'deal' } }, { headers: s.auth }));
    expect((await parseResponse(client.api.prices.$get({ query: {} }, { headers: s.auth }))).items).toHaveLength(1);
    await parseResponse(client.api.prices.recompute.$post({ json: { from: iso(T0), to: iso(T0 + 86_400_000) } }, { headers: s.auth }));
    expect((await parseResponse(client.api.prices.recomputes.$get({ query: {} }, { headers: s.auth }))).items).toHaveLength(1);
    const bill = { object: 'page', data: [{ object: 'bucket', start_time: T0 / 1000, end_time: T0 / 1000 + 86_400, results: [{ object: 'organization.costs.result', amount: { value: 0.004, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, input', project_id: null }] }], has_more: false };
    await parseResponse(client.api.costs.reconciliation.$post({ query: {} }, { init: { body: JSON.stringify(bill), headers: { ...s.auth, 'content-type': 'application/json' } } }));

    const catalog = await parseResponse(client.api.supply.catalog.$get({ query: { provider: 'openai', limit: '5' } }));
    expect(catalog).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ provider: 'openai' })]) });
    await parseResponse(client.api.supply.estimate.$post({ json: { workload: { calls_per_month: 100_000, avg_input_tokens: 1200, avg_output_tokens: 200 }, limit: 3 } }));

    const note = await parseResponse(client.api.corpus.$post({ json: { title: 'routes note', content: 'a note', tags: ['routes'] } }, { headers: s.auth }));
    expect((await parseResponse(client.api.corpus[':id'].$get({ param: { id: note.id } }, { headers: s.auth }))).title).toBe('routes note');
    await parseResponse(client.api.corpus[':id'].$patch({ param: { id: note.id }, json: { title: 'renamed' } }, { headers: s.auth }));
    expect((await parseResponse(client.api.corpus.$get({ query: { tag: 'routes' } }, { headers: s.auth }))).items).toHaveLength(1);
    expect((await client.api.corpus[':id'].$delete({ param: { id: note.id } }, { headers: s.auth })).status).toBe(204);
  });

  it('threads and the agent: a run over the WebSocket, its status, history and report', async () => {
    const thread = await parseResponse(client.api.threads.$post({ json: { title: 'routes' } }, { headers: s.auth }));
    s.threadId = thread.id;
    await parseResponse(client.api.threads[':id'].$patch({ param: { id: s.threadId }, json: { title: 'cut costs' } }, { headers: s.auth }));
    await parseResponse(client.api.threads[':id'].switch.$put({ param: { id: s.threadId } }, { headers: s.auth }));
    expect((await parseResponse(client.api.threads.$get({ query: {} }, { headers: s.auth }))).items.map((t) => t.id)).toContain(s.threadId);
    expect((await parseResponse(client.api.threads[':id'].$get({ param: { id: s.threadId } }, { headers: s.auth }))).title).toBe('cut costs');

    const { ticket } = await parseResponse(client.api.ws.ticket.$post({ json: { thread_id: s.threadId } }, { headers: s.auth }));
    const upgraded = (await client.ws.$get({ query: { ticket, thread_id: s.threadId } }, { headers: { upgrade: 'websocket' } })) as unknown as Response;
    expect(upgraded.status).toBe(101);
    const ws = upgraded.webSocket!;
    ws.accept();
    const completed = new Promise<{ run_id: string; report_id: string }>((resolve) =>
      ws.addEventListener('message', (m) => {
        const e = JSON.parse(String(m.data)) as { type?: string; data?: { report_id?: string }; metadata?: { run_id?: string } };
        if (e.type === 'agent_completed') resolve({ run_id: e.metadata!.run_id!, report_id: e.data!.report_id! });
      }),
    );
    ws.send(JSON.stringify({ action: 'start_agent', data: { message: 'Where can we cut costs?', thread_id: s.threadId } }));
    ({ run_id: s.runId, report_id: s.reportId } = await completed);
    ws.close(1000, 'done');

    expect((await parseResponse(client.api.agent.status[':run_id'].$get({ param: { run_id: s.runId } }, { headers: s.auth }))).status).toBe('completed');
    expect((await parseResponse(client.api.agent.history.$get({ query: {} }, { headers: s.auth }))).items.map((r) => r.run_id)).toContain(s.runId);
    expect((await parseResponse(client.api.threads[':id'].messages.$get({ param: { id: s.threadId }, query: {} }, { headers: s.auth }))).items.length).toBeGreaterThan(0);
    expect((await parseResponse(client.api.reports.$get({ query: {} }, { headers: s.auth }))).items.map((r) => r.id)).toContain(s.reportId);
    expect(await parseResponse(client.api.reports[':id'].$get({ param: { id: s.reportId }, query: {} }, { headers: s.auth }))).toMatchObject({ id: s.reportId });
    expect(await parseResponse(client.api.reports[':id'].$get({ param: { id: s.reportId }, query: { format: 'markdown' } }, { headers: s.auth }))).toContain('#');
  }, 120_000);

  it('gateway: provider keys, policies from the report, chat and embeddings, the savings ledger', async () => {
    const openai = await parseResponse(client.api.gateway['provider-keys'].$post({ json: { name: 'openai', provider: 'openai', base_url: `${fakeUrl()}/v1`, key: fakeKey() } }, { headers: s.auth }));
    const spare = await parseResponse(client.api.gateway['provider-keys'].$post({ json: { name: 'spare', provider: 'anthropic', base_url: fakeUrl(), key: fakeKey() } }, { headers: s.auth }));
    expect((await parseResponse(client.api.gateway['provider-keys'].$get({}, { headers: s.auth }))).items.map((k) => k.id)).toEqual(expect.arrayContaining([openai.id, spare.id]));
    expect((await parseResponse(client.api.gateway['provider-keys'][':id'].$get({ param: { id: openai.id } }, { headers: s.auth }))).id).toBe(openai.id);
    await parseResponse(client.api.gateway['provider-keys'][':id'].$patch({ param: { id: spare.id }, json: { name: 'renamed' } }, { headers: s.auth }));
    expect((await client.api.gateway['provider-keys'][':id'].$delete({ param: { id: spare.id } }, { headers: s.auth })).status).toBe(204);

    const drafted = await client.api.policies['from-report'][':report_id'].$post({ param: { report_id: s.reportId }, json: {} }, { headers: s.auth });
    expect(drafted.status, await drafted.clone().text()).toBe(201);
    const policy = await parseResponse(
      client.api.policies.$post({ json: { control_share: 0.5, policy: { version: 1, rules: [{ id: 'down', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' } }] } } }, { headers: s.auth }),
    );
    await parseResponse(client.api.policies[':id'].simulate.$post({ param: { id: policy.id } }, { headers: s.auth }));
    expect((await parseResponse(client.api.policies[':id'].activate.$post({ param: { id: policy.id } }, { headers: s.auth }))).status).toBe('active');
    expect((await parseResponse(client.api.policies.$get({}, { headers: s.auth }))).items.map((p) => p.id)).toContain(policy.id);
    expect((await parseResponse(client.api.policies[':id'].$get({ param: { id: policy.id } }, { headers: s.auth }))).status).toBe('active');

    const gateway = { ...bearer(s.gatewayKey), 'x-netra-feature': 'routes', 'x-netra-user': 'u1' };
    for (let i = 0; i < 4; i++) {
      // The gateway answers the upstream's chat.completion (or its stream) as is: documented as an object.
      const answer = await client.v1.chat.completions.$post({ json: { model: 'gpt-4o', messages: [{ role: 'user', content: `question ${i} [usage:1000/50]` }] } }, { headers: gateway });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ object: 'chat.completion', choices: [expect.objectContaining({ index: 0 })] });
    }
    const embedded = await client.v1.embeddings.$post({ json: { model: 'text-embedding-3-small', input: 'embed me [usage:9/0]' } }, { headers: gateway });
    expect(embedded.status).toBe(200);
    expect(await embedded.json()).toMatchObject({ object: 'list', data: [expect.objectContaining({ object: 'embedding' })] });

    await parseResponse(client.api.metrics.track.$post({ json: { event_type: 'routes.checked', data: { ok: true } } }, { headers: bearer(s.ingestKey) }));
    const ledgerCalls = async () => (await parseResponse(client.api.metrics.savings.summary.$get({ query: {} }, { headers: s.auth }))).groups.reduce((n, g) => n + g.treated.calls + g.control.calls, 0);
    await expect.poll(ledgerCalls, { timeout: 20_000, interval: 300 }).toBe(4);
    await parseResponse(client.api.metrics.savings[':user_id'].$get({ param: { user_id: 'u1' }, query: { group_by: 'day' } }, { headers: s.auth }));
    await parseResponse(client.api.metrics.roi.$get({}, { headers: s.auth }));
    await parseResponse(client.api.metrics.performance.$get({}, { headers: s.auth }));
    expect((await parseResponse(client.api.policies[':id'].deactivate.$post({ param: { id: policy.id } }, { headers: s.auth }))).status).not.toBe('active');
  });

  it('tiers, health and the document itself', async () => {
    expect((await parseResponse(client.api.metrics.tier[':tier'].limits.$get({ param: { tier: 'enterprise' } }))).tier).toBe('enterprise');
    await parseResponse(client.api.free.demo.$get({}, { headers: s.auth }));
    await parseResponse(client.api.free['sample-analysis'].$post({ json: { days: 7 } }, { headers: s.auth }));
    await parseResponse(client.api.free['conversion-triggers'].$get({}, { headers: s.auth }));
    await parseResponse(client.api.tier.usage.$get({}, { headers: s.auth }));
    const optimizing = await parseResponse(client.api.tier.optimize.$post({ json: { goal: 'latency' } }, { headers: s.auth }));
    await parseResponse(client.api.tier['savings-report'].$get({}, { headers: s.auth }));
    await parseResponse(client.api.enterprise['custom-integrations'].$get({}, { headers: s.auth }));
    const bulk = await parseResponse(client.api.enterprise['bulk-optimization'].$post({ json: { runs: 2 } }, { headers: s.auth }));
    // The runs these started finish before the file ends (a run cut off by the test's end only adds noise).
    for (const { run_id } of [optimizing, ...bulk.started]) {
      const status = async () => (await parseResponse(client.api.agent.status[':run_id'].$get({ param: { run_id } }, { headers: s.auth }))).status;
      await expect.poll(status, { timeout: 60_000, interval: 500 }).toBe('completed');
    }
    await parseResponse(client.api.enterprise['sla-compliance'].$get({}, { headers: s.auth }));
    await parseResponse(client.api.enterprise['dedicated-support'].$get({}, { headers: s.auth }));

    expect((await parseResponse(client.health.$get())).status).toBe('ok');
    // Each store must answer within the readiness probe's deadline: on a loaded machine a try can miss it (503, also documented).
    await expect.poll(async () => (await client.health.ready.$get()).status, { timeout: 20_000, interval: 500 }).toBe(200);
    await parseResponse(client.health.dependencies.$get({}, { headers: s.auth }));
    expect(await parseResponse(client.api.metrics.$get())).toContain('# TYPE');
    expect((await client.api.threads[':id'].$delete({ param: { id: s.threadId } }, { headers: s.auth })).status).toBe(204);
    expect((await client.api.auth.logout.$post({}, { headers: s.auth })).status).toBe(204);

    const document = await parseResponse(client.api['openapi.json'].$get());
    const check = await checked(document, exchanges);
    expect(check.problems).toEqual([]);
    const methods = ['get', 'post', 'put', 'patch', 'delete'];
    const documented = Object.entries((document as { paths: Record<string, Record<string, unknown>> }).paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThan(90);
    expect(documented.filter((op) => !check.covered.includes(op))).toEqual([]);
  });

  it('the check can fail: a body off its schema, an unlisted status and an undocumented route are named', async () => {
    const document = await parseResponse(client.api['openapi.json'].$get());
    const bad: Exchange[] = [
      { method: 'GET', path: '/health', status: 200, contentType: 'application/json', body: '{"status":"ok"}' },
      { method: 'DELETE', path: '/api/keys/key_1', status: 200, contentType: null, body: '' },
      { method: 'GET', path: '/api/nothing-here', status: 200, contentType: null, body: '' },
    ];
    const check = await checked(document, bad);
    expect(check.problems).toEqual([
      expect.stringMatching(/^GET \/health: 200 body off its schema: .*service/),
      'DELETE /api/keys/{id}: answered 200, which the operation does not list',
      'GET /api/nothing-here: not in the document',
    ]);
  });
});

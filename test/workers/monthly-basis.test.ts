// One monthly basis: the same finding over the same traffic carries the same $/month in the findings API
// (what the dashboard reads, over its 30-day window), in the agent's stored report and in its answer —
// all scaled by the observed traffic span (14 days here), stated in each finding's evidence.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../engine/findings';
import { api, jsonRequest } from './helpers';
import { drain } from './ingest-support';
import { signUp } from './tenancy';
import { connect } from './ws-client';

const START = Date.parse('2026-11-01T00:00:00Z');
const DAY = 86_400_000;
const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const scopeKey = (f: Pick<Finding, 'tool' | 'where'>) => `${f.tool}|${JSON.stringify(Object.entries(f.where).sort())}`;

interface FindingsJson {
  window: { from: string; to: string; days: number };
  findings: Finding[];
  combined_saving: { saving_usd_month: number };
}

describe('one monthly basis', () => {
  it('findings API (30-day window), stored report and answer carry the same $/month per finding, on 14 observed days', async () => {
    const t = await signUp();
    const start = await api('/api/generation/start', jsonRequest('POST', { seed: 23, calls: 3000, days: 14, start: new Date(START).toISOString() }, t.headers));
    expect(start.status).toBe(202);
    const job = ((await start.json()) as { job_id: string }).job_id;
    await expect.poll(async () => ((await (await api(`/api/generation/status/${job}`, { headers: t.headers })).json()) as { status: string }).status, { timeout: 60_000, interval: 300 }).toBe('completed');
    await drain(t.org_id);

    const thread = ((await (await api('/api/threads', jsonRequest('POST', { title: 'basis' }, t.headers))).json()) as { id: string }).id;
    const s = await connect(t, thread);
    await s.waitFor((e) => e.type === 'connection_established');
    s.send({ action: 'start_agent', data: { message: 'Where can we save money?', thread_id: thread } });
    const done = await s.waitFor((e) => e.type === 'agent_completed', 90_000);
    s.close();
    if (done.type !== 'agent_completed') throw new Error('unreachable');
    const report = (await (await api(`/api/reports/${done.data.report_id}`, { headers: t.headers })).json()) as { data: { savings: Finding[]; monthly_saving_usd: number; monthly_spend_usd: number } };
    expect(report.data.savings.length).toBeGreaterThan(0);

    // The dashboard's window: the 30 days ending with the traffic (16 empty days, then 14 of calls).
    const from = new Date(START + 14 * DAY - 30 * DAY).toISOString();
    const to = new Date(START + 14 * DAY).toISOString();
    const res = await api(`/api/analysis/findings?from=${from}&to=${to}`, { headers: t.headers });
    expect(res.status).toBe(200);
    const dashboard = (await res.json()) as FindingsJson;
    expect(dashboard.window.days).toBe(30);
    const byScope = new Map(dashboard.findings.map((f) => [scopeKey(f), f]));

    for (const f of report.data.savings) {
      const same = byScope.get(scopeKey(f));
      expect(same, scopeKey(f)).toBeDefined();
      expect(same!.saving_nanousd).toBe(f.saving_nanousd);
      expect(same!.saving_usd_month).toBe(f.saving_usd_month);
      // the basis is the observed span, not the requested window: 14 days of traffic (to the hour)
      const basis = same!.evidence.monthly_basis as { days: number; basis: string };
      expect(basis).toEqual(f.evidence.monthly_basis);
      expect(basis.basis).toBe('observed_traffic');
      expect(basis.days).toBeGreaterThan(13);
      expect(basis.days).toBeLessThanOrEqual(14);
      // and the figure is that span's arithmetic, done here
      expect(f.saving_usd_month).toBeCloseTo((f.saving_nanousd / 1e9) * (30 / basis.days), 6);
    }
    expect(dashboard.combined_saving.saving_usd_month).toBe(report.data.monthly_saving_usd);

    // The answer states the same figures.
    expect(done.data.answer).toContain(`${usd(report.data.monthly_saving_usd)}/month`);
    // every $/month figure of the answer (its plan steps, the combined total, the spend) is one of the report's,
    // so all are on the same basis
    const known = new Set([...report.data.savings.map((f) => usd(f.saving_usd_month)), usd(report.data.monthly_saving_usd), usd(report.data.monthly_spend_usd)]);
    const figures = [...(done.data.answer ?? '').matchAll(/(\$[\d,]+\.\d\d)\/month/g)].map((m) => m[1]);
    expect(figures.length).toBeGreaterThan(2);
    for (const fig of figures) expect(known, fig).toContain(fig);
  }, 240_000); // generation, the full run and the findings query on a shared 2-core machine
});

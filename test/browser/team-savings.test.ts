// The web app in Chromium with real data behind the report's policy and the dashboard's savings card: an org
// whose synthetic workload makes the report propose a gateway policy (applied from the report page, then listed
// active), real gateway traffic through a local fake OpenAI upstream (test/support/fake-llm.ts) so the savings
// ledger has treated and control calls, and the Realized savings card checked against the test's own sums over
// the calls it sent. Then a teammate: invited, they see the org's thread and report; removed, they lose them.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bench/lib/app';
import { findModel } from '../../engine/catalog/index';
import { startFakeLlm, type FakeLlm } from '../support/fake-llm';
import { launchChromium, openPage, screenshot, seriousA11yViolations, type WatchedPage } from './support/browser';
import { PASSWORD, register, signIn } from './support/account';
import { resetAuthRateLimits } from './support/rate-limits';

/** The synthetic workload of the agent tests that makes a cost report carry a gateway policy. */
const WORKLOAD = { seed: 7, calls: 4000, days: 7, start: '2026-11-01T00:00:00Z' };
const GATEWAY_CALLS = 40;

let app: RunningApp;
let browser: Browser;
let llm: FakeLlm;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  [app, browser, llm] = await Promise.all([startApp({ timeoutMs: 240_000 }), launchChromium(), startFakeLlm()]);
  await resetAuthRateLimits(app);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await llm?.close();
});
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    for (const [i, p] of pages.entries()) {
      if (!p.page.isClosed()) await screenshot(p.page, `failed-team-${task.name.replace(/\W+/g, '_').slice(0, 40)}-${i}`).catch(() => {});
    }
  }
  expect(pages.flatMap((p) => p.errors.splice(0))).toEqual([]);
});

async function newPage(): Promise<WatchedPage> {
  const p = await openPage(browser, app.url);
  pages.push(p);
  return p;
}

/** The API as a client outside the browser: JSON in and out, the status checked. */
async function call<T>(method: string, path: string, token: string | null, body?: unknown, status = [200, 201, 202, 204]): Promise<T> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(status, `${method} ${path}: ${res.status} ${text}`).toContain(res.status);
  return (text ? JSON.parse(text) : null) as T;
}

const login = async (email: string) => (await call<{ access_token: string }>('POST', '/api/auth/login', null, { email, password: PASSWORD })).access_token;

const carol = { name: 'Carol', email: `carol-${Date.now()}@example.com`, org: 'Carol Labs' };
const dave = { name: 'Dave', email: `dave-${Date.now()}@example.com` };
let c: WatchedPage;
let token = '';
let reportPath = '';

const usdText = (v: number) => v.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe('report policy, realized savings and teammates in Chromium', () => {
  it("applies a report's gateway policy from the report page and sees it listed, active", async () => {
    c = await newPage();
    const { page } = c;
    await register(page, carol);
    token = await login(carol.email);
    const job = await call<{ job_id: string }>('POST', '/api/generation/start', token, WORKLOAD);
    const status = () => call<{ status: string; generated: number }>('GET', `/api/generation/status/${job.job_id}`, token);
    await expect.poll(async () => (await status()).status, { timeout: 240_000, interval: 500 }).toBe('completed');
    // The generator writes whole conversations (about WORKLOAD.calls calls); wait until ClickHouse counts all of them.
    const generated = (await status()).generated;
    expect(generated).toBeGreaterThan(0);
    await expect.poll(async () => (await call<{ calls?: number }>('GET', '/api/analytics/summary', token)).calls, { timeout: 240_000, interval: 500 }).toBe(generated);

    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Cut our LLM costs by 30% please');
    await composer.press('Enter');
    const answer = page.locator('.msg.assistant').first();
    // The answer re-renders while the run's last events arrive: a click then can land on a replaced node, so
    // wait for the run to end (the composer is free again) before following the link.
    await answer.getByRole('link', { name: 'Open full report' }).waitFor();
    await expect.poll(() => page.locator('details.run.running').count(), { timeout: 120_000 }).toBe(0);
    const onReport = () => new URL(page.url()).pathname.startsWith('/reports/');
    await expect
      .poll(async () => onReport() || (await answer.getByRole('link', { name: 'Open full report' }).click({ timeout: 5_000 }).catch(() => {}), onReport()), { timeout: 60_000 })
      .toBe(true);
    await page.locator('article.report').waitFor();
    reportPath = new URL(page.url()).pathname;
    const reportId = reportPath.split('/').pop()!;

    const policies = page.locator('section.policies');
    await policies.getByText('No gateway policies yet.').waitFor();
    await policies.getByRole('button', { name: 'Apply as gateway policy' }).click();
    const row = policies.getByRole('row', { name: /from this report/ });
    await row.getByText('active', { exact: true }).waitFor();
    expect(await row.locator('td').first().textContent()).toBe('v1');
    // The server agrees: one policy, active, drafted from this report with the report's rules.
    const listed = await call<{ items: Array<{ status: string; source_report_id: string; policy: { rules: unknown[] } }> }>('GET', '/api/policies', token);
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ status: 'active', source_report_id: reportId });
    expect(listed.items[0]!.policy.rules.length).toBeGreaterThan(0);
    await screenshot(page, 'report-policy-applied');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("shows the gateway's realized savings on the dashboard: the card's figures are the sums over the calls sent", async () => {
    const { page } = c;
    await call('POST', '/api/gateway/provider-keys', token, { name: 'fake openai', provider: 'openai', base_url: `${llm.url}/v1`, key: llm.key });
    const key = (await call<{ key: string }>('POST', '/api/keys', token, { name: 'gateway', scopes: ['gateway'] })).key;
    // A downgrade policy with half the calls held out as control; its canary never rolls back in this test.
    const policy = await call<{ id: string }>('POST', '/api/policies', token, {
      name: 'downgrade gpt-4o',
      control_share: 0.5,
      canary: { min_calls: 100_000, max_error_rate_increase: 1, max_latency_ratio: 1000 },
      policy: { version: 1, rules: [{ id: 'down', match: { model: 'gpt-4o' }, route_to: { provider: 'openai', model: 'gpt-4o-mini' } }] },
    });
    await call('POST', `/api/policies/${policy.id}/activate`, token);

    const gpt4o = findModel('gpt-4o', 'openai')!;
    const mini = findModel('gpt-4o-mini', 'openai')!;
    const price = (m: { input_per_m: number; output_per_m: number }, input: number, output: number) => (input * m.input_per_m + output * m.output_per_m) / 1e6;
    const sums = { treated: { calls: 0, cost: 0 }, control: { calls: 0, cost: 0 }, saved: 0 };
    for (let i = 0; i < GATEWAY_CALLS; i++) {
      const input = 20_000 + 500 * i;
      const output = 2_000 + 50 * i;
      const res = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `question ${i} [usage:${input}/${output}]` }] }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      await res.arrayBuffer();
      const arm = res.headers.get('x-netra-arm');
      const served = res.headers.get('x-netra-served-model');
      if (arm === 'treated') {
        expect(served).toBe('openai/gpt-4o-mini');
        sums.treated.calls++;
        sums.treated.cost += price(mini, input, output);
        sums.saved += price(gpt4o, input, output) - price(mini, input, output);
      } else {
        expect(arm).toBe('control');
        expect(served).toBe('openai/gpt-4o');
        sums.control.calls++;
        sums.control.cost += price(gpt4o, input, output);
      }
    }
    // P(fewer than 2 of 40 calls in an arm at a 50 % holdout) = 2·41/2^40 < 1e-10.
    expect(Math.min(sums.treated.calls, sums.control.calls)).toBeGreaterThanOrEqual(2);
    // The ledger is written after each answer: wait until it holds every call.
    await expect
      .poll(async () => {
        const s = await call<{ groups: Array<{ treated: { calls: number }; control: { calls: number } }> }>('GET', '/api/metrics/savings/summary?group_by=all', token);
        return s.groups[0] ? s.groups[0].treated.calls + s.groups[0].control.calls : 0;
      }, { timeout: 120_000, interval: 500 })
      .toBe(GATEWAY_CALLS);

    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Realized savings' }) });
    const saved = card.locator('.stat').filter({ hasText: 'Saved this month' }).locator('.stat-value');
    await saved.waitFor();
    expect(await saved.textContent()).toBe(usdText(sums.saved));
    const armRow = async (name: RegExp) => (await card.getByRole('row', { name }).locator('td').allTextContents()).slice(1, 3);
    expect(await armRow(/^Treated/)).toEqual([String(sums.treated.calls), usdText(sums.treated.cost)]);
    expect(await armRow(/^Control/)).toEqual([String(sums.control.calls), usdText(sums.control.cost)]);
    await card.getByText(/Difference per call \(treated − control\): .*, 95% interval/).waitFor();
    // ROI: the fee is a share of what was saved; the net is the rest.
    const roi = card.locator('.stat').filter({ hasText: 'ROI' });
    const fee = await call<{ fee_share: number }>('GET', '/api/metrics/roi', token);
    await roi.getByText(`fee ${usdText(sums.saved * fee.fee_share)}`, { exact: false }).waitFor();
    await roi.getByText(`net ${usdText(sums.saved * (1 - fee.fee_share))}`, { exact: false }).waitFor();
    // Tier usage for this free org: its one API key of two allowed.
    await card.getByRole('row', { name: 'API keys 1 2 50%' }).waitFor();
    await expect.poll(() => page.locator('.loading').count(), { timeout: 60_000 }).toBe(0);
    await screenshot(page, 'dashboard-realized-savings');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("an invited teammate sees the org's thread and report; once removed, they are signed out and see nothing", async () => {
    const invited = await call<{ id: string }>('POST', '/api/orgs/invitations', token, { email: dave.email, role: 'member' });
    // No mail transport locally: in development the invitation link is logged (wrangler's log of the app).
    await expect.poll(() => readFileSync(app.logFile, 'utf8').includes(invited.id), { timeout: 30_000, interval: 200 }).toBe(true);
    const line = readFileSync(app.logFile, 'utf8').split('\n').find((l) => l.includes('invitation email') && l.includes(invited.id))!;
    const link = (JSON.parse(line.slice(line.indexOf('{'))) as { link: string }).link;
    const inviteToken = new URLSearchParams(new URL(link).hash.slice(1)).get('token')!;
    const joined = await call<{ user: { id: string; org_id: string } }>('POST', '/api/orgs/invitations/accept', null, { token: inviteToken, password: PASSWORD, name: dave.name });
    const carolThreads = await call<{ items: Array<{ id: string; title: string }> }>('GET', '/api/threads', token);
    expect(carolThreads.items.length).toBeGreaterThan(0);

    const d = await newPage();
    const { page } = d;
    await signIn(page, dave.email);
    // The org's thread (Carol's) is in Dave's thread list, with its messages.
    await page.locator('.thread-link', { hasText: carolThreads.items[0]!.title }).first().click();
    await page.locator('.msg.assistant').first().getByRole('link', { name: 'Open full report' }).waitFor();
    // A member posts in it but does not rename or delete a teammate's thread: no such buttons for Dave.
    expect(await page.getByRole('button', { name: `Delete ${carolThreads.items[0]!.title}` }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Rename ${carolThreads.items[0]!.title}` }).count()).toBe(0);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: /saving/ }).first().waitFor();
    await page.goto(reportPath);
    await page.locator('article.report').waitFor();
    await screenshot(page, 'teammate-report');

    await call('DELETE', `/api/orgs/members/${joined.user.id}`, token);
    // Removed: the next request answers 401 and the app signs Dave out; the report is gone for him.
    await page.goto(reportPath);
    await page.getByRole('tab', { name: 'Sign in' }).waitFor();
    const refused = d.errors.filter((e) => /40[13]/.test(e));
    expect(refused.length).toBeGreaterThan(0);
    d.errors.splice(0, d.errors.length, ...d.errors.filter((e) => !/40[13]/.test(e)));
  });
});

// The web app in a real browser (Debian's Chromium via playwright-core) against the app started the way
// `npm start` starts it: the local stack on free ports + `wrangler dev --local` serving pages/dist
// (bench/lib/app.ts). One person's path through the product, then a second person who must see none of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startApp, type RunningApp } from '../../bench/lib/app';
import { TIER_DEFINITIONS } from '../../engine/tiers';
import { launchChromium, openPage, screenshot, seriousA11yViolations, type WatchedPage } from './support/browser';
import { PASSWORD, register, signIn } from './support/account';
import { resetAuthRateLimits } from './support/rate-limits';

const FIXTURE = join(repoRoot, 'test/fixtures/telemetry/native_calls.ndjson');
const QUESTION = 'What are our p95 latencies by model, and how do we lower them?';

/** Nearest-rank p95 (rank ceil(0.95·n)) of the latency of the fixture's ok calls, per model: a plain loop. */
function p95ByModel(): Map<string, number> {
  const byModel = new Map<string, number[]>();
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const call = JSON.parse(line) as { model: string; status: string; latency_ms?: number };
    if (!byModel.has(call.model)) byModel.set(call.model, []);
    if (call.status === 'ok' && typeof call.latency_ms === 'number') byModel.get(call.model)!.push(call.latency_ms);
  }
  const out = new Map<string, number>();
  for (const [model, values] of byModel) {
    values.sort((x, y) => x - y);
    out.set(model, values[Math.ceil(0.95 * values.length) - 1]!);
  }
  return out;
}

let app: RunningApp;
let browser: Browser;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startApp({ timeoutMs: 240_000 }), launchChromium()]);
  await resetAuthRateLimits(app);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});
// Console errors fail the test that caused them; a failed test leaves a screenshot and the errors shown.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    for (const [i, p] of pages.entries()) {
      if (p.page.isClosed()) continue;
      await screenshot(p.page, `failed-${task.name.replace(/\W+/g, '_').slice(0, 40)}-${i}`).catch(() => {});
      const shown = await p.page.locator('.error-box').allTextContents().catch(() => []);
      if (shown.length) console.error(`page ${i} shows: ${shown.join(' | ')}`);
    }
  }
  const errors = pages.flatMap((p) => p.errors.splice(0));
  expect(errors).toEqual([]);
});

async function newPage(viewport?: { width: number; height: number }): Promise<WatchedPage> {
  const p = await openPage(browser, app.url, viewport);
  pages.push(p);
  return p;
}

/** Presses Tab until `target` has the focus (a keyboard user's path to it); fails if it never gets it. */
async function tabTo(page: Page, target: Locator, maxTabs = 80): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < maxTabs; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${String(target)} not reached with ${maxTabs} Tab presses`);
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

const alice = { name: 'Alice', email: `alice-${Date.now()}@example.com`, org: 'Alice Corp' };
const bob = { name: 'Bob', email: `bob-${Date.now()}@example.com`, org: 'Bob Ltd' };
let a: WatchedPage;
let reportPath = '';

describe('web app in Chromium', () => {
  it('sign-in page has no serious accessibility violation, also at phone width', async () => {
    const { page } = await newPage();
    await page.goto('/');
    await page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    const phone = await newPage({ width: 390, height: 844 });
    await phone.page.goto('/');
    await phone.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await screenshot(phone.page, 'sign-in-phone');
    await expectAccessible(phone.page);
  });

  it('registers, imports a trace file with its progress bar', async () => {
    a = await newPage();
    const { page } = a;
    await register(page, alice);
    await expectAccessible(page);
    await screenshot(page, 'chat-empty');

    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByLabel('File', { exact: true }).setInputFiles(FIXTURE);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const row = page.locator('.import').first();
    await row.getByText('completed').waitFor();
    // The bar follows the upload, then the bytes the server imported: the whole file at the end.
    const bar = row.getByRole('progressbar', { name: /native_calls\.ndjson/ });
    expect(await bar.getAttribute('value')).toBe('100');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim()).length;
    expect(await row.locator('strong').nth(1).textContent()).toBe(String(lines));
    // Accepted is stored durably in the ingest buffer; ClickHouse has the calls once it flushes. The later
    // steps ask about them, so wait until the analytics API counts every line.
    const login = await page.request.post(`${app.url}/api/auth/login`, { data: { email: alice.email, password: PASSWORD } });
    const token = ((await login.json()) as { access_token: string }).access_token;
    await expect
      .poll(async () => ((await (await page.request.get(`${app.url}/api/analytics/summary`, { headers: { authorization: `Bearer ${token}` } })).json()) as { calls?: number }).calls, { timeout: 120_000, interval: 500 })
      .toBe(lines);
    await screenshot(page, 'data-imported');
  });

  it('asks a question, watches the live agent events and sees the answer with its table', async () => {
    const { page } = a;
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill(QUESTION);
    await composer.press('Enter');
    // The run panel is built only from the thread's WebSocket events (sub-agent updates, tool calls).
    const run = page.locator('details.run').first();
    await run.waitFor();
    const answer = page.locator('.msg.assistant').first();
    await answer.waitFor();
    const steps = await run.locator('.subagent strong').allTextContents();
    expect(steps).toEqual(expect.arrayContaining(['triage', 'data intelligence', 'reporting']));
    expect(await run.locator('.tool code').allTextContents()).toContain('workload_profile');
    // The answer's table: one row per model of the file, its p95 the nearest-rank p95 of the file's ok calls.
    const expected = p95ByModel();
    const table = answer.locator('table').first();
    await table.waitFor();
    const head = await table.locator('thead th').allTextContents();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toHaveLength(expected.size);
    for (const [model, p95] of expected) {
      const row = rows.find((r) => r[0]!.endsWith(`/${model}`));
      expect(row, model).toBeDefined();
      expect(row![head.indexOf('p95')]).toBe(`${p95.toLocaleString('en-US')} ms`);
    }
    // The answer's chart, drawn like the report's, with its figures as a table.
    const chart = answer.locator('figure').filter({ hasText: 'Latency p95' });
    await chart.getByText('Chart data: latency p95').click();
    // Read from the DOM, not by visibility: the answer re-renders while the run's last events arrive.
    const chartRows = () => chart.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr.textContent ?? '').replace(/\s+/g, ' ').trim()));
    for (const [model, p95] of expected) await expect.poll(async () => (await chartRows()).some((r) => r.endsWith(`/${model}${p95.toLocaleString('en-US')} ms`) || r.endsWith(`/${model} ${p95.toLocaleString('en-US')} ms`)), { timeout: 60_000 }).toBe(true);
    await screenshot(page, 'chat-answer');
    await expectAccessible(page);
  });

  it('asks where to cut cost and opens the report with its charts', async () => {
    const { page } = a;
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Where can we cut cost without hurting quality?');
    await composer.press('Enter');
    const answer = page.locator('.msg.assistant').nth(1);
    await answer.getByText(/combined/).waitFor();
    const combined = /worth (\$[\d,.]+)\/month combined/.exec((await answer.textContent())!)![1]!;
    await answer.getByRole('link', { name: 'Open full report' }).click();
    const report = page.locator('article.report');
    await report.waitFor();
    reportPath = new URL(page.url()).pathname;

    // Waterfall: the levers' additions add up to the combined total the answer states.
    const waterfall = report.locator('figure').filter({ hasText: 'Savings by lever' });
    await waterfall.getByText('Chart data: savings by lever').click();
    const steps = await waterfall.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
    const dollars = (t: string) => Number(t.replace(/[^\d.]/g, ''));
    const total = steps.pop()!;
    expect(total[0]).toBe('Combined');
    expect(total[3]).toBe(combined);
    expect(steps.length).toBeGreaterThan(0);
    expect(Math.round(steps.reduce((sum, r) => sum + dollars(r[3]!), 0) * 100)).toBe(Math.round(dollars(combined) * 100));

    // Latency percentiles by model: the file's nearest-rank p95 per model.
    const latency = report.locator('figure').filter({ hasText: 'Latency percentiles by model' });
    await latency.getByText('Chart data: latency percentiles by model').click();
    for (const [model, p95] of p95ByModel()) await latency.getByRole('row', { name: new RegExp(`/${model} .*${p95.toLocaleString('en-US')} ms`) }).waitFor();

    // Spend over time by model: one column per model of the file.
    const spend = report.locator('figure').filter({ hasText: 'Spend over time by model' });
    await spend.getByText('Chart data: spend over time by model').click();
    const columns = await spend.locator('thead th').allTextContents();
    for (const model of p95ByModel().keys()) expect(columns.some((c) => c.endsWith(`/${model}`)), model).toBe(true);
    expect(await spend.locator('svg rect').count()).toBeGreaterThan(0);

    await screenshot(page, 'report');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: /saving/ }).first().waitFor();
  });

  it("report page lists the org's gateway policies; a report without a policy offers none to apply", async () => {
    const { page } = a;
    await page.goto(reportPath);
    const policies = page.locator('section.policies');
    // This fixture's cost report proposes billed-failure fixes only, no routing policy: nothing to apply.
    await policies.getByText('No gateway policies yet.').waitFor();
    await policies.getByText('This report proposes no gateway policy.').waitFor();
    expect(await policies.getByRole('button', { name: 'Apply as gateway policy' }).count()).toBe(0);
    await expectAccessible(page);
  });

  it('renders markdown sanitized: raw HTML in a question quoted by the report stays text, unsafe links lose their target', async () => {
    const { page } = a;
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.locator('.thread-link').first().click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Where does our money go? <img src="/x.png" onerror="window.__xss=1"> [details](javascript:window.__xss=2)');
    await composer.press('Enter');
    const answer = page.locator('.msg.assistant').nth(2);
    await answer.getByRole('link', { name: 'Open full report' }).click();
    const body = page.locator('article.report .md');
    await body.getByText('onerror=').first().waitFor();
    expect(await body.locator('img, script, [onerror]').count()).toBe(0);
    expect(await body.locator('a[href*="javascript" i]').count()).toBe(0);
    expect(await body.locator('a', { hasText: 'details' }).count()).toBe(0);
    await body.getByText(/details/).first().waitFor(); // the link text itself stays
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('shows the dashboard of the imported calls', async () => {
    const { page } = a;
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    // The file's calls are from 2025: the default 30 days hold none of them.
    await page.getByRole('button', { name: 'All data' }).click();
    await page.getByRole('heading', { name: 'Latency by model' }).waitFor();
    await page.locator('svg[role="img"]').first().waitFor();
    // Realized savings: no policy is active and the ledger is empty, and the card says so.
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Realized savings' }) });
    await card.getByText(/No realized savings yet: no gateway policy is active and the savings ledger has no calls this month/).waitFor();
    expect(await card.getByText('Saved this month').count()).toBe(0);
    // A free org sees its usage against its tier's limits: one seat, no key yet, the file's calls this month.
    const limits = TIER_DEFINITIONS.free.limits;
    const share = (used: number, allowed: number) => {
      const p = (used / allowed) * 100;
      return `${p.toLocaleString('en-US', { maximumFractionDigits: p < 10 ? 2 : 1 })}%`;
    };
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim()).length;
    await card.getByRole('row', { name: `Seats 1 ${limits.seats} ${share(1, limits.seats)}` }).waitFor();
    await card.getByRole('row', { name: `API keys 0 ${limits.api_keys} 0%` }).waitFor();
    const ingested = `${lines.toLocaleString('en-US')} ${limits.ingested_calls_per_month.toLocaleString('en-US')} ${share(lines, limits.ingested_calls_per_month)}`;
    await card.getByRole('row', { name: `Ingested calls per month ${ingested}` }).waitFor();
    await screenshot(page, 'dashboard');
    await expectAccessible(page);
  });

  it('creates an API key and copies its snippet', async () => {
    const { page } = a;
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByLabel('Name').fill('browser test key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('.secret-value').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('row', { name: /browser test key/ }).waitFor();
    const curl = page.locator('.snippet').filter({ hasText: 'curl -X POST' });
    await curl.getByRole('button', { name: 'Copy' }).click();
    await curl.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(`Authorization: Bearer ${secret}`);
    expect(copied).toContain(`${app.url}/api/ingest/calls`);
    await screenshot(page, 'data-key');
  });

  it('signs out', async () => {
    const { page } = a;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await page.goto('/reports');
    await page.getByRole('tab', { name: 'Sign in' }).waitFor();
  });

  it('keyboard only: signs in, opens a report and its chart data, reaches the chat composer', async () => {
    const { page } = a;
    await page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await tabTo(page, page.getByLabel('Email'));
    await page.keyboard.type(alice.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'What should we look at?' }).waitFor();
    await tabTo(page, page.getByRole('link', { name: 'Reports', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('link', { name: /Found \d+ savings/ }).first());
    await page.keyboard.press('Enter');
    const summary = page.getByText('Chart data: savings by lever');
    await tabTo(page, summary);
    await page.keyboard.press('Enter');
    await page.locator('figure').filter({ hasText: 'Savings by lever' }).getByRole('row', { name: /Combined/ }).waitFor();
    await tabTo(page, page.getByRole('link', { name: 'Chat', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('textbox', { name: 'Message' }));
  });

  it("a second user sees none of the first user's threads, reports or keys", async () => {
    const b = await newPage();
    const { page } = b;
    await register(page, bob);
    await page.getByText('No threads yet').waitFor();
    expect(await page.locator('.thread-list li').count()).toBe(0);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { name: 'No reports yet' }).waitFor();
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByText('No API keys yet').waitFor();
    // No policy and no ledger rows: the realized-savings card says so instead of showing zeros.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Realized savings' }) });
    await card.getByText(/No realized savings yet: no gateway policy is active and the savings ledger has no calls this month/).waitFor();
    expect(await card.getByText('Saved this month').count()).toBe(0);
    await page.getByRole('heading', { name: 'No telemetry yet' }).waitFor();
    await expectAccessible(page);
    // The first user's report by its URL: not found for this org (the 404 is the one console error expected).
    await page.goto(reportPath);
    await page.getByRole('alert').getByText('report not found').waitFor();
    const notFound = b.errors.findIndex((e) => e.includes('404') && e.includes(`/api${reportPath}`));
    expect(notFound).toBeGreaterThanOrEqual(0);
    b.errors.splice(notFound, 1);
  });

  it('phone width (390 px): chat, report and data pages fit and stay accessible', async () => {
    const phone = await newPage({ width: 390, height: 844 });
    const { page } = phone;
    await signIn(page, alice.email);
    await screenshot(page, 'chat-phone');
    await page.goto(reportPath);
    await page.locator('article.report').waitFor();
    await screenshot(page, 'report-phone');
    await expectAccessible(page);
    // Nothing wider than the screen forces sideways scrolling of the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});

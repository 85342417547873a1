// `npm run bench -- web [loads]`: the web app's weight and speed. Builds pages/dist, then reports the gzip
// size of its JS and CSS (all, and what the sign-in page loads before any lazy chunk), and the time to
// interactive of the chat page in headless Chromium (navigation start → composer ready, signed in, median of
// several cold loads), against the sign-in page's as the baseline of the same run.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { repoRoot, startApp } from './lib/app';
import { launchChromium } from '../test/browser/support/browser';
import { resetAuthRateLimits } from '../test/browser/support/rate-limits';

const REFRESH_KEY = 'netra_apex.refresh_token';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function sizes() {
  const dist = join(repoRoot, 'pages/dist');
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  const initial = new Set([...index.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]!));
  const out = { js_gzip_bytes: 0, css_gzip_bytes: 0, initial_js_gzip_bytes: 0, initial_css_gzip_bytes: 0 };
  for (const f of readdirSync(join(dist, 'assets'))) {
    const gz = gzipSync(readFileSync(join(dist, 'assets', f))).length;
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    out[`${kind}_gzip_bytes`] += gz;
    if (initial.has(f)) out[`initial_${kind}_gzip_bytes`] += gz;
  }
  return out;
}

/** ms from navigation start until `ready` is visible and enabled, in a fresh context (cold cache). */
async function loadTime(browser: Browser, url: string, path: string, ready: (p: Page) => Locator, refresh?: string): Promise<{ ms: number; refresh: string | null }> {
  const context = await browser.newContext({ baseURL: url });
  if (refresh) await context.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [REFRESH_KEY, refresh]);
  const page = await context.newPage();
  await page.goto(path, { waitUntil: 'commit' });
  const target = ready(page);
  await target.waitFor({ timeout: 120_000 });
  await page.waitForFunction((el) => el instanceof HTMLElement && !(el as HTMLTextAreaElement).disabled, await target.elementHandle(), { timeout: 120_000 });
  const ms = await page.evaluate(() => performance.now());
  const next = await page.evaluate((k) => localStorage.getItem(k), REFRESH_KEY);
  await context.close();
  return { ms, refresh: next };
}

export default async function web(args: string[]): Promise<void> {
  const loads = Number(args[0] ?? 5);
  execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: repoRoot, stdio: 'inherit' });
  const weight = sizes();
  console.log(`web assets (gzip): JS ${weight.js_gzip_bytes} B (sign-in page ${weight.initial_js_gzip_bytes} B), CSS ${weight.css_gzip_bytes} B`);
  const [app, browser] = await Promise.all([startApp({ timeoutMs: 240_000 }), launchChromium()]);
  try {
    await resetAuthRateLimits(app);
    const reg = await fetch(`${app.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-web-${Date.now()}@example.com`, password: 'bench web password' }),
    });
    if (!reg.ok) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
    let refresh: string | null = ((await reg.json()) as { refresh_token: string }).refresh_token;
    const signIn: number[] = [];
    const chat: number[] = [];
    for (let i = 0; i < loads; i++) {
      signIn.push((await loadTime(browser, app.url, '/login', (p) => p.getByLabel('Email'))).ms);
      // Refresh tokens rotate: each load hands the next one the token it was given.
      const r = await loadTime(browser, app.url, '/chat', (p) => p.getByRole('textbox', { name: 'Message' }), refresh!);
      chat.push(r.ms);
      refresh = r.refresh;
      if (!refresh) throw new Error('the chat page lost its session');
    }
    const result = {
      bench: 'web',
      ...weight,
      loads,
      signin_tti_ms_median: Math.round(median(signIn)),
      chat_tti_ms_median: Math.round(median(chat)),
      chat_vs_signin: Math.round((median(chat) / median(signIn)) * 100) / 100,
    };
    console.log(`time to interactive (median of ${loads}): sign-in ${result.signin_tti_ms_median} ms, chat ${result.chat_tti_ms_median} ms (×${result.chat_vs_signin})`);
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    await app.stop();
  }
}

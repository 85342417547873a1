// Invitation emails outside development: sent through the mail API (a local server speaking Resend's format,
// test/support/fake-mail.ts) in the background, retried on 5xx under one Idempotency-Key, never with the token
// in a log line; the link in the email is the one that accepts. Without a transport the answer says so.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jsonRequest } from './helpers';
import { accept, callWith, captureLogs } from './org-support';
import { setTier, signUp, uniqueEmail } from './tenancy';

const testEnv = env as unknown as { FAKE_MAIL_URL: string; FAKE_MAIL_KEY: string };
const configured = () => ({ ENVIRONMENT: 'production', MAIL_API_KEY: testEnv.FAKE_MAIL_KEY, MAIL_API_URL: `${testEnv.FAKE_MAIL_URL}/emails`, MAIL_FROM: 'Netra Apex <no-reply@netra.test>' });

interface Sent {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  idempotency_key: string;
  attempts: number;
}

const inbox = async (to: string) => (await (await fetch(`${testEnv.FAKE_MAIL_URL}/__messages?to=${encodeURIComponent(to)}`)).json()) as Sent[];
const failNext = (n: number, status: number) => fetch(`${testEnv.FAKE_MAIL_URL}/__fail?n=${n}&status=${status}`, { method: 'POST' });

async function inviteWith(vars: Record<string, string>, email: string) {
  const owner = await setTier(await signUp(), 'mid');
  const { result: res, lines } = await captureLogs(() => callWith(vars, '/api/orgs/invitations', jsonRequest('POST', { email, role: 'member' }, owner.headers)));
  expect(res.status, await res.clone().text()).toBe(201);
  return { owner, body: (await res.json()) as { id: string; delivery: string }, lines };
}

describe('invitation emails', () => {
  it('are sent through the mail API; the emailed link accepts, once; no log line carries the token', async () => {
    const email = uniqueEmail('mailed');
    const { body, lines } = await inviteWith(configured(), email);
    expect(body.delivery).toBe('sending');
    const [mail, ...more] = await inbox(email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ from: 'Netra Apex <no-reply@netra.test>', to: [email], idempotency_key: body.id, attempts: 1 });
    expect(mail!.subject).toMatch(/^Join .+ on Netra Apex$/);
    const token = /#token=(nin_[\w-]+)/.exec(mail!.text)?.[1];
    expect(token).toBeDefined();
    expect(mail!.html).toContain(`#token=${token}`);
    expect(lines.some((l) => l.includes(token!))).toBe(false);
    expect(lines.some((l) => l.includes('invitation email sent') && l.includes(body.id))).toBe(true);

    const joined = await accept({ token, password: `pw-${crypto.randomUUID()}`, name: 'Mailed' });
    expect(joined.status, await joined.clone().text()).toBe(201);
    expect((await accept({ token, password: `pw-${crypto.randomUUID()}` })).status).not.toBe(201);
  });

  it('retries a failing mail API and sends one copy', async () => {
    const email = uniqueEmail('retried');
    await failNext(2, 503);
    const { body } = await inviteWith(configured(), email);
    expect(body.delivery).toBe('sending');
    const sent = await inbox(email);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ idempotency_key: body.id, attempts: 3 });
  });

  it('gives up at once on a refusal that a retry cannot fix, and logs it without the token', async () => {
    const email = uniqueEmail('refused');
    await failNext(1, 403);
    const { body, lines } = await inviteWith(configured(), email);
    expect(await inbox(email)).toEqual([]);
    const failure = lines.find((l) => l.includes('invitation email not delivered'));
    expect(failure).toContain(body.id);
    expect(failure).toContain('403');
    expect(lines.some((l) => /nin_[\w-]{20,}/.test(l))).toBe(false);
  });

  it('without a transport the invitation is kept and the answer says it was not delivered', async () => {
    const email = uniqueEmail('unsent');
    const { body, lines } = await inviteWith({ ENVIRONMENT: 'production', MAIL_API_KEY: '', MAIL_FROM: '' }, email);
    expect(body.delivery).toBe('not_configured');
    expect(await inbox(email)).toEqual([]);
    expect(lines.some((l) => l.includes('no mail transport is configured') && l.includes(body.id))).toBe(true);
  });
});

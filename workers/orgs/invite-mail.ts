// Delivering an invitation. In development (ENVIRONMENT=development, set explicitly by `npm start`) the "email"
// is a log line with the accept link. Elsewhere it is sent through a mail API speaking Resend's format
// (MAIL_API_URL, default Resend; MAIL_API_KEY secret; MAIL_FROM var), in the background after the answer, with
// retries on 429/5xx/network failures under one Idempotency-Key (the invitation id), so a retry never sends a
// second copy. Without a transport the invitation stays pending and the log says so. The token (in the link)
// never reaches a log outside development.
import { backoffDelay } from '../../common/backoff';
import { log } from '../../common/logger';

export interface InvitationMail {
  invitation_id: string;
  to: string;
  org_name: string;
  /** The accept link; carries the token in its fragment (never sent to a server by a browser). */
  link: string;
  expires_at: Date;
}

export interface MailEnv {
  ENVIRONMENT: string;
  MAIL_API_KEY?: string;
  MAIL_API_URL?: string;
  MAIL_FROM?: string;
}

/** What happened to the email: logged (development), sending (in the background), not_configured. */
export type Delivery = 'logged' | 'sending' | 'not_configured';

const RESEND_URL = 'https://api.resend.com/emails';
const ATTEMPTS = 3;
const RETRY = { baseMs: 500, maxMs: 4_000, jitter: true };

export function deliverInvitation(env: MailEnv, mail: InvitationMail, background: (work: Promise<unknown>) => void): Delivery {
  if (env.ENVIRONMENT === 'development') {
    log('info', 'invitation email (development: logged, not sent)', {
      invitation_id: mail.invitation_id,
      to: mail.to,
      org_name: mail.org_name,
      link: mail.link,
      expires_at: mail.expires_at.toISOString(),
    });
    return 'logged';
  }
  if (!env.MAIL_API_KEY || !env.MAIL_FROM) {
    log('warn', 'invitation created but no mail transport is configured (MAIL_API_KEY, MAIL_FROM); the link was not delivered', { invitation_id: mail.invitation_id });
    return 'not_configured';
  }
  background(send({ url: env.MAIL_API_URL || RESEND_URL, key: env.MAIL_API_KEY, from: env.MAIL_FROM }, mail));
  return 'sending';
}

function message(from: string, mail: InvitationMail) {
  const expires = mail.expires_at.toUTCString();
  const text = `You are invited to join ${mail.org_name} on Netra Apex.\n\nAccept the invitation: ${mail.link}\n\nThe link works once and expires ${expires}.`;
  const html = `<p>You are invited to join <strong>${escapeHtml(mail.org_name)}</strong> on Netra Apex.</p><p><a href="${escapeHtml(mail.link)}">Accept the invitation</a></p><p>The link works once and expires ${expires}.</p>`;
  return { from, to: [mail.to], subject: `Join ${mail.org_name} on Netra Apex`, text, html };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

async function send(transport: { url: string; key: string; from: string }, mail: InvitationMail): Promise<void> {
  const body = JSON.stringify(message(transport.from, mail));
  let last = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt - 1, RETRY)));
    try {
      const res = await fetch(transport.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${transport.key}`, 'content-type': 'application/json', 'idempotency-key': mail.invitation_id },
        body,
      });
      if (res.ok) {
        const { id } = (await res.json().catch(() => ({}))) as { id?: string };
        log('info', 'invitation email sent', { invitation_id: mail.invitation_id, message_id: id ?? null, attempts: attempt + 1 });
        return;
      }
      last = `mail API answered ${res.status}`;
      // A refusal other than a rate limit or a server error will not change on retry (bad sender, bad key).
      if (res.status !== 429 && res.status < 500) break;
    } catch (err) {
      last = `mail API unreachable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  log('error', 'invitation email not delivered', { invitation_id: mail.invitation_id, reason: last });
}

/** Where the web app accepts an invitation: `<origin>/invite#token=…`. */
export function acceptLink(requestUrl: string, token: string): string {
  const url = new URL('/invite', requestUrl);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}

// A local mail API for tests, speaking Resend's wire format (POST /emails, `Authorization: Bearer <key>`,
// JSON {from, to[], subject, text, html}, optional Idempotency-Key; answers {id}). Control endpoints for the
// workers tests: GET /__messages?to=ADDRESS lists what was accepted for an address (with the attempts each
// Idempotency-Key took), POST /__fail?n=N&status=S makes the next N sends answer S.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

export interface SentMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  idempotency_key: string | null;
  /** Requests that carried this message's Idempotency-Key, refused ones included. */
  attempts: number;
}

export interface FakeMail {
  url: string;
  key: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });
}

export async function startFakeMail(): Promise<FakeMail> {
  const key = `re_test_${randomUUID().replaceAll('-', '')}`;
  const sent: SentMail[] = [];
  const attempts = new Map<string, number>();
  let failures: { left: number; status: number } = { left: 0, status: 500 };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mail.test');
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/__messages') {
      const to = url.searchParams.get('to');
      return reply(200, sent.filter((m) => m.to.includes(to ?? '')).map((m) => ({ ...m, attempts: m.idempotency_key ? attempts.get(m.idempotency_key) : 1 })));
    }
    if (req.method === 'POST' && url.pathname === '/__fail') {
      failures = { left: Number(url.searchParams.get('n') ?? 1), status: Number(url.searchParams.get('status') ?? 500) };
      return reply(204, null);
    }
    if (req.method !== 'POST' || url.pathname !== '/emails') return reply(404, { name: 'not_found', message: 'no such route' });
    void readBody(req).then((text) => {
      if (req.headers.authorization !== `Bearer ${key}`) return reply(401, { statusCode: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header' });
      const idem = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      if (idem) attempts.set(idem, (attempts.get(idem) ?? 0) + 1);
      if (failures.left > 0) {
        failures.left--;
        return reply(failures.status, { statusCode: failures.status, name: 'application_error', message: 'failing on purpose' });
      }
      let body: { from?: unknown; to?: unknown; subject?: unknown; text?: unknown; html?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return reply(422, { statusCode: 422, name: 'validation_error', message: 'invalid JSON' });
      }
      const to = Array.isArray(body.to) ? body.to.map(String) : typeof body.to === 'string' ? [body.to] : [];
      if (typeof body.from !== 'string' || to.length === 0 || typeof body.subject !== 'string') {
        return reply(422, { statusCode: 422, name: 'validation_error', message: 'from, to and subject are required' });
      }
      const existing = idem ? sent.find((m) => m.idempotency_key === idem) : undefined;
      if (existing) return reply(200, { id: existing.id });
      const mail: SentMail = { id: randomUUID(), from: body.from, to, subject: body.subject, text: String(body.text ?? ''), html: String(body.html ?? ''), idempotency_key: idem, attempts: 0 };
      sent.push(mail);
      return reply(200, { id: mail.id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, key, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

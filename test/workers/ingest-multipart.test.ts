/// <reference types="vite/client" />
// Multipart imports as browsers and curl send them (issue 18, 3 and 7): curl's -F body of a small file, the web
// app's form with its default options (format "auto"), multipart without its closing boundary, oversize parts.
import { beforeAll, describe, expect, it } from 'vitest';
import litellmJson from '../fixtures/telemetry/litellm_spend_logs.json?raw';
import nativeNdjson from '../fixtures/telemetry/native_calls.ndjson?raw';
import { api } from './helpers';
import { createKey, expectError } from './ingest-support';
import { bearer, signUp } from './tenancy';

const BOUNDARY = '------------------------d74496d66958873e';
const nonEmptyLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;

/** The bytes `curl -F file=@name` sends: one file part, CRLF line ends, closing boundary and final CRLF. */
function curlBody(name: string, content: string, { close = true } = {}): string {
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n` +
    `${content}\r\n${close ? `--${BOUNDARY}--\r\n` : ''}`
  );
}

/** A FormData body brings its own Content-Type (and boundary); other bodies get curl's. */
function postMultipart(key: string, body: BodyInit, query = '') {
  const type: Record<string, string> = body instanceof FormData ? {} : { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  return api(`/api/ingest/import${query}`, { method: 'POST', headers: { ...bearer(key), ...type }, body });
}

describe('multipart imports', () => {
  let key: string;
  beforeAll(async () => {
    key = await createKey(await signUp(), ['ingest']);
  });

  it("imports a small file sent as curl -F sends it, in one chunk or byte by byte", async () => {
    const body = curlBody('native_calls.ndjson', nativeNdjson);
    const whole = await postMultipart(key, new TextEncoder().encode(body));
    const imp = (await whole.json()) as { status: string; format: string; accepted: number; filename: string };
    expect(whole.status, JSON.stringify(imp)).toBe(202);
    expect(imp).toMatchObject({ status: 'completed', format: 'native', filename: 'native_calls.ndjson', accepted: nonEmptyLines(nativeNdjson) });

    const bytes = new TextEncoder().encode(body);
    let at = 0;
    const trickle = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= bytes.length) return c.close();
        const n = Math.min(bytes.length - at, 1 + (at % 7));
        c.enqueue(bytes.slice(at, at + n));
        at += n;
      },
    });
    const res = await api('/api/ingest/import', { method: 'POST', headers: { ...bearer(key), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: trickle, duplex: 'half' } as RequestInit);
    const again = (await res.json()) as { status: string; accepted: number; duplicates: number };
    expect(res.status, JSON.stringify(again)).toBe(202);
    // the same records again: a new import whose calls are all known request ids
    expect(again).toMatchObject({ status: 'completed', accepted: imp.accepted, duplicates: imp.accepted });
  });

  it('accepts what the web app sends with its defaults: a form with the file and format=auto', async () => {
    const form = new FormData();
    form.append('file', new Blob([litellmJson], { type: 'application/json' }), 'litellm_spend_logs.json');
    const res = await postMultipart(key, form, '?format=auto');
    const imp = (await res.json()) as { status: string; format: string; accepted: number };
    expect(res.status, JSON.stringify(imp)).toBe(202);
    expect(imp).toMatchObject({ status: 'completed', format: 'litellm', accepted: (JSON.parse(litellmJson) as unknown[]).length });
  });

  it('answers 400 for a multipart body without its closing boundary, or cut inside the file', async () => {
    const unclosed = curlBody('x.ndjson', nativeNdjson.split('\n').slice(0, 3).join('\n'), { close: false });
    expect((await expectError(await postMultipart(key, unclosed), 400, 'invalid_request')).error.message).toMatch(/multipart/);
    const cut = curlBody('x.ndjson', nativeNdjson).slice(0, 200);
    expect((await expectError(await postMultipart(key, cut), 400, 'invalid_request')).error.message).toMatch(/multipart/);
    const noFile = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o\r\n--${BOUNDARY}--\r\n`;
    expect((await expectError(await postMultipart(key, noFile), 400, 'invalid_request')).error.message).toMatch(/"file"/);
  });
});

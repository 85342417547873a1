// A request refused before any handler reads its body still has its upload read to the end before the answer
// goes out (workers/middleware/drain-body.ts): otherwise workerd closes the connection under a large upload and
// Node clients see ECONNRESET instead of the error. Here the upload is a stream that counts what was pulled.
import { describe, expect, it } from 'vitest';
import { DRAIN_MAX_BYTES } from '../../workers/middleware/drain-body';
import { api, countedUpload } from './helpers';

const LARGE = 3 * 1024 * 1024;

describe('unread request bodies are drained before a refusal', () => {
  it('401 for an invalid API key on /v1/chat/completions: the JSON error, after the whole upload was read', async () => {
    const upload = countedUpload(LARGE);
    const res = await api('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer nak_not-a-key', 'content-type': 'application/json' }, body: upload.body });
    expect(upload.pulled()).toBe(upload.size);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('401 without credentials on an /api route: the same', async () => {
    const upload = countedUpload(LARGE);
    const res = await api('/api/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: upload.body });
    expect(upload.pulled()).toBe(upload.size);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('a body declared larger than DRAIN_MAX_BYTES is not read: the refusal goes out at once', async () => {
    const upload = countedUpload(LARGE);
    const res = await api('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer nak_not-a-key', 'content-length': String(DRAIN_MAX_BYTES + 1) }, body: upload.body });
    expect(res.status).toBe(401);
    expect(upload.pulled()).toBeLessThan(upload.size);
  });
});

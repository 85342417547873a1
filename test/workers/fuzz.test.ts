// Property-based fuzzing of every route (issue 18): a seeded, deterministic sample of the hostile requests of
// test/support/fuzz-requests.ts; every answer must be below 500 and, when it is an error, the project's JSON
// error shape, and none may show another tenant's resource.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuzzRequest, judge, type FuzzCtx } from '../support/fuzz-requests';
import { api, jsonRequest } from './helpers';
import { createKey } from './ingest-support';
import { signUp } from './tenancy';

/** Requests per run of this file: a bounded sample (the benchmark sends more). */
const RUNS = 300;
const SEED = 18;

describe('fuzz: hostile requests over every route', () => {
  let ctx: FuzzCtx;
  beforeAll(async () => {
    const self = await signUp();
    const other = await signUp();
    const key = await createKey(self, ['ingest', 'read']);
    const thread = (await (await api('/api/threads', jsonRequest('POST', { title: 'theirs' }, other.headers))).json()) as { id: string };
    const doc = (await (await api('/api/corpus', jsonRequest('POST', { title: 'theirs', content: 'note' }, other.headers))).json()) as { id: string };
    const theirKey = (await (await api('/api/keys', jsonRequest('POST', { name: 'theirs', scopes: ['read'] }, other.headers))).json()) as { id: string };
    ctx = { headers: self.headers, access_token: self.access_token, key, otherIds: [thread.id, doc.id, theirKey.id, other.user_id, other.org_id] };
  });

  it(`${RUNS} generated requests: no 5xx, every error in the JSON shape (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fuzzRequest(ctx), async ({ method, path, init }) => {
        const res = await api(path, init);
        const raw = await res.text();
        const verdict = judge(ctx, res.status, raw);
        if (verdict !== 'ok') failures.push(`${verdict}: ${method} ${path.slice(0, 120)} → ${res.status} ${raw.slice(0, 200)}`);
        return true;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(failures).toEqual([]);
  });
});

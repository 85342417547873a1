// The org's tier request limit applies to gateway traffic as to /api: a free-tier org's gateway key gets
// 120 calls a minute (the seeds' free tier), then OpenAI-style 429s with Retry-After that never reach the upstream (a large
// upload refused so is read to its end first).
import { describe, expect, it } from 'vitest';
import { addProviderKey, chat, expectOpenAiError, marker, upstreamRequests } from './gateway-support';
import { api, countedUpload } from './helpers';
import { createKey } from './ingest-support';
import { signUp } from './tenancy';

const FREE_REQUESTS_PER_MINUTE = 120;

describe('tier request limit on /v1', () => {
  it('a free-tier org: its limit of calls succeed, then 429 rate_limit_error with Retry-After, the upstream untouched', async () => {
    const tenant = await signUp();
    const claims = JSON.parse(atob(tenant.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { tier: string };
    expect(claims.tier).toBe('free'); // a new org starts on the free tier
    await addProviderKey(tenant, 'openai');
    const key = await createKey(tenant, ['gateway']);
    const m = marker();
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${m} [usage:10/2]` }] };
    const statuses: number[] = [];
    for (let i = 0; i < FREE_REQUESTS_PER_MINUTE; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => chat(key, body)));
      for (const res of batch) {
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(FREE_REQUESTS_PER_MINUTE);
    expect(await upstreamRequests(m)).toHaveLength(FREE_REQUESTS_PER_MINUTE);
    // A sliding window: when the calls straddle a minute boundary the previous minute's weight shrinks as the
    // new one goes on, so a few more may pass; the calls above take seconds, so fewer than 15 more ever do.
    let limited: Response | null = null;
    for (let extra = 0; extra < 15 && !limited; extra++) {
      const res = await chat(key, body);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited, 'no 429 after the tier limit').not.toBeNull();
    const err = await expectOpenAiError(limited!, 429, 'rate_limited');
    expect(err.error.type).toBe('rate_limit_error');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const reached = (await upstreamRequests(m)).length;
    const refused = await chat(key, body);
    expect(refused.status).toBe(429);
    expect(await upstreamRequests(m)).toHaveLength(reached);
    // A large upload refused by the limit gets its 429 after the Worker read it to the end
    // (workers/middleware/drain-body.ts): a client still sending would otherwise see its connection reset.
    const upload = countedUpload(3 * 1024 * 1024);
    const big = await api('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: upload.body });
    expect(upload.pulled()).toBe(upload.size);
    await expectOpenAiError(big, 429, 'rate_limited');
    expect(await upstreamRequests(m)).toHaveLength(reached);
  });
});

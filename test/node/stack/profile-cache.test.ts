// A stored workload profile reads back deep-equal (gzip + base64 in Redis, through the Upstash REST adapter),
// keys differ by org, window and fingerprint, and a value that is not a stored profile reads as none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileKey, storedProfile, storeProfile } from '../../../db/profile-cache';
import { openRedis, type Redis } from '../../../db/redis';
import { buildProfile } from '../../../engine/profile/reference';
import { generateWorkload } from '../../../engine/synthetic/index';
import { startUpstashFixture, type UpstashFixture } from '../../support/upstash-fixture';

const prefix = `wp:`;
let fixture: UpstashFixture;
let redis: Redis;

beforeAll(async () => {
  fixture = await startUpstashFixture('profile-cache-token', prefix);
  redis = openRedis({ UPSTASH_REDIS_REST_URL: fixture.url, UPSTASH_REDIS_REST_TOKEN: fixture.token });
});
afterAll(() => fixture?.stop());

describe('profile cache', () => {
  it('a large profile reads back exactly', async () => {
    const calls = generateWorkload({ seed: 5, calls: 30_000, days: 20, start: Date.UTC(2026, 9, 1) }).calls;
    const window = { from: calls[0]!.timestamp, to: calls.at(-1)!.timestamp + 1 };
    const profile = buildProfile(calls, window);
    const key = profileKey(`org-${process.pid}`, window, 'fp-1');
    await storeProfile(redis, key, profile);
    expect(await storedProfile(redis, key)).toEqual(profile);
    // stored compressed: several times smaller than its JSON
    const raw = (await redis.get<string>(key))!;
    expect(raw.length).toBeLessThan(JSON.stringify(profile).length / 3);
  });

  it('another org, window or fingerprint is another key; a foreign value is no profile', async () => {
    const w = { from: 1, to: 2 };
    const keys = new Set([profileKey('a', w, 'f'), profileKey('b', w, 'f'), profileKey('a', { from: 1, to: 3 }, 'f'), profileKey('a', w, 'g')]);
    expect(keys.size).toBe(4);
    const key = profileKey(`org-${process.pid}`, w, 'foreign');
    await redis.set(key, 'not a profile', { ex: 60 });
    expect(await storedProfile(redis, key)).toBeNull();
    expect(await storedProfile(redis, profileKey(`org-${process.pid}`, w, 'absent'))).toBeNull();
  });
});

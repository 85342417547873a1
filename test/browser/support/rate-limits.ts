// The sign-up and sign-in rate limits count per client IP, and every browser session here comes from
// 127.0.0.1: earlier runs on the same Redis database (within the limits' windows) would make this run's
// sign-ups fail with 429. Before a run, the app's own Redis database forgets those two counters, through
// the same Upstash REST adapter the app uses (its URL and token are in the app's env file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningApp } from '../../../bench/lib/app';

const RULES = ['rl:register:*', 'rl:login:*'];

export async function resetAuthRateLimits(app: RunningApp): Promise<void> {
  const env = Object.fromEntries(
    readFileSync(join(app.dir, 'bench.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const command = async (args: string[]): Promise<unknown> => {
    const res = await fetch(env.UPSTASH_REDIS_REST_URL!, { method: 'POST', headers: { authorization: `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}` }, body: JSON.stringify(args) });
    if (!res.ok) throw new Error(`redis ${args[0]} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { result: unknown }).result;
  };
  for (const pattern of RULES) {
    const keys = (await command(['KEYS', pattern])) as string[];
    if (keys.length) await command(['DEL', ...keys]);
  }
}

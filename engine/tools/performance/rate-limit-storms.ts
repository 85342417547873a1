// LEVERS L7(c): minutes where 429s pile up and clients retry without backoff.
import type { RateLimitMinute } from '../../profile/types.js';
import { confidence, insightFinding, ratio, type Tool } from '../shared.js';

const MIN_429_SHARE = 0.05;

export const rateLimitStorms: Tool = {
  id: 'rate_limit_storms',
  family: 'performance',
  description: 'Minutes with > 5% 429s and retries under 1 s (no backoff), per provider/model.',
  run(profile) {
    const storms = new Map<string, RateLimitMinute[]>();
    for (const m of profile.rate_limit_minutes) {
      if (ratio(m.status_429_calls, m.calls) <= MIN_429_SHARE || m.fast_retry_after_429_calls === 0) continue;
      const key = `${m.provider}\u0000${m.model}`;
      storms.set(key, [...(storms.get(key) ?? []), m]);
    }
    return [...storms.values()].map((minutes) => {
      const first = minutes[0]!;
      const sum = (f: (m: RateLimitMinute) => number) => minutes.reduce((a, m) => a + f(m), 0);
      const calls = sum((m) => m.calls);
      const worst = [...minutes].sort((a, b) => b.status_429_calls - a.status_429_calls || a.minute - b.minute)[0]!;
      return insightFinding(
        {
          tool: 'rate_limit_storms',
          family: 'performance',
          title: `429 storms on ${first.provider}/${first.model}`,
          summary: `${minutes.length} minutes with ${sum((m) => m.status_429_calls)} rate-limited calls and ${sum((m) => m.fast_retry_after_429_calls)} retries sent less than 1 s later.`,
          where: { provider: first.provider, model: first.model },
          calls_affected: calls,
          confidence: confidence(calls),
          risk: 'low',
          evidence: {
            storm_minutes: minutes.length,
            status_429_calls: sum((m) => m.status_429_calls),
            fast_retry_after_429_calls: sum((m) => m.fast_retry_after_429_calls),
            retry_wait_ms: sum((m) => m.retry_wait_ms),
            worst_minute: new Date(worst.minute).toISOString(),
          },
          recommendation: 'Retry 429s with exponential backoff and jitter, cap concurrency, and move bulk work to the batch API.',
        },
        profile,
      );
    });
  },
};

// users: calls naming an end user (user != ''). Per user: calls, cost, tokens (top N by cost, ties by
// user); per (user, UTC day) (derive.ts §buckets): calls and cost — their count, the nearest-rank
// distribution of their cost, and the top N by cost (ties by user, then day).
import type { ClickHouseClient } from '../clickhouse';
import { DAY_MS } from '../../engine/findings';
import type { UserDaySpend, UserSpend, UsersProfile } from '../../engine/profile/types';
import { CALLS, bucket, cmp, dist, num, queryRows, str, toDistribution, type ProfileParams } from './sql';

const USER_DAYS = `
  SELECT user, ${bucket(DAY_MS)} AS day_ms, count() AS n_calls, sum(cost) AS sum_cost
  FROM (${CALLS})
  WHERE user != ''
  GROUP BY user, day_ms`;

const SUMMARY = `
SELECT uniqExact(user) AS n_users, count() AS n_user_days, ${dist('d_day_cost', 'groupArray(sum_cost)')}
FROM (${USER_DAYS})`;

const TOP_USER_DAYS = `
SELECT user, day_ms, n_calls, sum_cost FROM (${USER_DAYS})
ORDER BY sum_cost DESC, user, day_ms
LIMIT {top:UInt32}`;

const TOP_USERS = `
SELECT user, count() AS n_calls, sum(cost) AS sum_cost,
  sum(toUInt64(input_tokens)) AS sum_input, sum(toUInt64(output_tokens)) AS sum_output
FROM (${CALLS})
WHERE user != ''
GROUP BY user
ORDER BY sum_cost DESC, user
LIMIT {top:UInt32}`;

export async function loadUsers(ch: ClickHouseClient, params: ProfileParams): Promise<UsersProfile> {
  const [summary, days, users] = await Promise.all([
    queryRows(ch, SUMMARY, params),
    queryRows(ch, TOP_USER_DAYS, params),
    queryRows(ch, TOP_USERS, params),
  ]);
  const s = summary[0];
  if (!s) throw new Error('workload profile: no users summary row');
  const top_users: UserSpend[] = users
    .map((r) => ({
      user: str(r, 'user'),
      calls: num(r, 'n_calls'),
      cost_nanousd: num(r, 'sum_cost'),
      input_tokens: num(r, 'sum_input'),
      output_tokens: num(r, 'sum_output'),
    }))
    .sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user));
  const top_user_days: UserDaySpend[] = days
    .map((r) => ({ user: str(r, 'user'), day: num(r, 'day_ms'), calls: num(r, 'n_calls'), cost_nanousd: num(r, 'sum_cost') }))
    .sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user) || a.day - b.day);
  return {
    users: num(s, 'n_users'),
    user_days: num(s, 'n_user_days'),
    user_day_cost: toDistribution(s, 'd_day_cost'),
    top_users,
    top_user_days,
  };
}

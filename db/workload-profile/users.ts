// users: calls naming an end user (user != ''). Per user: calls, cost, tokens (top N by cost, ties by
// user); per (user, UTC day) (derive.ts §buckets): calls and cost — their count, the nearest-rank
// distribution of their cost, and the top N by cost (ties by user, then day). One query: the user-days,
// regrouped per user (each user's own top N days are all the global top N can take from that user). The top N
// user-days are all among the days of the top N users by their costliest day (ties by user): each of those
// users has a day ranked before any day of a user outside them, so only their N × N days are sorted.
import type { ClickHouseClient } from '../clickhouse';
import { DAY_MS } from '../../engine/findings';
import type { UserDaySpend, UserSpend, UsersProfile } from '../../engine/profile/types';
import { CALLS, bucket, cmp, distOfArray, num, queryRows, toDistribution, type ProfileParams, type Row } from './sql';

const USER_DAYS = `
  SELECT user, ${bucket(DAY_MS)} AS day_ms, count() AS n_calls, sum(cost) AS sum_cost,
         sum(toUInt64(input_tokens)) AS sum_input, sum(toUInt64(output_tokens)) AS sum_output
  FROM (${CALLS})
  WHERE user != ''
  GROUP BY user, day_ms`;

const PER_USER = `
  SELECT user, sum(n_calls) AS u_calls, sum(sum_cost) AS u_cost, sum(sum_input) AS u_input, sum(sum_output) AS u_output,
         groupArray(sum_cost) AS day_costs, max(sum_cost) AS max_day,
         arrayMap(d -> (user, d.1, d.2, d.3), arraySlice(arraySort(d -> (-d.3, d.1), groupArray((day_ms, n_calls, sum_cost))), 1, {top:UInt32})) AS top_days
  FROM (${USER_DAYS})
  GROUP BY user`;

const QUERY = `
SELECT count() AS n_users, sum(length(day_costs)) AS n_user_days,
  ${distOfArray('d_day_cost', 'arrayFlatten(groupArray(day_costs))')},
  arraySlice(arraySort(u -> (-u.3, u.1), groupArray((user, u_calls, u_cost, u_input, u_output))), 1, {top:UInt32}) AS top_users,
  arraySlice(arraySort(d -> (-d.4, d.1, d.2), arrayFlatten(arrayMap(u -> u.3,
    arraySlice(arraySort(u -> (-u.1, u.2), groupArray((max_day, user, top_days))), 1, {top:UInt32})))), 1, {top:UInt32}) AS top_user_days
FROM (${PER_USER})`;

/** A column holding an array of tuples (arrays in JSON). */
function tuples(row: Row, key: string): unknown[][] {
  const v = row[key];
  if (!Array.isArray(v) || !v.every(Array.isArray)) throw new Error(`workload profile: column ${key} is not an array of tuples`);
  return v as unknown[][];
}

export async function loadUsers(ch: ClickHouseClient, params: ProfileParams): Promise<UsersProfile> {
  const [s] = await queryRows(ch, QUERY, params);
  if (!s) throw new Error('workload profile: no users row');
  const top_users: UserSpend[] = tuples(s, 'top_users')
    .map(([user, calls, cost, input, output]) => ({
      user: String(user),
      calls: Number(calls),
      cost_nanousd: Number(cost),
      input_tokens: Number(input),
      output_tokens: Number(output),
    }))
    .sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user));
  const top_user_days: UserDaySpend[] = tuples(s, 'top_user_days')
    .map(([user, day, calls, cost]) => ({ user: String(user), day: Number(day), calls: Number(calls), cost_nanousd: Number(cost) }))
    .sort((a, b) => b.cost_nanousd - a.cost_nanousd || cmp(a.user, b.user) || a.day - b.day);
  return {
    users: num(s, 'n_users'),
    user_days: num(s, 'n_user_days'),
    user_day_cost: toDistribution(s, 'd_day_cost'),
    top_users,
    top_user_days,
  };
}

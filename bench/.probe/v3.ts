import { IN_SCOPE } from '../../db/workload-profile/sql';
export const QUERIES = {
  raw: `SELECT count() FROM call_facts WHERE org_id = {org:String}`,
  raw_valid: `SELECT count() FROM call_facts WHERE org_id = {org:String} AND invalid_reason = 0`,
  scope: `SELECT count() FROM call_facts WHERE ${IN_SCOPE}`,
  scope_valid: `SELECT count() FROM call_facts WHERE ${IN_SCOPE} AND invalid_reason = 0`,
  scope_sum: `SELECT sum(input_tokens), sum(output_tokens), sum(ifNull(cost_nanousd,0)) FROM call_facts WHERE ${IN_SCOPE} AND invalid_reason = 0`,
  hours: `SELECT intDiv(ts, 3600000) AS h, feature, count(), sum(input_tokens) FROM call_facts WHERE ${IN_SCOPE} GROUP BY h, feature`,
  users: `SELECT user, intDiv(ts, 86400000) AS d, count(), sum(input_tokens) FROM call_facts WHERE ${IN_SCOPE} AND user != '' GROUP BY user, d`,
};

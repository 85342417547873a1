const S = `FROM call_facts WHERE org_id = {org:String}`;
export const QUERIES: Record<string, string> = {
  one_col: `SELECT sum(ifNull(dup_prev_ts,0)), sum(ifNull(near_prev_ts,0)), sum(ifNull(retry_prev_ts,0)), sum(ifNull(session_prev_ts,0)), sum(ifNull(next_read_ts,0)) ${S}`,
  if_param: `SELECT sum(ifNull(if({by_source:UInt8} = 1, dup_prev_ts_src, dup_prev_ts),0)), sum(ifNull(if({by_source:UInt8} = 1, near_prev_ts_src, near_prev_ts),0)), sum(ifNull(if({by_source:UInt8} = 1, retry_prev_ts_src, retry_prev_ts),0)), sum(ifNull(if({by_source:UInt8} = 1, session_prev_ts_src, session_prev_ts),0)), sum(ifNull(if({by_source:UInt8} = 1, next_read_ts_src, next_read_ts),0)) ${S}`,
  request_id: `SELECT count(), sum(length(request_id)) ${S}`,
  user_group: `SELECT user, intDiv(ts, 86400000) AS d, count() ${S} AND user != '' GROUP BY user, d FORMAT Null`,
};

export const QUERIES: Record<string, string> = {
  tuple_in: `SELECT count() FROM call_facts WHERE org_id = {org:String} AND (hour, gen) IN (SELECT hour, gen FROM call_facts_hours FINAL WHERE org_id = {org:String})`,
  ts_range: `SELECT count() FROM call_facts WHERE org_id = {org:String} AND ts >= {from_ms:Int64} AND ts < {to_ms:Int64} AND hour >= {from_hour:Int32} AND hour <= {to_hour:Int32}`,
  source: `SELECT count() FROM call_facts WHERE org_id = {org:String} AND ({by_source:UInt8} = 0 OR source = {source:String})`,
};
QUERIES.hash_in = `SELECT count() FROM call_facts WHERE org_id = {org:String} AND cityHash64(hour, gen) IN (SELECT cityHash64(hour, gen) FROM call_facts_hours FINAL WHERE org_id = {org:String})`;
QUERIES.gen_in = `SELECT count() FROM call_facts WHERE org_id = {org:String} AND gen IN (SELECT gen FROM call_facts_hours FINAL WHERE org_id = {org:String})`;

// duplicate_prompts: per (provider, model, prompt_hash) with at least one exact duplicate (derive.ts
// §exact dup): calls with that prompt (any status), duplicates and their cost; top N by duplicate cost,
// ties by provider, model, prompt_hash. Only calls with a prompt hash take part in the rule.
import type { ClickHouseClient } from '../clickhouse';
import type { DuplicatePrompt } from '../../engine/profile/types';
import { EXACT_DUP, derived } from './rules';
import { cmp, num, queryRows, str, type ProfileParams } from './sql';

const QUERY = `
SELECT {pairs_p:Array(String)}[pm] AS dup_provider, {pairs_m:Array(String)}[pm] AS dup_model, prompt_hash,
  count() AS n_calls, countIf(exact_dup) AS n_dup, sumIf(cost, exact_dup) AS sum_dup_cost
FROM (${derived([EXACT_DUP], `prompt_hash != ''`)})
GROUP BY pm, prompt_hash
HAVING n_dup > 0
ORDER BY sum_dup_cost DESC, dup_provider, dup_model, prompt_hash
LIMIT {top:UInt32}`;

export async function loadDuplicatePrompts(ch: ClickHouseClient, params: ProfileParams): Promise<DuplicatePrompt[]> {
  return (await queryRows(ch, QUERY, params))
    .map((r) => ({
      provider: str(r, 'dup_provider'),
      model: str(r, 'dup_model'),
      prompt_hash: str(r, 'prompt_hash'),
      calls: num(r, 'n_calls'),
      dup_calls: num(r, 'n_dup'),
      dup_cost_nanousd: num(r, 'sum_dup_cost'),
    }))
    .sort((a, b) => b.dup_cost_nanousd - a.dup_cost_nanousd || cmp(a.provider, b.provider) || cmp(a.model, b.model) || cmp(a.prompt_hash, b.prompt_hash));
}

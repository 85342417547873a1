// duplicate_prompts: per (provider, model, prompt_hash) with at least one exact duplicate (rules.ts
// EXACT_DUP): the calls with that prompt (any status), the duplicates and their cost; top N by duplicate
// cost, ties by provider, model, prompt_hash. Only the prompts with a duplicate are grouped: their hashes
// are found first (a few among many), then their calls counted.
import type { ClickHouseClient } from '../clickhouse';
import type { DuplicatePrompt } from '../../engine/profile/types';
import { EXACT_DUP, derived } from './rules';
import { cmp, num, queryRows, str, type ProfileParams } from './sql';

const QUERY = `
SELECT {pairs_p:Array(String)}[pm] AS prompt_provider, {pairs_m:Array(String)}[pm] AS prompt_model, prompt_hash,
  count() AS n_calls, countIf(exact_dup) AS n_exact_dup, sumIf(cost, exact_dup) AS sum_exact_dup_cost
FROM (${derived([EXACT_DUP], `prompt_hash IN (SELECT prompt_hash FROM (${derived([EXACT_DUP], 'exact_dup')}))`)})
GROUP BY pm, prompt_hash
HAVING n_exact_dup > 0
ORDER BY sum_exact_dup_cost DESC, prompt_provider, prompt_model, prompt_hash
LIMIT {top:UInt32}`;

export async function loadDuplicatePrompts(ch: ClickHouseClient, params: ProfileParams): Promise<DuplicatePrompt[]> {
  return (await queryRows(ch, QUERY, params))
    .map((r) => ({
      provider: str(r, 'prompt_provider'),
      model: str(r, 'prompt_model'),
      prompt_hash: str(r, 'prompt_hash'),
      calls: num(r, 'n_calls'),
      dup_calls: num(r, 'n_exact_dup'),
      dup_cost_nanousd: num(r, 'sum_exact_dup_cost'),
    }))
    .sort((a, b) => b.dup_cost_nanousd - a.dup_cost_nanousd || cmp(a.provider, b.provider) || cmp(a.model, b.model) || cmp(a.prompt_hash, b.prompt_hash));
}

// LiteLLM proxy spend logs (LiteLLM_SpendLogs rows): CSV dumps of the table, or the JSON of /spend/logs.
import {
  asRec, bool, compact, inputIncludingCache, jsonCell, needTime, num, optionalTime, pick, recOrEmpty, requireFields, text, type Rec,
} from '../fields';
import type { FormatSpec } from './types';

const FIELDS = ['request_id', 'startTime', 'spend', 'prompt_tokens', 'completion_tokens'] as const;

export const litellm: FormatSpec = {
  name: 'litellm',
  syntaxes: ['json', 'csv'],
  fields: FIELDS,
  needs: [],
  positional: false,
  detect: (s) => 'spend' in s && 'startTime' in s,
  map(value) {
    const row = asRec(value);
    requireFields(row, FIELDS);
    const meta = recOrEmpty(jsonCell(row.metadata));
    const usage = recOrEmpty(meta.usage_object);
    const start = needTime(row.startTime, 'startTime');
    const end = optionalTime(row.endTime, 'endTime');
    const firstToken = optionalTime(row.completionStartTime, 'completionStartTime');
    const cached = pick(recOrEmpty(usage.prompt_tokens_details), 'cached_tokens') ?? pick(usage, 'cache_read_input_tokens');
    const tags = jsonCell(row.request_tags);
    return [
      {
        input: {
          request_id: text(row.request_id),
          timestamp: start,
          provider: text(row.custom_llm_provider),
          // `model` is the deployment actually called; model_group the alias the client asked for
          model: text(row.model) ?? text(row.model_group),
          user: text(row.end_user) ?? text(row.user),
          project: text(row.team_id) ?? text(meta.user_api_key_team_id),
          // LiteLLM's prompt_tokens already include cache reads/writes, for every provider
          input_tokens: inputIncludingCache(row.prompt_tokens, cached, usage.cache_creation_input_tokens, false),
          output_tokens: num(row.completion_tokens),
          cached_input_tokens: num(cached),
          cache_write_tokens: num(usage.cache_creation_input_tokens),
          latency_ms: end !== undefined && end >= start ? end - start : undefined,
          ttft_ms: firstToken !== undefined && firstToken >= start ? firstToken - start : undefined,
          status: status(text(row.status) ?? text(meta.status), recOrEmpty(meta.error_information)),
          cost_usd: num(row.spend),
          metadata: compact({
            call_type: text(row.call_type),
            model_group: text(row.model_group),
            api_key_hash: text(row.api_key), // LiteLLM stores the key's hash, never the key
            cache_hit: bool(row.cache_hit),
            request_tags: Array.isArray(tags) && tags.length > 0 ? tags : undefined,
            session_id: text(row.session_id),
          }),
        },
      },
    ];
  },
};

/** "success" → ok; "failure" → the provider's error code when LiteLLM kept it ("429"), else "error". */
function status(s: string | undefined, error: Rec): string {
  if (s === undefined || s === 'success') return 'ok';
  const code = text(error.error_code);
  return code !== undefined && /^\d{3}$/.test(code) ? code : 'error';
}

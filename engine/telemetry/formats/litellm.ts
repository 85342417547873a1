// LiteLLM proxy spend logs (LiteLLM_SpendLogs rows): CSV dumps of the table, or the JSON of /spend/logs.
// Field meanings from LiteLLM's schema.prisma and its spend-tracking docs: `user` is the internal user that owns
// the virtual key (not the end user: that is `end_user`, the request's `user` parameter), `api_key` the key's
// sha256 hash, `cache_key` the response cache's hash of the request ("Cache OFF" when caching is off),
// `request_tags` the request's metadata.tags, `messages`/`response` stored only with store_prompts_in_spend_logs.
import { RecordError } from '../errors';
import {
  asRec, bool, compact, featureFromTags, hashText, inputIncludingCache, isRec, jsonCell, needTime, num, optText,
  optionalTime, pick, recOrEmpty, requireFields, tagList, text, type Rec,
} from '../fields';
import { promptHashes } from '../prompt-hashes';
import { providerUsage, usageDetails } from '../usage';
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
    const rawMeta = jsonCell(row.metadata);
    if (text(row.metadata) !== undefined && rawMeta !== undefined && !isRec(rawMeta)) throw new RecordError('metadata is not an object');
    const meta = recOrEmpty(rawMeta);
    const usage = recOrEmpty(meta.usage_object);
    const start = needTime(row.startTime, 'startTime');
    const end = optionalTime(row.endTime, 'endTime');
    const firstToken = optionalTime(row.completionStartTime, 'completionStartTime');
    const cached = pick(recOrEmpty(usage.prompt_tokens_details), 'cached_tokens') ?? pick(usage, 'cache_read_input_tokens');
    // the usage object's breakdowns: Anthropic's 5m/1h write split, audio/image tokens
    const mapped = providerUsage(usage, text(row.custom_llm_provider));
    const requestTags = tagList(row.request_tags, 'request_tags');
    const tags = requestTags.length > 0 ? requestTags : tagList(meta.tags, 'metadata.tags');
    const model = optText(row.model, 'model') ?? optText(row.model_group, 'model_group');
    const cacheKey = optText(row.cache_key, 'cache_key');
    const stored = promptHashes(model, jsonCell(row.messages) ?? row.messages);
    const keyOwner = optText(row.user, 'user') ?? optText(meta.user_api_key_user_id, 'metadata.user_api_key_user_id');
    const team = optText(row.team_id, 'team_id') ?? optText(meta.user_api_key_team_id, 'metadata.user_api_key_team_id');
    return [
      {
        input: {
          request_id: text(row.request_id),
          timestamp: start,
          provider: optText(row.custom_llm_provider, 'custom_llm_provider'),
          // `model` is the deployment actually called; model_group the alias the client asked for
          model,
          user: optText(row.end_user, 'end_user'),
          // the team, else the key owner when the key belongs to no team
          project: team ?? keyOwner,
          api_key: hashText(row.api_key, 'api_key') ?? hashText(meta.user_api_key, 'metadata.user_api_key'),
          feature: featureFromTags(tags),
          // the cache's own request hash, else a hash of the stored messages
          prompt_hash: (cacheKey === undefined || /^cache off$/i.test(cacheKey) ? undefined : hashText(cacheKey, 'cache_key')) ?? stored?.prompt_hash,
          prefix_hashes: stored && stored.prefix_hashes.length > 0 ? stored.prefix_hashes : undefined,
          // LiteLLM's prompt_tokens already include cache reads/writes, for every provider
          input_tokens: inputIncludingCache(row.prompt_tokens, cached, usage.cache_creation_input_tokens, false),
          output_tokens: num(row.completion_tokens),
          cached_input_tokens: num(cached),
          cache_write_tokens: num(usage.cache_creation_input_tokens),
          reasoning_tokens: num(pick(recOrEmpty(usage.completion_tokens_details), 'reasoning_tokens')),
          ...usageDetails(mapped),
          latency_ms: end !== undefined && end >= start ? end - start : undefined,
          ttft_ms: firstToken !== undefined && firstToken >= start ? firstToken - start : undefined,
          status: status(text(row.status) ?? text(meta.status), recOrEmpty(meta.error_information)),
          // the router's retries of this request before the logged attempt (StandardLoggingPayload metadata)
          ...(retriesOf(meta.attempted_retries) !== undefined && { attempt: retriesOf(meta.attempted_retries)! + 1 }),
          // litellm_trace_id: the attempts (retries, fallbacks) of one request share it
          trace_id: text(row.trace_id) ?? text(meta.trace_id),
          cost_usd: num(row.spend),
          metadata: compact({
            call_type: text(row.call_type),
            model_group: text(row.model_group),
            key_owner: keyOwner,
            key_alias: text(meta.user_api_key_alias),
            organization_id: text(row.organization_id),
            cache_hit: bool(row.cache_hit),
            tags: tags.length > 0 ? tags : undefined,
            session_id: optText(row.session_id, 'session_id'),
            requester_ip_address: text(row.requester_ip_address),
            api_base: text(row.api_base) ?? text(meta.api_base),
          }),
        },
      },
    ];
  },
};

function retriesOf(v: unknown): number | undefined {
  const n = num(v);
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1000 ? n : undefined;
}

/** "success" → ok; "failure" → the provider's error code when LiteLLM kept it ("429"), else "error". */
function status(s: string | undefined, error: Rec): string {
  if (s === undefined || s === 'success') return 'ok';
  const code = text(error.error_code);
  return code !== undefined && /^\d{3}$/.test(code) ? code : 'error';
}

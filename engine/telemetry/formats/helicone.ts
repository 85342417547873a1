// Helicone request exports: the JSON/JSONL of its request API (`npx @helicone/export`, HeliconeRequest rows)
// and its CSV export (response_id, response_created_at, response_status, request_created_at, request_body,
// request_properties, request_user_id, model, prompt_tokens, completion_tokens, latency, cost).
// Bodies are never kept: a request body's messages only yield the prompt hash and prefix block hashes.
import { RecordError } from '../errors';
import {
  asRec, compact, featureFromTags, inputIncludingCache, isRec, jsonCell, needTime, num, optText, pick, recOrEmpty, requireFields, text,
} from '../fields';
import { promptHashes } from '../prompt-hashes';
import type { FormatSpec } from './types';

const FIELDS = ['request_created_at', 'prompt_tokens', 'completion_tokens'] as const;

export const helicone: FormatSpec = {
  name: 'helicone',
  syntaxes: ['json', 'csv'],
  fields: FIELDS,
  needs: [],
  positional: false,
  detect: (s) => 'request_created_at' in s,
  map(value) {
    const row = asRec(value);
    requireFields(row, FIELDS);
    const provider = text(row.provider);
    const read = pick(row, 'prompt_cache_read_tokens');
    const write = pick(row, 'prompt_cache_write_tokens');
    const rawProperties = jsonCell(pick(row, 'request_properties', 'properties'));
    if (rawProperties !== undefined && !isRec(rawProperties)) throw new RecordError('request_properties is not an object');
    const properties = recOrEmpty(rawProperties);
    // custom properties arrive with or without their header prefix ("Helicone-Property-Feature" / "Feature")
    const named = new Map(Object.entries(properties).map(([k, v]) => [k.replace(/^helicone-property-/i, '').toLowerCase(), v]));
    const feature = featureFromTags(
      [...named].filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}:${v as string}`),
    );
    const model = optText(pick(row, 'model', 'response_model', 'request_model', 'model_override'), 'model');
    const body = jsonCell(row.request_body);
    const stored = isRec(body) ? promptHashes(model, body.messages ?? body.prompt ?? body.input) : undefined;
    const cacheRef = optText(row.cache_reference_id, 'cache_reference_id');
    const httpStatus = num(row.response_status);
    // HTTP codes as they are; Helicone's own negatives (pending, timed out) count as errors
    const abnormal = typeof httpStatus === 'number' && (httpStatus < 100 || httpStatus > 599);
    return [
      {
        input: {
          request_id: text(row.request_id) ?? text(row.response_id),
          timestamp: needTime(row.request_created_at, 'request_created_at'),
          provider,
          model,
          user: optText(pick(row, 'request_user_id', 'user_id', 'helicone_user'), 'request_user_id'),
          feature,
          prompt_hash: stored?.prompt_hash,
          stream: isRec(body) && typeof body.stream === 'boolean' ? body.stream : undefined,
          max_tokens: isRec(body) ? num(pick(body, 'max_tokens', 'max_completion_tokens')) : undefined,
          prefix_hashes: stored && stored.prefix_hashes.length > 0 ? stored.prefix_hashes : undefined,
          // Helicone passes Anthropic's usage through, where cache reads/writes are counted apart from the prompt
          input_tokens: inputIncludingCache(row.prompt_tokens, read, write, provider?.toLowerCase() === 'anthropic'),
          output_tokens: num(row.completion_tokens),
          cached_input_tokens: num(read),
          cache_write_tokens: num(write),
          reasoning_tokens: num(row.reasoning_tokens),
          input_audio_tokens: num(pick(row, 'prompt_audio_tokens')),
          output_audio_tokens: num(pick(row, 'completion_audio_tokens')),
          latency_ms: num(pick(row, 'latency', 'delay_ms')),
          ttft_ms: num(row.time_to_first_token),
          status: abnormal ? 'error' : httpStatus,
          cost_usd: num(pick(row, 'costUSD', 'cost_usd', 'cost')),
          metadata: compact({
            properties: Object.keys(properties).length > 0 ? properties : undefined,
            session_id: optText(pick(properties, 'Helicone-Session-Id', 'helicone-session-id') ?? named.get('session') ?? row.session_id, 'session id'),
            session_path: text(pick(properties, 'Helicone-Session-Path', 'helicone-session-path')),
            prompt_id: optText(pick(row, 'prompt_id') ?? pick(properties, 'Helicone-Prompt-Id', 'helicone-prompt-id'), 'prompt_id'),
            prompt_version: text(row.prompt_version),
            // a response served from Helicone's cache names the request it was cached from
            cache_hit: cacheRef !== undefined && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(cacheRef) ? true : undefined,
            cache_reference_id: cacheRef,
            country_code: text(row.country_code),
            response_status: abnormal ? httpStatus : undefined,
          }),
        },
      },
    ];
  },
};

// Helicone request exports: the JSON/JSONL of its request API (`npx @helicone/export`, HeliconeRequest rows)
// and its CSV export (response_id, response_created_at, response_status, request_created_at, request_body,
// request_properties, request_user_id, model, prompt_tokens, completion_tokens, latency, cost).
// Bodies are ignored: we keep usage, never prompts.
import {
  asRec, compact, inputIncludingCache, jsonCell, needTime, num, pick, recOrEmpty, requireFields, text,
} from '../fields';
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
    const properties = recOrEmpty(jsonCell(pick(row, 'request_properties', 'properties')));
    const feature = Object.entries(properties).find(([k]) => /^(helicone-property-)?feature$/i.test(k))?.[1];
    const httpStatus = num(row.response_status);
    // HTTP codes as they are; Helicone's own negatives (pending, timed out) count as errors
    const abnormal = typeof httpStatus === 'number' && (httpStatus < 100 || httpStatus > 599);
    return [
      {
        input: {
          request_id: text(row.request_id) ?? text(row.response_id),
          timestamp: needTime(row.request_created_at, 'request_created_at'),
          provider,
          model: text(pick(row, 'model', 'response_model', 'request_model', 'model_override')),
          user: text(pick(row, 'request_user_id', 'user_id', 'helicone_user')),
          feature: text(feature),
          // Helicone passes Anthropic's usage through, where cache reads/writes are counted apart from the prompt
          input_tokens: inputIncludingCache(row.prompt_tokens, read, write, provider?.toLowerCase() === 'anthropic'),
          output_tokens: num(row.completion_tokens),
          cached_input_tokens: num(read),
          cache_write_tokens: num(write),
          latency_ms: num(pick(row, 'latency', 'delay_ms')),
          ttft_ms: num(row.time_to_first_token),
          status: abnormal ? 'error' : httpStatus,
          cost_usd: num(pick(row, 'costUSD', 'cost_usd', 'cost')),
          metadata: compact({
            properties: Object.keys(properties).length > 0 ? properties : undefined,
            country_code: text(row.country_code),
            response_status: abnormal ? httpStatus : undefined,
          }),
        },
      },
    ];
  },
};

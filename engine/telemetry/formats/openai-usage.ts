// OpenAI organization usage: GET /v1/organization/usage/completions pages (JSON) and the dashboard's CSV export.
// A usage row aggregates every request of one time bucket (per model/project/user/key/batch as grouped):
// it maps to ONE record carrying the totals, timestamped at the bucket start, with metadata.num_requests.
// Latency and per-request shape are unknown for such records; token and cost totals are exact.
import { RecordError } from '../errors';
import { asRec, bool, needNumber, optText, needTime, num, pick, requireFields, text, type Rec } from '../fields';
import { canonicalJson } from '../hash';
import { generatedRequestId } from '../normalize';
import type { FormatSpec, MapItem, MapOptions } from './types';

const FIELDS = ['start_time', 'input_tokens', 'output_tokens', 'num_model_requests'] as const;

export const openaiUsage: FormatSpec = {
  name: 'openai_usage',
  syntaxes: ['json', 'csv'],
  fields: FIELDS,
  needs: [],
  positional: false,
  detect: (s) => 'num_model_requests' in s || (s.object === 'page' && 'data' in s) || s.object === 'bucket',
  *map(value, opts) {
    const rec = asRec(value);
    if ('data' in rec) {
      if (!Array.isArray(rec.data)) throw new RecordError('usage page: data is not an array', true);
      for (const [i, bucket] of rec.data.entries()) yield* bucketItems(bucket, opts, `data[${i}]`);
    } else if ('results' in rec) {
      yield* bucketItems(rec, opts, '');
    } else {
      const item = rowItem(rec, rec, opts); // a flat row: CSV export, or one result with its own start_time
      if (item) yield item;
    }
  },
};

function* bucketItems(value: unknown, opts: MapOptions, at: string): Generator<MapItem> {
  const bucket = asRec(value, 'usage bucket');
  if (!Array.isArray(bucket.results)) throw new RecordError(`${at || 'bucket'}: results is not an array`, true);
  for (const [j, result] of bucket.results.entries()) {
    const where = `${at ? `${at}.` : ''}results[${j}]`;
    try {
      const item = rowItem(asRec(result, 'usage result'), bucket, opts);
      if (item) yield { ...item, at: where };
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      yield { error: e.message, at: where };
    }
  }
}

/** One usage row; `bucket` holds its start/end times (the row itself for CSV). Rows of zero requests are no calls. */
function rowItem(row: Rec, bucket: Rec, opts: MapOptions): MapItem | undefined {
  requireFields(row, ['input_tokens', 'output_tokens', 'num_model_requests']);
  const requests = needNumber(row.num_model_requests, 'num_model_requests');
  if (!Number.isInteger(requests) || requests < 0) throw new RecordError('num_model_requests must be a whole number >= 0');
  if (requests === 0) return undefined;
  const start = bucketTime(bucket, 'start_time');
  const end = 'end_time' in bucket || 'end_time_iso' in bucket ? bucketTime(bucket, 'end_time') : undefined;
  // model is null unless the export was grouped by model
  const model = text(row.model) ?? opts.model;
  if (model === undefined) throw new RecordError('model is empty: export the usage grouped by model, or pass the model option');
  const identity = {
    start, end, model,
    project: optText(row.project_id, 'project_id'), user: optText(row.user_id, 'user_id'), key: optText(row.api_key_id, 'api_key_id'),
    batch: bool(row.batch), tier: text(row.service_tier),
  };
  return {
    input: {
      // The bucket's identity without its counts: a re-export of a bucket that kept filling replaces the old totals.
      request_id: generatedRequestId(`openai_usage:${canonicalJson(identity)}`),
      timestamp: start,
      provider: 'openai',
      model,
      project: identity.project,
      user: identity.user,
      api_key: identity.key,
      input_tokens: num(row.input_tokens),
      output_tokens: num(row.output_tokens),
      cached_input_tokens: num(row.input_cached_tokens),
      input_audio_tokens: num(row.input_audio_tokens),
      output_audio_tokens: num(row.output_audio_tokens),
      service_tier: identity.tier,
      metadata: {
        aggregated: true,
        num_requests: requests,
        ...(end !== undefined && { bucket_end: new Date(end).toISOString() }),
        ...(identity.key !== undefined && { api_key_id: identity.key }),
        ...(identity.batch !== undefined && { batch: identity.batch }),
        ...(identity.tier !== undefined && { service_tier: identity.tier }),
        ...(text(row.project_name) !== undefined && { project_name: text(row.project_name) }),
      },
    },
  };
}

/** Unix seconds (API, CSV `start_time`) or ISO text (CSV `start_time_iso`) → epoch ms. */
function bucketTime(bucket: Rec, field: 'start_time' | 'end_time'): number {
  const seconds = pick(bucket, field);
  if (seconds !== undefined) return Math.round(needNumber(seconds, field) * 1000);
  return needTime(pick(bucket, `${field}_iso`), `${field}_iso`);
}

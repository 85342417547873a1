// Mooncake traces (FAST'25): timestamp (ms from the trace start), input_length, output_length, hash_ids
// (one id per cumulative 512-token prompt block: our prefix_hashes). No model, relative time: both are options.
import { RecordError } from '../errors';
import { asRec, num, relativeTime, requireFields } from '../fields';
import type { FormatSpec } from './types';

const FIELDS = ['timestamp', 'input_length', 'output_length'] as const;

export const mooncake: FormatSpec = {
  name: 'mooncake',
  syntaxes: ['json'],
  fields: FIELDS,
  needs: ['model', 'start_time'],
  positional: true,
  detect: (s) => 'input_length' in s && 'output_length' in s,
  map(value, opts) {
    const rec = asRec(value);
    requireFields(rec, FIELDS);
    if (rec.hash_ids !== undefined && !Array.isArray(rec.hash_ids)) throw new RecordError('hash_ids is not an array');
    return [
      {
        input: {
          timestamp: relativeTime(rec.timestamp, 'timestamp', opts.start_time_ms, 1),
          input_tokens: num(rec.input_length),
          output_tokens: num(rec.output_length),
          prefix_hashes: rec.hash_ids,
        },
      },
    ];
  },
};

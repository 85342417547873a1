// BurstGPT traces (Azure OpenAI usage of a campus, 2023): Timestamp (seconds from the trace start), Model
// (ChatGPT / GPT-4), Request tokens, Response tokens, Total tokens, Log Type (Conversation log / API log).
import { compact, num, requireFields, relativeTime, text, type Rec } from '../fields';
import type { FormatSpec } from './types';

const FIELDS = ['Timestamp', 'Model', 'Request tokens', 'Response tokens'] as const;

/** The trace's model names → the models that served them. */
const MODELS: Record<string, string> = { chatgpt: 'gpt-3.5-turbo', 'gpt-4': 'gpt-4' };

export const burstgpt: FormatSpec = {
  name: 'burstgpt',
  syntaxes: ['csv'],
  fields: FIELDS,
  needs: ['start_time'],
  positional: true,
  detect: (s) => 'Request tokens' in s && 'Response tokens' in s,
  map(value, opts) {
    const row = value as Rec; // CSV only: always a column → cell record
    requireFields(row, FIELDS);
    const traceModel = text(row.Model);
    return [
      {
        input: {
          timestamp: relativeTime(row.Timestamp, 'Timestamp', opts.start_time_ms, 1000),
          model: traceModel === undefined ? undefined : (MODELS[traceModel.toLowerCase()] ?? traceModel),
          provider: opts.provider ?? 'openai', // served by Azure OpenAI: OpenAI's models, whatever the catalog knows
          input_tokens: num(row['Request tokens']),
          output_tokens: num(row['Response tokens']),
          metadata: compact({ trace_model: traceModel, log_type: text(row['Log Type']) }),
        },
      },
    ];
  },
};

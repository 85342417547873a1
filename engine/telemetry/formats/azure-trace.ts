// Azure LLM inference traces (AzurePublicDataset, 2023/2024): TIMESTAMP (UTC, 7 fraction digits),
// ContextTokens, GeneratedTokens. They name no model: the import's model option supplies it.
import { needTime, num, requireFields, type Rec } from '../fields';
import type { FormatSpec } from './types';

const FIELDS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;

export const azureTrace: FormatSpec = {
  name: 'azure_trace',
  syntaxes: ['csv'],
  fields: FIELDS,
  needs: ['model'],
  positional: true,
  detect: (s) => 'ContextTokens' in s && 'GeneratedTokens' in s,
  map(value) {
    const row = value as Rec; // CSV only: always a column → cell record
    requireFields(row, FIELDS);
    return [
      {
        input: {
          timestamp: needTime(row.TIMESTAMP, 'TIMESTAMP'),
          input_tokens: num(row.ContextTokens),
          output_tokens: num(row.GeneratedTokens),
        },
      },
    ];
  },
};

// What every import format provides: how to recognise it, what it needs, and how one record maps to llmCallInput.
import type { Rec } from '../fields';

export type FormatName =
  | 'native'
  | 'openai_usage'
  | 'litellm'
  | 'helicone'
  | 'burstgpt'
  | 'azure_trace'
  | 'mooncake'
  | 'otlp';

export type Syntax = 'csv' | 'json';

/** Import options after validation (start_time as epoch ms). */
export interface MapOptions {
  model?: string;
  provider?: string;
  start_time_ms?: number;
}

/** One llmCallInput-shaped record, or why a part of a multi-record value failed; `at` locates it inside the value. */
export type MapItem = { input: Rec; at?: string } | { error: string; at?: string };

export interface FormatSpec {
  name: FormatName;
  syntaxes: readonly Syntax[];
  /** The fields that make a record of this format: detection, header checks and the wrong-format message. */
  fields: readonly string[];
  /** Options the import must give (traces that name no model, or only relative timestamps). */
  needs: readonly ('model' | 'start_time')[];
  /**
   * Rows carry no identity of their own (traces): the line number joins the generated request_id,
   * so equal rows stay distinct.
   */
  positional: boolean;
  /** Does this first record (CSV: header columns → cells) look like this format? */
  detect(sample: Rec): boolean;
  /** Maps a CSV row (column → cell text) or a JSON value; throws RecordError when the whole value is unusable. */
  map(value: unknown, opts: MapOptions, syntax: Syntax): Iterable<MapItem>;
}

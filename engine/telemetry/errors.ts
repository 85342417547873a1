// The two ways an import goes wrong: one record is bad (the rest continue), or the whole input is.

/** One record cannot be mapped. `structural` = its shape is not the format's (missing fields, not an object, not JSON). */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly structural = false,
  ) {
    super(message);
    this.name = 'RecordError';
  }
}

export type ImportErrorCode =
  | 'empty_input'
  | 'not_text'
  | 'unreadable_input'
  | 'unsupported_encoding'
  | 'invalid_format'
  | 'invalid_options'
  | 'record_limit';

/** The input as a whole cannot be imported (wrong format, binary, empty, missing option, over the record limit). */
export class TelemetryImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TelemetryImportError';
  }
}

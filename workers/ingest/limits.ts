// Limits of the ingest routes (README "Ingestion" states them for clients).

/** Largest REST batch or OTLP request, decoded (gzip is measured after decompression). */
export const MAX_BATCH_BYTES = 10 * 1024 * 1024;
/** Records per REST batch or OTLP request: what one buffer RPC carries comfortably. */
export const MAX_BATCH_RECORDS = 25_000;
/** Largest import file, decoded. It streams through, so this bounds CPU time per request, not memory. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** A call timestamped further than this in the future is rejected (clock skew allowance). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Rejections listed in a batch response (the `rejected` count covers all of them). */
export const MAX_REJECTIONS_LISTED = 1_000;

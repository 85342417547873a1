// What a failed Postgres call means for the caller. The driver's errors carry a SQLSTATE when the server
// answered; without one the server was never reached (connection refused, socket closed, timeout).
// drizzle wraps them in "Failed query: … params: …", a message that holds user data: never log it.
import { ApiError, dependencyUnavailable } from './errors';

/** The SQLSTATE of a driver error, also when drizzle wraps it. */
export function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | null | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

const isDrizzleQueryError = (err: unknown) => err instanceof Error && err.message.startsWith('Failed query:');

/** SQLSTATE classes of a server that is there but cannot serve now: connection exceptions, shutdown, resources. */
const UNAVAILABLE_STATE = /^(08|53|57P0[1-3])/;
/** Text the server cannot store: NUL bytes (22021), untranslatable characters (22P05). */
const BAD_TEXT_STATE = /^(22021|22P05)$/;

export function postgresUnavailable(): ApiError {
  return dependencyUnavailable('postgres', 'postgres is unavailable right now; retry shortly');
}

/** The API error a Postgres failure stands for (503 when unreachable, 400 for text it cannot hold), or null for a real fault. */
export function postgresApiError(err: unknown, opts: { fromQuery?: boolean } = {}): ApiError | null {
  const state = sqlState(err);
  if (state && BAD_TEXT_STATE.test(state)) return new ApiError('invalid_request', 'text contains a character that cannot be stored (NUL)');
  if (state ? UNAVAILABLE_STATE.test(state) : opts.fromQuery || isDrizzleQueryError(err)) return postgresUnavailable();
  return null;
}

/** A loggable description of an error: drizzle's "Failed query" text (with its parameters) reduced to the SQLSTATE and cause. */
export function safeErrorText(err: unknown): string {
  if (!isDrizzleQueryError(err)) return err instanceof Error ? (err.stack ?? err.message) : String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeName = cause instanceof Error ? cause.name : typeof cause;
  return `postgres query failed (sqlstate ${sqlState(err) ?? 'none'}, ${causeName})`;
}

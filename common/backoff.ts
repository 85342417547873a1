// Exponential backoff, the project's one helper: base · 2^retry ms (retry 0 = the first retry), capped at maxMs.
// With jitter (many clients retrying one server) the delay is a uniform draw from the upper half, so retries
// spread out; without it (timers a state machine must replay exactly) it is the plain doubling.
export interface Backoff {
  baseMs: number;
  maxMs: number;
  jitter: boolean;
}

export function backoffDelay(retry: number, { baseMs, maxMs, jitter }: Backoff, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry));
  return jitter ? Math.round(full / 2 + random() * (full / 2)) : full;
}

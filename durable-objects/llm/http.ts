// The request loop every HTTP provider shares: deadline, retries with exponential backoff + jitter on
// 429 / 5xx / network errors (honouring Retry-After), and timing of the streamed answer.
import { LlmError, type CallOptions, type ChatResult } from './types';
import { backoffDelay, type Backoff } from '../../common/backoff';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function postWithRetries(url: string, init: RequestInit, opts: CallOptions = {}): Promise<Response> {
  const retries = opts.retries ?? 2;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new LlmError('LLM call timed out', null, true);
    let res: Response;
    try {
      res = await fetch(url, { ...init, method: 'POST', signal: AbortSignal.timeout(remaining) });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      if (attempt >= retries || timedOut) throw new LlmError(timedOut ? 'LLM call timed out' : 'LLM provider unreachable', null, true);
      await sleep(backoffDelay(attempt, RETRY));
      continue;
    }
    if (res.ok) return res;
    const retryable = res.status === 429 || res.status >= 500;
    const detail = (await res.text().catch(() => '')).slice(0, 200);
    if (!retryable || attempt >= retries) throw new LlmError(`LLM provider answered ${res.status}: ${detail}`, res.status, retryable);
    const retryAfter = Number(res.headers.get('retry-after'));
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : backoffDelay(attempt, RETRY));
  }
}

const RETRY: Backoff = { baseMs: 250, maxMs: 10_000, jitter: true };

/** Collects a streamed answer: text deltas (timed: time to first delta, total latency) and token counts. */
export function streamedAnswer(opts: CallOptions) {
  const started = performance.now();
  let first: number | null = null;
  let text = '';
  let input_tokens = 0;
  let output_tokens = 0;
  return {
    delta(t: string | null | undefined): void {
      if (!t) return;
      first ??= performance.now() - started;
      text += t;
      opts.onDelta?.(t);
    },
    usage(input?: number, output?: number): void {
      if (input !== undefined) input_tokens = input;
      if (output !== undefined) output_tokens = output;
    },
    result: (provider: string, model: string): ChatResult => ({
      text,
      provider,
      model,
      input_tokens,
      output_tokens,
      latency_ms: Math.round(performance.now() - started),
      ttft_ms: first === null ? null : Math.round(first),
    }),
  };
}

/** A model's tool-call arguments as a value ({} when they are not valid JSON; the loop validates them anyway). */
export function parseToolArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

// Sends a request to the first candidate that answers: a 429, a 5xx, a network error or a time-out (before
// the answer's headers) moves on to the next candidate (the rule's fallbacks); other 4xx answers stop there.
import type { Target } from './targets';
import { GatewayError } from './errors';
import type { UpstreamRequest } from './upstreams/types';

export interface Answered {
  res: Response;
  target: Target;
  /** 1 for the first candidate. */
  attempt: number;
}

export interface Failure {
  /** "429", "500", "timeout", "unreachable", or the 4xx status. */
  status: string;
  target: Target;
  attempt: number;
  error: GatewayError;
}

export type CallResult = { ok: true; answered: Answered } | { ok: false; failure: Failure };

async function upstreamMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 2_000);
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message);
    if (typeof m === 'string') return m.slice(0, 300);
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 300);
}

export async function callFirstAvailable(candidates: Target[], build: (t: Target) => Promise<UpstreamRequest>, timeoutMs: number): Promise<CallResult> {
  let last: Failure | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const target = candidates[i]!;
    const attempt = i + 1;
    const req = await build(target);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    try {
      res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: controller.signal });
    } catch {
      const timedOut = controller.signal.aborted;
      last = {
        status: timedOut ? 'timeout' : 'unreachable',
        target,
        attempt,
        error: new GatewayError(timedOut ? 504 : 502, 'api_error', timedOut ? 'upstream_timeout' : 'upstream_unreachable', `${target.provider} ${timedOut ? `did not answer within ${timeoutMs} ms` : 'is unreachable'}`),
      };
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) return { ok: true, answered: { res, target, attempt } };
    const message = await upstreamMessage(res);
    const status = String(res.status);
    if (res.status === 429 || res.status >= 500) {
      last = {
        status,
        target,
        attempt,
        error: new GatewayError(res.status === 429 ? 429 : 502, res.status === 429 ? 'rate_limit_error' : 'api_error', res.status === 429 ? 'upstream_rate_limited' : 'upstream_error', `${target.provider} answered ${res.status}: ${message}`),
      };
      continue;
    }
    // The upstream refused the request itself: its key (401/403) is the org's configuration, the rest the client's input.
    const auth = res.status === 401 || res.status === 403;
    const error = auth
      ? new GatewayError(502, 'api_error', 'upstream_auth_failed', `${target.provider} refused the stored provider key (${res.status}); update it at /api/gateway/provider-keys`)
      : new GatewayError(res.status === 404 ? 404 : 400, 'invalid_request_error', 'upstream_rejected', `${target.provider} answered ${res.status}: ${message}`);
    return { ok: false, failure: { status, target, attempt, error } };
  }
  return { ok: false, failure: last! };
}

// Shared helpers of the workers tests: call the API in-process, and drive the local stack's control endpoint.
import { env, exports } from 'cloudflare:workers';

export function api(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://api.test${path}`, init));
}

export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Test-only binding injected by vitest.config.ts: the global setup's control server. */
export function stackControl(action: 'clickhouse/stop' | 'clickhouse/start' | 'clickhouse/hold' | 'clickhouse/release'): Promise<Response> {
  const url = (env as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
  return fetch(`${url}/${action}`, { method: 'POST' });
}

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

/**
 * A chat request of about `bytes` bytes as a stream sent in 64 KiB chunks, and how many bytes the receiver
 * has pulled from it so far: an upload the Worker reads to its end shows all of them.
 */
export function countedUpload(bytes: number): { body: ReadableStream<Uint8Array>; size: number; pulled(): number } {
  const text = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(Math.max(0, bytes - 64)) }] });
  const data = new TextEncoder().encode(text);
  const CHUNK = 64 * 1024;
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) return controller.close();
      controller.enqueue(data.slice(offset, offset + CHUNK));
      offset = Math.min(data.byteLength, offset + CHUNK);
    },
  });
  return { body, size: data.byteLength, pulled: () => offset };
}

// A refusal answered while the client is still uploading (401/403/429 before any handler reads the body, a 413
// on the declared size) lets workerd close the connection under a large upload, and Node clients then get
// ECONNRESET instead of the answer. So a request body nobody read is read to its end and dropped before the
// answer goes out, up to DRAIN_MAX_BYTES; a larger one is left to the runtime.
import type { MiddlewareHandler } from 'hono';

/** Above every JSON body limit of the API (the largest, an ingest batch, is 10 MiB). */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

export function drainBody(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const req = c.req.raw;
    // Read (or being read, e.g. by a streaming handler) already: nothing to do.
    if (!req.body || req.bodyUsed || req.body.locked) return;
    if (Number(c.req.header('content-length') ?? 0) > DRAIN_MAX_BYTES) return;
    const reader = req.body.getReader();
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        total += value.byteLength;
        if (total > DRAIN_MAX_BYTES) return void (await reader.cancel());
      }
    } catch {
      // The client went away: the answer has no one to reach anyway.
    }
  };
}

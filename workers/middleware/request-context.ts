// Request id (honours a well-formed incoming x-request-id), structured access log, metrics.
// Query strings are never logged: they may carry tokens (GET /ws?token=…).
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { newId } from '../lib/ids';
import { log } from '../lib/logger';
import { recordRequest } from '../lib/metrics';
import type { AppEnv } from '../lib/services';

const REQUEST_ID = /^[\w.-]{8,100}$/;

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    const ms = performance.now() - started;
    const route = routePath(c, -1);
    recordRequest(c.req.method, route, c.res.status, ms);
    log(c.res.status >= 500 ? 'error' : 'info', 'request', {
      request_id: requestId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      route,
      status: c.res.status,
      ms: Math.round(ms * 10) / 10,
    });
  };
}

// Request id (Hono's requestId: honours a well-formed incoming x-request-id, else a new `req_…`), structured
// access log, metrics. Query strings are never logged: they may carry tokens (GET /ws?token=…).
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { newId } from '../../common/ids';
import { log } from '../../common/logger';
import { recordRequest } from '../lib/metrics';
import { afterResponse, type AppEnv } from '../lib/services';

/** Mount first: the id every later middleware, log line and error envelope carries. */
export const requestIds = (): MiddlewareHandler<AppEnv> => requestId({ limitLength: 100, generator: () => newId('req') });

export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = c.get('requestId');
    await next();
    // Again after the handler: a Response the handler built itself never saw the header set before it (only
    // then: setting a header on a finished response copies it).
    if (c.res.headers.get('x-request-id') !== requestId) c.header('x-request-id', requestId);
    const ms = performance.now() - started;
    const route = routePath(c, -1);
    const status = c.res.status;
    recordRequest(c.req.method, route, status, ms);
    // Written once the response is out: the line costs the request nothing.
    const fields = { request_id: requestId, method: c.req.method, path: c.req.path, route, status, ms: Math.round(ms * 10) / 10 };
    afterResponse(c, () => log(status >= 500 ? 'error' : 'info', 'request', fields));
  };
}

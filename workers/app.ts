// Builds the API app: request context, CORS, data-store access, one router per resource, one error path.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { ApiError, errorBody, type ErrorCode } from './lib/errors';
import { log } from '../common/logger';
import { postgresApiError, safeErrorText } from './lib/postgres-errors';
import { services, type AppEnv } from './lib/services';
import { drainBody } from './middleware/drain-body';
import { requestContext, requestIds } from './middleware/request-context';
import { openApiDocument, registerSecuritySchemes } from './openapi-document';
import { auth } from './routes/auth';
import { health } from './routes/health';
import { keys } from './routes/keys';
import { tiers } from './routes/tiers';
import { agentRoutes } from './routes/agent';
import { analysisRoutes } from './routes/analysis';
import { reportRoutes } from './routes/reports';
import { corpusRoutes } from './routes/corpus';
import { supplyRoutes } from './routes/supply';
import { generationRoutes } from './routes/generation';
import { threadRoutes } from './routes/threads';
import { wsRoute, wsTicketRoutes } from './routes/ws';
import { analytics } from './routes/analytics';
import { ingest, otlp } from './routes/ingest';
import { priceRoutes } from './routes/prices';
import { costRoutes } from './routes/costs';
import { gatewayV1 } from './gateway/v1-routes';
import { providerKeyRoutes } from './gateway/provider-keys';
import { policyRoutes } from './gateway/policies';
import { metricsRoutes } from './gateway/metrics-routes';
import { orgRoutes } from './routes/orgs';
import { operatorRoutes } from './routes/operator';

/** Hono's own 4xx (route validators, body parsing) in the project's codes. */
function httpExceptionCode(err: HTTPException): ErrorCode {
  if (err.status === 415) return 'unsupported_media_type';
  if (err.status === 413) return 'payload_too_large';
  // The JSON validator's parse failure (@hono/zod-openapi routes).
  if (err.status === 400 && /malformed json/i.test(err.message)) return 'invalid_json';
  return 'invalid_request';
}

/**
 * Every router declares its contract; they are mounted by chaining so their types flow into `AppType`
 * (Hono's `hc<AppType>` client, examples/) and their schemas into GET /api/openapi.json. Order matters
 * where prefixes are shared (`/`, `/api`, `/v1`).
 */
function mountRoutes(app: OpenAPIHono<AppEnv>) {
  return app
    .route('/', health)
    .route('/api/auth', auth)
    .route('/api/keys', keys)
    .route('/api/orgs', orgRoutes)
    .route('/api/operator', operatorRoutes)
    .route('/api/threads', threadRoutes)
    .route('/api', tiers)
    .route('/api/ws', wsTicketRoutes)
    .route('/api/agent', agentRoutes)
    .route('/api/analysis', analysisRoutes)
    .route('/api/reports', reportRoutes)
    .route('/api/corpus', corpusRoutes)
    .route('/api/supply', supplyRoutes)
    .route('/api/generation', generationRoutes)
    .route('/', wsRoute)
    .route('/api/ingest', ingest)
    .route('/api/analytics', analytics)
    .route('/api/prices', priceRoutes)
    .route('/api/costs', costRoutes)
    .route('/v1', otlp)
    .route('/v1', gatewayV1)
    .route('/api/gateway/provider-keys', providerKeyRoutes)
    .route('/api/policies', policyRoutes)
    .route('/api/metrics', metricsRoutes)
    .route('/', openApiDocument);
}

/** The typed surface of the API for `hc<AppType>(baseUrl)` (hono/client). */
export type AppType = ReturnType<typeof mountRoutes>;

/** Paths the API owns (any case): never handed to the static assets. */
const API_PATH = /^\/(api|v1|ws|health)(\/|$)/i;

/** The CORS middleware of the configured origins (one per value of CORS_ORIGINS). */
const corsByOrigins = new Map<string, MiddlewareHandler>();
function corsFor(origins: string): MiddlewareHandler {
  let handler = corsByOrigins.get(origins);
  if (!handler) {
    const allowed = origins.split(',').map((o) => o.trim());
    handler = cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      credentials: true,
      maxAge: 600,
    });
    corsByOrigins.set(origins, handler);
  }
  return handler;
}

export function buildApp() {
  // OpenAPIHono: routers that declare their contract (workers/lib/openapi.ts) add their routes to the document.
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestIds());
  app.use('*', requestContext());
  app.use('*', drainBody());
  app.use('*', (c, next) => {
    // No Origin, no CORS to answer (browsers send one on every cross-origin request): API clients skip the
    // headers, and the two copies of the response that setting them costs.
    if (c.req.header('origin') === undefined) return next();
    return corsFor(c.env.CORS_ORIGINS)(c, next);
  });
  app.use('*', async (c, next) => {
    // No id, name or token holds a NUL, and Postgres text cannot store one: refused before any route reads it.
    if (/%00/.test(c.req.url)) throw new ApiError('invalid_request', 'the URL contains a NUL character (%00)');
    await next();
  });
  app.use('*', services());

  mountRoutes(app);
  registerSecuritySchemes(app);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (API_PATH.test(path)) return c.json(errorBody('not_found', `no route for ${c.req.method} ${path}`, c.get('requestId')), 404);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.env.ASSETS ? c.env.ASSETS.fetch(c.req.raw) : c.json(errorBody('not_found', `nothing at ${path}`, c.get('requestId')), 404);
    return c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed on ${path}: the web app's pages are read with GET`, c.get('requestId')), 405, { Allow: 'GET, HEAD' });
  });

  app.onError((err, c) => {
    const requestId = c.get('requestId');
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message, requestId, err.details), err.status, err.headers);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody(httpExceptionCode(err), err.message || 'bad request', requestId), err.status);
    }
    const fromPostgres = postgresApiError(err);
    if (fromPostgres) {
      if (fromPostgres.status >= 500) log('warn', 'postgres unavailable', { request_id: requestId, error: safeErrorText(err) });
      return c.json(errorBody(fromPostgres.code, fromPostgres.message, requestId, fromPostgres.details), fromPostgres.status, fromPostgres.headers);
    }
    log('error', 'unhandled error', { request_id: requestId, error: safeErrorText(err) });
    return c.json(errorBody('internal', 'internal error; quote the request id when reporting it', requestId), 500);
  });

  return app;
}

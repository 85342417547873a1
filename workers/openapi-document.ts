// GET /api/openapi.json: the OpenAPI 3.1 document of the schemas the routes declare (workers/lib/openapi.ts).
// It is generated at build time (scripts/build-openapi.ts, part of `npm run build:web`) into the static assets,
// so the Worker carries no document generator; this route serves that file. The web app renders it at /reference.
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { ApiError } from './lib/errors';
import type { AppEnv } from './lib/services';
import { errorsFor, json, undocumented } from './lib/openapi';

export const OPENAPI_PATH = '/api/openapi.json';
/** Where the build writes the document among the static assets. */
export const OPENAPI_ASSET = '/openapi.json';

const documentRoute = createRoute({
  method: 'get',
  path: OPENAPI_PATH,
  ...(OPENAPI_DOCUMENT ? {
    tags: ['meta'],
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The OpenAPI document'), ...errorsFor(503) },
  } : undocumented),
});

/** What the document says besides the routes (the build script passes it to the generator). */
export const OPENAPI_INFO: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  info: {
    title: 'Netra Apex API',
    version: '1',
    description:
      'Errors are `{error:{code,message,details?,request_id}}`; lists take `?limit=&cursor=` and answer `{items, next_cursor}`. ' +
      "Every route of the API is here; /v1/chat/completions and /v1/embeddings answer errors in OpenAI's shape instead.",
  },
};

/** The security schemes the routes name (`bearer`, `operator`), registered on the app that builds the document. */
export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  if (!OPENAPI_DOCUMENT) return;
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A signed-in user\'s access JWT (POST /api/auth/login), or an API key "nak_…" where the route accepts keys',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operator', { type: 'http', scheme: 'bearer', description: 'The OPERATOR_TOKEN secret' });
}

/** GET /api/openapi.json, mounted at / with the other routers (so the typed client reaches it too). */
export const openApiDocument = new OpenAPIHono<AppEnv>().openapi(documentRoute, async (c) => {
  const res = c.env.ASSETS ? await c.env.ASSETS.fetch(new URL(OPENAPI_ASSET, c.req.url)) : null;
  // Without the file the assets answer the web app's index.html (SPA fallback): only JSON is the document.
  if (!res?.ok || !res.headers.get('content-type')?.includes('json')) throw new ApiError('dependency_unavailable', 'the OpenAPI document is not built (npm run build:web)');
  return c.json((await res.json()) as Record<string, unknown>, 200);
});

// GET /api/openapi.json: the OpenAPI 3.1 document generated from the schemas the routes declare
// (workers/lib/openapi.ts), built once per isolate. The web app renders it at /reference.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import type { AppEnv } from './lib/services';
import { json } from './lib/openapi';

export const OPENAPI_PATH = '/api/openapi.json';

const documentRoute = createRoute({
  method: 'get',
  path: OPENAPI_PATH,
  tags: ['meta'],
  summary: 'This document (OpenAPI 3.1)',
  responses: { 200: json(z.record(z.string(), z.unknown()), 'The OpenAPI document') },
});

export function serveOpenApiDocument(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A signed-in user\'s access JWT (POST /api/auth/login), or an API key "nak_…" where the route accepts keys',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operator', { type: 'http', scheme: 'bearer', description: 'The OPERATOR_TOKEN secret' });
  let document: Record<string, unknown> | undefined;
  app.openapi(documentRoute, (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Netra Apex API',
        version: '1',
        description:
          'Errors are `{error:{code,message,details?,request_id}}`; lists take `?limit=&cursor=` and answer `{items, next_cursor}`. ' +
          'Every route of the API is here; /v1/chat/completions and /v1/embeddings answer errors in OpenAI\'s shape instead.',
      },
    }) as unknown as Record<string, unknown>;
    return c.json(document, 200);
  });
}

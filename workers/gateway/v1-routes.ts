// The OpenAI-compatible surface: /v1/chat/completions and /v1/embeddings, for API keys with the `gateway`
// scope (or signed-in users). Errors come in OpenAI's shape; without GATEWAY_ENCRYPTION_KEY every call is 503.
// Middleware is bound to these paths only: /v1/traces (OTLP ingest) shares the prefix. The handlers read and
// validate the OpenAI wire format themselves (wire.ts): the routes document those schemas.
import type { MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { requireAuth } from '../auth/middleware';
import { contractRouterWith, documented, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import type { AppEnv } from '../lib/services';
import { chatCompletions } from './chat';
import { hasEncryptionKey } from './crypto';
import { embeddings } from './embeddings';
import { GatewayError, onGatewayError } from './errors';
import { chatRequest, embeddingsRequest } from './wire';

const configured: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!hasEncryptionKey(c.env.GATEWAY_ENCRYPTION_KEY)) {
    throw new GatewayError(503, 'api_error', 'gateway_not_configured', 'the gateway is not configured: the operator must set the secret GATEWAY_ENCRYPTION_KEY');
  }
  await next();
};

const gatewayAuth = requireAuth({ scopes: ['gateway'] });

const openAiError = OPENAPI_DOCUMENT
  ? z.object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) }).describe("OpenAI's error shape")
  : undocumented;
// As plain JSON Schema: the handlers answer untyped Responses (streams, upstream bodies).
const failure = (description: string) => ({ description, content: { 'application/json': { schema: documented(openAiError) } } });
const failures = OPENAPI_DOCUMENT ? {
  400: failure('Invalid request (invalid_request_error)'),
  401: failure('Not authenticated (authentication_error)'),
  403: failure('The key lacks the gateway scope (permission_error)'),
  413: failure('Request body too large'),
  429: failure('Rate limited or over budget (rate_limit_error); Retry-After says when'),
  502: failure('The upstream provider failed'),
  503: failure('The gateway is not configured or no provider key is stored (api_error)'),
} : undocumented;
const middleware = [gatewayAuth, configured];

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['gateway'] } : undocumented);
const routes = {
  chat: route({
    method: 'post',
    path: '/chat/completions',
    middleware,
    ...(OPENAPI_DOCUMENT ? {
      request: { body: { required: true, content: { 'application/json': { schema: documented(chatRequest) } } } },
      security: userSecurity,
      summary: "OpenAI-compatible chat completions through the org's active policy (an API key with the gateway scope)",
      responses: {
        200: { description: 'A chat.completion, or with stream=true a text/event-stream of chat.completion.chunk', content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': { schema: { type: 'string' } } } },
        ...failures,
      },
    } : undocumented),
  }),
  embeddings: route({
    method: 'post',
    path: '/embeddings',
    middleware,
    ...(OPENAPI_DOCUMENT ? {
      request: { body: { required: true, content: { 'application/json': { schema: documented(embeddingsRequest) } } } },
      security: userSecurity,
      summary: 'OpenAI-compatible embeddings (an API key with the gateway scope)',
      responses: { 200: { description: 'A list of embeddings', content: { 'application/json': { schema: { type: 'object' } } } }, ...failures },
    } : undocumented),
  }),
};

export const gatewayV1 = contractRouterWith({ bodyLimit: null })
  .onError(onGatewayError)
  // Through a lambda: chatCompletions takes a plain Context, whose path type would widen the route's to string in AppType.
  .openapi(routes.chat, (c) => chatCompletions(c))
  // embeddings() answers a plain Response (the upstream's JSON, re-shaped): not a typed c.json of the schema above.
  .openapi(routes.embeddings, (c) => embeddings(c) as never);

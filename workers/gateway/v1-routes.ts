// The OpenAI-compatible surface: /v1/chat/completions and /v1/embeddings, for API keys with the `gateway`
// scope (or signed-in users). Errors come in OpenAI's shape; without GATEWAY_ENCRYPTION_KEY every call is 503.
// Middleware is bound to these paths only: /v1/traces (OTLP ingest) shares the prefix.
import { Hono, type MiddlewareHandler } from 'hono';
import { requireAuth } from '../auth/middleware';
import type { AppEnv } from '../lib/services';
import { chatCompletions } from './chat';
import { hasEncryptionKey } from './crypto';
import { embeddings } from './embeddings';
import { GatewayError, onGatewayError } from './errors';

const configured: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!hasEncryptionKey(c.env.GATEWAY_ENCRYPTION_KEY)) {
    throw new GatewayError(503, 'api_error', 'gateway_not_configured', 'the gateway is not configured: the operator must set the secret GATEWAY_ENCRYPTION_KEY');
  }
  await next();
};

const gatewayAuth = requireAuth({ scopes: ['gateway'] });

export const gatewayV1 = new Hono<AppEnv>()
  .onError(onGatewayError)
  .post('/chat/completions', gatewayAuth, configured, chatCompletions)
  .post('/embeddings', gatewayAuth, configured, embeddings);

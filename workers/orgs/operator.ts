// The operator path (Enterprise deals, support): routes guarded by the OPERATOR_TOKEN secret instead of a
// user session. Without the secret (or with one under 32 characters) the routes do not exist (404).
import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../auth/secrets';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/services';

const MIN_TOKEN_CHARS = 32;

export interface OperatorEnv {
  OPERATOR_TOKEN?: string;
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  // Digests have equal lengths, so the comparison's time reveals nothing about the secret.
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(x, y);
}

export function requireOperator(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = (c.env as OperatorEnv).OPERATOR_TOKEN;
    if (!secret || secret.length < MIN_TOKEN_CHARS) return c.notFound();
    const given = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !(await sameSecret(given, secret))) throw new ApiError('unauthorized', 'operator token required', undefined, { 'WWW-Authenticate': 'Bearer realm="netra-apex-operator"' });
    await next();
  };
}

// /api/gateway/provider-keys: the org's upstream keys (OpenAI-compatible, Anthropic, Gemini), one per provider.
// The key is encrypted on arrival (workers/gateway/crypto.ts) and never returned or logged: answers show a hint
// (its last 4 characters). Signed-in users only; every query is scoped to the caller's org.
import { and, asc, eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { gatewayProviderKeys } from '../../db/schema';
import { normalizeProvider } from '../../engine/catalog/index';
import { requireUser } from '../auth/middleware';
import { ApiError } from '../lib/errors';
import { uuidv7 } from '../../common/ids';
import { contractRouter, errorsFor, json, jsonBody, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import type { AppEnv } from '../lib/services';
import { invalidateGatewayConfig, type UpstreamApi } from './config';
import { encryptSecret, hasEncryptionKey, missingEncryptionKey } from './crypto';

const DEFAULT_BASE_URL: Record<UpstreamApi, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

/** The wire format a provider speaks unless told otherwise. */
const defaultApi = (provider: string): UpstreamApi => (provider === 'anthropic' ? 'anthropic' : provider === 'google' ? 'gemini' : 'openai');

const baseUrl = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .transform((u) => u.replace(/\/+$/, ''));

const createBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    provider: z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'provider is a name like openai, anthropic, google, groq'),
    api: z.enum(['openai', 'anthropic', 'gemini']).optional(),
    base_url: baseUrl.optional(),
    key: z.string().min(8).max(1000).regex(/^[\x21-\x7e]+$/, 'key must be printable ASCII without spaces'),
  })
  .strict();

const updateBody = z
  .object({ name: z.string().trim().min(1).max(100).optional(), base_url: baseUrl.optional(), key: createBody.shape.key.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');

type Row = typeof gatewayProviderKeys.$inferSelect;

const keySchema = OPENAPI_DOCUMENT ? z.object({ id: z.string(), name: z.string(), provider: z.string(), api: z.string(), base_url: z.string(), hint: z.string().describe('…and the last 4 characters'), created_at: z.string() }) : undocumented;

const publicKey = (r: Row): z.infer<typeof keySchema> => ({
  id: r.id,
  name: r.name,
  provider: r.provider,
  api: r.api,
  base_url: r.base_url,
  hint: `…${r.hint}`,
  created_at: r.created_at.toISOString(),
});

const notFound = () => new ApiError('not_found', 'no such provider key');
const isKeyId = (id: string) => /^gpk_[0-9a-f]{32}$/.test(id);

/** Plain http upstreams only outside production-like environments (local fakes, self-hosted dev servers). */
function checkBaseUrl(c: Context<AppEnv>, url: string | undefined): void {
  if (url && url.startsWith('http:') && !['development', 'test'].includes(c.env.ENVIRONMENT)) {
    throw new ApiError('invalid_request', 'base_url must use https');
  }
}

const params = z.object({ id: z.string().describe("the provider key's id") });
const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['gateway'], security: userSecurity } : undocumented);
const routes = {
  create: route({
    method: 'post',
    path: '/',
    request: { body: jsonBody(createBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Store an upstream provider key (one per provider), encrypted; it is never shown again',
      responses: { 201: json(keySchema, 'The key (hint only)'), ...errorsFor(400, 401, 409, 413, 415, 429, 503) },
    } : undocumented),
  }),
  list: route({
    method: 'get',
    path: '/',
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's provider keys",
      responses: { 200: json(z.object({ items: z.array(keySchema), next_cursor: z.null() }), 'The keys'), ...errorsFor(401, 429, 503) },
    } : undocumented),
  }),
  get: route({
    method: 'get',
    path: '/{id}',
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'One provider key',
      responses: { 200: json(keySchema, 'The key'), ...errorsFor(401, 404, 429, 503) },
    } : undocumented),
  }),
  update: route({
    method: 'patch',
    path: '/{id}',
    request: { params, body: jsonBody(updateBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: "Rename a provider key, change its base URL or replace the key",
      responses: { 200: json(keySchema, 'The key'), ...errorsFor(400, 401, 404, 413, 415, 429, 503) },
    } : undocumented),
  }),
  remove: route({
    method: 'delete',
    path: '/{id}',
    request: { params },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Delete a provider key',
      responses: { 204: { description: 'Deleted' }, ...errorsFor(401, 404, 429, 503) },
    } : undocumented),
  }),
};

const encryptionConfigured: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!hasEncryptionKey(c.env.GATEWAY_ENCRYPTION_KEY)) throw missingEncryptionKey();
  await next();
};

export const providerKeyRoutes = contractRouter(requireUser(), encryptionConfigured)
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    checkBaseUrl(c, body.base_url);
    const { org_id, user_id } = c.get('auth');
    const provider = normalizeProvider(body.provider);
    const api = body.api ?? defaultApi(provider);
    const sealed = await encryptSecret(c.env.GATEWAY_ENCRYPTION_KEY, org_id, body.key);
    const [row] = await c
      .get('services')
      .db()
      .insert(gatewayProviderKeys)
      .values({ id: `gpk_${uuidv7()}`, org_id, created_by: user_id, name: body.name, provider, api, base_url: body.base_url ?? DEFAULT_BASE_URL[api], ...sealed, hint: body.key.slice(-4) })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ApiError('conflict', `a key for provider ${provider} exists already; update or delete it`);
    await invalidateGatewayConfig(c.get('services'), org_id);
    return c.json(publicKey(row), 201);
  })
  .openapi(routes.list, async (c) => {
    const rows = await c.get('services').db().select().from(gatewayProviderKeys).where(eq(gatewayProviderKeys.org_id, c.get('auth').org_id)).orderBy(asc(gatewayProviderKeys.id));
    return c.json({ items: rows.map(publicKey), next_cursor: null }, 200);
  })
  .openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    if (!isKeyId(id)) throw notFound();
    const [row] = await c.get('services').db().select().from(gatewayProviderKeys).where(and(eq(gatewayProviderKeys.id, id), eq(gatewayProviderKeys.org_id, c.get('auth').org_id)));
    if (!row) throw notFound();
    return c.json(publicKey(row), 200);
  })
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid('param');
    if (!isKeyId(id)) throw notFound();
    const body = c.req.valid('json');
    checkBaseUrl(c, body.base_url);
    const { org_id } = c.get('auth');
    const sealed = body.key ? { ...(await encryptSecret(c.env.GATEWAY_ENCRYPTION_KEY, org_id, body.key)), hint: body.key.slice(-4) } : {};
    const [row] = await c
      .get('services')
      .db()
      .update(gatewayProviderKeys)
      .set({ ...(body.name ? { name: body.name } : {}), ...(body.base_url ? { base_url: body.base_url } : {}), ...sealed })
      .where(and(eq(gatewayProviderKeys.id, id), eq(gatewayProviderKeys.org_id, org_id)))
      .returning();
    if (!row) throw notFound();
    await invalidateGatewayConfig(c.get('services'), org_id);
    return c.json(publicKey(row), 200);
  })
  .openapi(routes.remove, async (c) => {
    const { id } = c.req.valid('param');
    if (!isKeyId(id)) throw notFound();
    const { org_id } = c.get('auth');
    const [row] = await c.get('services').db().delete(gatewayProviderKeys).where(and(eq(gatewayProviderKeys.id, id), eq(gatewayProviderKeys.org_id, org_id))).returning({ id: gatewayProviderKeys.id });
    if (!row) throw notFound();
    await invalidateGatewayConfig(c.get('services'), org_id);
    return c.body(null, 204);
  });

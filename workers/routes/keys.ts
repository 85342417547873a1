// /api/keys: an org's API keys. The secret is returned once, on creation; lists show the public prefix only.
// Signed-in users only; members list them, owners and admins create and revoke them (both audited).
// Every query is scoped to the caller's org (another org's key id is a 404).
import { and, eq, isNull } from 'drizzle-orm';
import * as z from 'zod';
import { recordAudit } from '../../db/audit';
import { apiKeys } from '../../db/schema';
import { API_KEY_SCOPES, forgetApiKey, generateApiKey } from '../auth/api-keys';
import { requireUser } from '../auth/middleware';
import { tierLimits } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { contractRouter, errorsFor, idParam, json, jsonBody, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { hasPrefix, newId } from '../../common/ids';
import { listPage, pageQuery } from '../lib/pagination';
import { MANAGERS, requireOrgRole } from '../orgs/membership';

const createBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1)
      .max(API_KEY_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'scopes must not repeat'),
  })
  .strict();

type KeyRow = typeof apiKeys.$inferSelect;

const keySchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('the public start of the key, shown in lists'),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  created_by: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
}) : undocumented;
const createdKeySchema = OPENAPI_DOCUMENT ? keySchema.extend({ key: z.string().describe('the secret (nak_…): shown once, never again') }) : undocumented;

function publicKey(k: KeyRow): z.infer<typeof keySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as z.infer<typeof keySchema>['scopes'],
    created_by: k.created_by,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
  };
}

const notFound = () => new ApiError('not_found', 'no such API key');


const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['api keys'], security: userSecurity } : undocumented);
const routes = {
  create: route({
    method: 'post',
    path: '/',
    middleware: [requireOrgRole(MANAGERS)] as const,
    request: { body: jsonBody(createBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Create an API key (owners and admins); the secret is in this answer only',
      responses: { 201: json(createdKeySchema, 'The new key, with its secret'), ...errorsFor(400, 401, 403, 429) },
    } : undocumented),
  }),
  list: route({
    method: 'get',
    path: '/',
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's active keys, newest first",
      responses: { 200: json(pageOf(keySchema), 'A page of keys'), ...errorsFor(400, 401) },
    } : undocumented),
  }),
  revoke: route({
    method: 'delete',
    path: '/{id}',
    middleware: [requireOrgRole(MANAGERS)] as const,
    request: { params: idParam('API key') },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Revoke a key (owners and admins): refused at once everywhere',
      responses: { 204: { description: 'Revoked' }, ...errorsFor(401, 403, 404) },
    } : undocumented),
  }),
};

export const keys = contractRouter(requireUser())
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const auth = c.get('auth');
    const db = c.get('services').db();
    const allowed = tierLimits(auth.tier).api_keys;
    const active = await db.$count(apiKeys, and(eq(apiKeys.org_id, auth.org_id), isNull(apiKeys.revoked_at)));
    if (active >= allowed) {
      throw new ApiError('limit_exceeded', `the ${auth.tier} tier allows ${allowed} active API keys; delete one or upgrade`, { limit: 'api_keys', allowed });
    }
    const { key, prefix, hash } = await generateApiKey();
    const [row] = await db
      .insert(apiKeys)
      .values({ id: newId('key'), org_id: auth.org_id, created_by: auth.user_id, name: body.name, prefix, key_hash: hash, scopes: body.scopes })
      .returning();
    await recordAudit(db, {
      org_id: auth.org_id,
      action: 'api_key.created',
      actor_user_id: auth.user_id,
      target_type: 'api_key',
      target_id: row!.id,
      details: { name: row!.name, prefix, scopes: row!.scopes },
    });
    return c.json({ ...publicKey(row!), key }, 201);
  })
  .openapi(routes.list, async (c) => {
    const orgId = c.get('auth').org_id;
    const db = c.get('services').db();
    const page = await listPage(
      c.req.valid('query'),
      apiKeys.id,
      'desc',
      (k) => db.select().from(apiKeys).where(and(eq(apiKeys.org_id, orgId), isNull(apiKeys.revoked_at), k.after)).orderBy(k.order).limit(k.limit),
      publicKey,
    );
    return c.json(page, 200);
  })
  .openapi(routes.revoke, async (c) => {
    const { id } = c.req.valid('param');
    if (!hasPrefix(id, 'key')) throw notFound();
    const auth = c.get('auth');
    const db = c.get('services').db();
    const [revoked] = await db
      .update(apiKeys)
      .set({ revoked_at: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.org_id, auth.org_id), isNull(apiKeys.revoked_at)))
      .returning({ key_hash: apiKeys.key_hash, name: apiKeys.name, prefix: apiKeys.prefix });
    if (!revoked) throw notFound();
    await forgetApiKey(c.get('services'), revoked.key_hash);
    await recordAudit(db, { org_id: auth.org_id, action: 'api_key.revoked', actor_user_id: auth.user_id, target_type: 'api_key', target_id: id, details: { name: revoked.name, prefix: revoked.prefix } });
    return c.body(null, 204);
  });

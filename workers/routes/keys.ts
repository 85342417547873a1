// /api/keys: an org's API keys. The secret is returned once, on creation; lists show the public prefix only.
// Signed-in users only; members list them, owners and admins create and revoke them (both audited).
// Every query is scoped to the caller's org (another org's key id is a 404).
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../../db/audit';
import { apiKeys } from '../../db/schema';
import { API_KEY_SCOPES, forgetApiKey, generateApiKey } from '../auth/api-keys';
import { requireUser } from '../auth/middleware';
import { tierLimits } from '../auth/tiers';
import { jsonBody, queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../lib/ids';
import { decodeCursor, pageQuery, toPage } from '../lib/pagination';
import type { AppEnv } from '../lib/services';
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

function publicKey(k: KeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    created_by: k.created_by,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
  };
}

const notFound = () => new ApiError('not_found', 'no such API key');

export const keys = new Hono<AppEnv>()
  .use('*', requireUser())
  .post('/', requireOrgRole(MANAGERS), async (c) => {
    const body = await jsonBody(c, createBody);
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
  .get('/', async (c) => {
    const { limit, cursor } = queryParams(c, pageQuery);
    const after = decodeCursor(cursor);
    const orgId = c.get('auth').org_id;
    const rows = await c
      .get('services')
      .db()
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.org_id, orgId), isNull(apiKeys.revoked_at), after ? lt(apiKeys.id, after) : undefined))
      .orderBy(desc(apiKeys.id))
      .limit(limit + 1);
    return c.json(toPage(rows, limit, publicKey));
  })
  .delete('/:id', requireOrgRole(MANAGERS), async (c) => {
    const id = c.req.param('id');
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

// /api/orgs: the caller's organization — members and roles, invitations, seats, tier, audit log.
// Members read; owners and admins manage members, invitations and API keys; the owner changes the tier.
// Every id is looked up inside the caller's org: another org's id is a 404.
import { and, eq, gt, isNull } from 'drizzle-orm';
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import * as z from 'zod';
import { AUDIT_ACTIONS, auditPage, recordAudit } from '../../db/audit';
import { auditLog, invitations, ORG_ROLES, users } from '../../db/schema';
import { findAccountById, orgSchema, publicOrg, publicUser, type Account } from '../auth/accounts';
import { requireUser, userClaims } from '../auth/middleware';
import { hashPassword } from '../auth/password';
import { clientIp, enforceRateLimit, type RateRule } from '../auth/ratelimit';
import { revokeUserSessions, startSession } from '../auth/sessions';
import { TIERS } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { contractRouter, errorsFor, idParam, json, jsonBody, pageOf, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import { hasPrefix } from '../../common/ids';
import { listPage, pageQuery } from '../lib/pagination';
import { closeThreadSockets } from '../lib/thread-agents';
import { waitUntil, type AppEnv } from '../lib/services';
import { acceptInvitation, createInvitation, usableInvitation, type Invitation } from '../orgs/invitations';
import { acceptLink, deliverInvitation } from '../orgs/invite-mail';
import { changeRole, changeTier, removeMember, type Actor, type Member } from '../orgs/members';
import { MANAGERS, requireOrgRole, seatUse } from '../orgs/membership';
import { email, newPassword, signedInSchema } from './auth';

/** Accept attempts per client IP (a token is 256 random bits: this only keeps the endpoint cheap). */
const ACCEPT_RULE: RateRule = { name: 'invite_accept', limit: 30, window: '1 h' };

const assignableRole = z.enum(['admin', 'member']);

const inviteBody = z.object({ email, role: assignableRole.default('member') }).strict();
const acceptBody = z
  .object({
    token: z.string().min(1).max(100),
    password: newPassword.optional(),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
const roleBody = z.object({ role: assignableRole }).strict();
const selfServeTier = z.enum(TIERS.filter((t) => t !== 'enterprise') as ['free', 'early', 'mid']);
export const tierBody = z.object({ tier: z.enum(TIERS) }).strict();
const auditQuery = pageQuery.extend({ action: z.enum(AUDIT_ACTIONS).optional() });

const memberSchema = OPENAPI_DOCUMENT ? z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(ORG_ROLES), created_at: z.string() }) : undocumented;
const invitationSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  email: z.string(),
  role: assignableRole,
  invited_by: z.string().nullable(),
  expires_at: z.string(),
  created_at: z.string(),
}) : undocumented;
const seatsSchema = OPENAPI_DOCUMENT ? z.object({ members: z.number().int(), pending_invitations: z.number().int(), allowed: z.number().int() }) : undocumented;
const currentSchema = OPENAPI_DOCUMENT ? z.object({ org: orgSchema, role: z.enum(ORG_ROLES), seats: seatsSchema }) : undocumented;
const auditSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  action: z.string(),
  actor_user_id: z.string().nullable(),
  actor_key_id: z.string().nullable(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created_at: z.string(),
}) : undocumented;

const memberJson = (u: Member): z.infer<typeof memberSchema> => ({ id: u.id, email: u.email, name: u.name, role: u.role, created_at: u.created_at.toISOString() });

const invitationJson = (i: Invitation): z.infer<typeof invitationSchema> => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invited_by: i.invited_by,
  expires_at: i.expires_at.toISOString(),
  created_at: i.created_at.toISOString(),
});

function actor(c: Context<AppEnv>): Actor {
  const auth = c.get('auth');
  return { org_id: auth.org_id, user_id: auth.user_id!, role: auth.role! };
}

const noSuchInvitation = () => new ApiError('not_found', 'no such invitation');

const tags = ['organizations'];
const managers = () => [requireUser(), requireOrgRole(MANAGERS)];

const route = routeGroup(OPENAPI_DOCUMENT ? { tags, security: userSecurity } : undocumented);
const routes = {
  current: route({
    method: 'get',
    path: '/current',
    middleware: [requireUser()] as const,
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Your org, your role in it, and its seats',
      responses: { 200: json(currentSchema, 'The org'), ...errorsFor(401) },
    } : undocumented),
  }),
  tier: route({
    method: 'put',
    path: '/current/tier',
    middleware: [requireUser(), requireOrgRole(['owner'])] as const,
    request: { body: jsonBody(tierBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Change the tier (owner; free, early or mid — enterprise is set by an operator)',
      responses: { 200: json(z.object({ org: orgSchema }), 'The org on its new tier'), ...errorsFor(400, 401, 403) },
    } : undocumented),
  }),
  members: route({
    method: 'get',
    path: '/members',
    middleware: [requireUser()] as const,
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "The org's members, oldest first",
      responses: { 200: json(pageOf(memberSchema), 'A page of members'), ...errorsFor(400, 401) },
    } : undocumented),
  }),
  changeRole: route({
    method: 'patch',
    path: '/members/{id}',
    middleware: managers(),
    request: { params: idParam('member (user)'), body: jsonBody(roleBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: "Change a member's role (owner: anyone but the owner; admin: members only, not to admin)",
      responses: { 200: json(memberSchema, 'The member'), ...errorsFor(400, 401, 403, 404) },
    } : undocumented),
  }),
  removeMember: route({
    method: 'delete',
    path: '/members/{id}',
    middleware: [requireUser(), requireOrgRole(['owner', 'admin', 'member'])] as const,
    request: { params: idParam('member (user)') },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Remove a member (owners and admins), or leave (your own id); their sessions end at once',
      responses: { 204: { description: 'Removed' }, ...errorsFor(401, 403, 404) },
    } : undocumented),
  }),
  invite: route({
    method: 'post',
    path: '/invitations',
    middleware: managers(),
    request: { body: jsonBody(inviteBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Invite an email (owners and admins; only the owner invites admins); the token goes to that email only',
      responses: {
        201: json(
          invitationSchema.extend({ delivery: z.enum(['logged', 'sending', 'not_configured']).describe('the email: logged (development), sending (in the background), not_configured (MAIL_API_KEY / MAIL_FROM unset)') }),
          'The pending invitation',
        ),
        ...errorsFor(400, 401, 403, 409),
      },
    } : undocumented),
  }),
  invitations: route({
    method: 'get',
    path: '/invitations',
    middleware: managers(),
    request: { query: pageQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Pending invitations (owners and admins)',
      responses: { 200: json(pageOf(invitationSchema), 'A page of invitations'), ...errorsFor(400, 401, 403) },
    } : undocumented),
  }),
  revokeInvitation: route({
    method: 'delete',
    path: '/invitations/{id}',
    middleware: managers(),
    request: { params: idParam('invitation') },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Revoke a pending invitation (owners and admins)',
      responses: { 204: { description: 'Revoked' }, ...errorsFor(401, 403, 404) },
    } : undocumented),
  }),
  accept: createRoute({
    method: 'post',
    path: '/invitations/accept',
    request: { body: jsonBody(acceptBody) },
    ...(OPENAPI_DOCUMENT ? {
      tags,
      summary: 'Accept an invitation: as a new account (password), or with your access token to move your account',
      security: [{}, ...userSecurity],
      responses: {
        200: json(signedInSchema, 'Your account joined the org; a new session'),
        201: json(signedInSchema, 'A new account in the org; signed in'),
        ...errorsFor(400, 401, 403, 404, 409, 429),
      },
    } : undocumented),
  }),
  audit: route({
    method: 'get',
    path: '/audit',
    middleware: managers(),
    request: { query: auditQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'The audit log, newest first (owners and admins)',
      responses: { 200: json(pageOf(auditSchema), 'A page of audit entries'), ...errorsFor(400, 401, 403) },
    } : undocumented),
  }),
};

export const orgRoutes = contractRouter()
  .openapi(routes.current, async (c) => {
    const auth = c.get('auth');
    const db = c.get('services').db();
    const account = await findAccountById(db, auth.user_id!);
    if (!account || account.org.id !== auth.org_id) throw new ApiError('unauthorized', 'you are no longer a member of this organization; sign in again');
    const seats = await seatUse(db, account.org.id, account.org.tier);
    return c.json({ org: publicOrg(account.org), role: account.user.role, seats }, 200);
  })
  .openapi(routes.tier, async (c) => {
    const { tier } = c.req.valid('json');
    if (!selfServeTier.safeParse(tier).success) {
      throw new ApiError('forbidden', 'the enterprise tier is arranged with us and set by an operator', { tier, self_serve_tiers: selfServeTier.options });
    }
    const org = await changeTier(c.get('services').db(), c.get('auth').org_id, tier, c.get('auth').user_id);
    return c.json({ org: publicOrg(org) }, 200);
  })
  .openapi(routes.members, async (c) => {
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    const page = await listPage(c.req.valid('query'), users.id, 'asc', (k) => db.select().from(users).where(and(eq(users.org_id, orgId), k.after)).orderBy(k.order).limit(k.limit), memberJson);
    return c.json(page, 200);
  })
  .openapi(routes.changeRole, async (c) => {
    const { role } = c.req.valid('json');
    // Role checks read Postgres (requireOrgRole), so the new role applies at once without ending sessions.
    const member = await changeRole(c.get('services').db(), actor(c), c.req.valid('param').id, role);
    return c.json(memberJson(member), 200);
  })
  .openapi(routes.removeMember, async (c) => {
    const removed = await removeMember(c.get('services').db(), actor(c), c.req.valid('param').id);
    // Their access tokens name this org: end every session so access stops now, not at token expiry, and
    // close the sockets they follow the org's threads on.
    await revokeUserSessions(c.get('services'), removed.id);
    await closeThreadSockets(c.env, c.get('services'), removed.id);
    return c.body(null, 204);
  })
  .openapi(routes.invite, async (c) => {
    const body = c.req.valid('json');
    const auth = c.get('auth');
    if (body.role === 'admin' && auth.role !== 'owner') throw new ApiError('forbidden', 'only the owner can invite admins', { role: auth.role });
    const db = c.get('services').db();
    const account = await findAccountById(db, auth.user_id!);
    if (!account) throw new ApiError('unauthorized', 'this account no longer exists');
    const { invitation, token } = await createInvitation(db, { org_id: auth.org_id, tier: account.org.tier, email: body.email, role: body.role, invited_by: auth.user_id! });
    const mail = { invitation_id: invitation.id, to: invitation.email, org_name: account.org.name, link: acceptLink(c.req.url, token), expires_at: invitation.expires_at };
    const delivery = deliverInvitation(c.env, mail, (work) => waitUntil(c, work));
    return c.json({ ...invitationJson(invitation), delivery }, 201);
  })
  .openapi(routes.invitations, async (c) => {
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    const pending = and(eq(invitations.org_id, orgId), isNull(invitations.accepted_at), isNull(invitations.revoked_at), gt(invitations.expires_at, new Date()));
    const page = await listPage(c.req.valid('query'), invitations.id, 'asc', (k) => db.select().from(invitations).where(and(pending, k.after)).orderBy(k.order).limit(k.limit), invitationJson);
    return c.json(page, 200);
  })
  .openapi(routes.revokeInvitation, async (c) => {
    const { id } = c.req.valid('param');
    if (!hasPrefix(id, 'inv')) throw noSuchInvitation();
    const auth = c.get('auth');
    const db = c.get('services').db();
    const [revoked] = await db
      .update(invitations)
      .set({ revoked_at: new Date() })
      .where(and(eq(invitations.id, id), eq(invitations.org_id, auth.org_id), isNull(invitations.accepted_at), isNull(invitations.revoked_at)))
      .returning();
    if (!revoked) throw noSuchInvitation();
    await recordAudit(db, { org_id: auth.org_id, action: 'invitation.revoked', actor_user_id: auth.user_id, target_type: 'invitation', target_id: id, details: { email: revoked.email } });
    return c.body(null, 204);
  })
  .openapi(routes.accept, async (c) => {
    const body = c.req.valid('json');
    await enforceRateLimit(c, ACCEPT_RULE, clientIp(c));
    const db = c.get('services').db();
    const signedIn = c.req.header('authorization') ? await userClaims(c) : null;
    const invitation = await usableInvitation(db, body.token);
    let account: Account;
    if (signedIn) {
      const current = await findAccountById(db, signedIn.sub);
      if (!current) throw new ApiError('unauthorized', 'this account no longer exists');
      if (current.user.email.toLowerCase() !== invitation.email) throw new ApiError('forbidden', 'this invitation is for another email address');
      account = await acceptInvitation(db, invitation, { kind: 'existing', account: current });
      await revokeUserSessions(c.get('services'), current.user.id);
      await closeThreadSockets(c.env, c.get('services'), current.user.id);
    } else {
      if (!body.password) throw new ApiError('invalid_request', 'choose a password (at least 10 characters), or sign in first to join with your account');
      account = await acceptInvitation(db, invitation, { kind: 'new', name: body.name ?? null, password_hash: await hashPassword(body.password) });
    }
    const tokens = await startSession(c.get('services'), c.env, account);
    const answer = { user: publicUser(account.user), org: publicOrg(account.org), ...tokens };
    return signedIn ? c.json(answer, 200) : c.json(answer, 201);
  })
  .openapi(routes.audit, async (c) => {
    const { limit, cursor, action } = c.req.valid('query');
    const db = c.get('services').db();
    const orgId = c.get('auth').org_id;
    return c.json(
      await listPage({ limit, cursor }, auditLog.id, 'desc', (k) => auditPage(db, orgId, k, action), (a) => ({
        id: a.id,
        action: a.action,
        actor_user_id: a.actor_user_id,
        actor_key_id: a.actor_key_id,
        target_type: a.target_type,
        target_id: a.target_id,
        details: a.details,
        created_at: a.created_at.toISOString(),
      })),
      200,
    );
  });

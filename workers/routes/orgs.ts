// /api/orgs: the caller's organization — members and roles, invitations, seats, tier, audit log.
// Members read; owners and admins manage members, invitations and API keys; the owner changes the tier.
// Every id is looked up inside the caller's org: another org's id is a 404.
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AUDIT_ACTIONS, auditPage, recordAudit } from '../../db/audit';
import { invitations, users } from '../../db/schema';
import { findAccountById, publicOrg, publicUser } from '../auth/accounts';
import { requireUser, userClaims } from '../auth/middleware';
import { hashPassword } from '../auth/password';
import { clientIp, enforceRateLimit, type RateRule } from '../auth/ratelimit';
import { revokeUserSessions, startSession } from '../auth/sessions';
import { TIERS } from '../auth/tiers';
import { jsonBody, queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../lib/ids';
import { decodeCursor, pageQuery, toPage } from '../lib/pagination';
import type { AppEnv } from '../lib/services';
import { acceptInvitation, createInvitation, usableInvitation, type Invitation } from '../orgs/invitations';
import { acceptLink, deliverInvitation } from '../orgs/invite-mail';
import { changeRole, changeTier, removeMember, type Actor, type Member } from '../orgs/members';
import { MANAGERS, requireOrgRole, seatUse } from '../orgs/membership';

/** Accept attempts per client IP (a token is 256 random bits: this only keeps the endpoint cheap). */
const ACCEPT_RULE: RateRule = { name: 'invite_accept', limit: 30, window: '1 h' };

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('not a valid email address'));
const assignableRole = z.enum(['admin', 'member']);

const inviteBody = z.object({ email, role: assignableRole.default('member') }).strict();
const acceptBody = z
  .object({
    token: z.string().min(1).max(100),
    password: z.string().min(10, 'password must be at least 10 characters').max(256).optional(),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
const roleBody = z.object({ role: assignableRole }).strict();
const selfServeTier = z.enum(TIERS.filter((t) => t !== 'enterprise') as ['free', 'early', 'mid']);
const tierBody = z.object({ tier: z.enum(TIERS) }).strict();
const auditQuery = pageQuery.extend({ action: z.enum(AUDIT_ACTIONS).optional() });

const memberJson = (u: Member) => ({ id: u.id, email: u.email, name: u.name, role: u.role, created_at: u.created_at.toISOString() });

const invitationJson = (i: Invitation) => ({
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

export const orgRoutes = new Hono<AppEnv>()
  .get('/current', requireUser(), async (c) => {
    const auth = c.get('auth');
    const db = c.get('services').db();
    const account = await findAccountById(db, auth.user_id!);
    if (!account || account.org.id !== auth.org_id) throw new ApiError('unauthorized', 'you are no longer a member of this organization; sign in again');
    const seats = await seatUse(db, account.org.id, account.org.tier);
    return c.json({ org: publicOrg(account.org), role: account.user.role, seats });
  })
  .put('/current/tier', requireUser(), requireOrgRole(['owner']), async (c) => {
    const { tier } = await jsonBody(c, tierBody);
    if (!selfServeTier.safeParse(tier).success) {
      throw new ApiError('forbidden', 'the enterprise tier is arranged with us and set by an operator', { tier, self_serve_tiers: selfServeTier.options });
    }
    const org = await changeTier(c.get('services').db(), c.get('auth').org_id, tier, c.get('auth').user_id);
    return c.json({ org: publicOrg(org) });
  })
  .get('/members', requireUser(), async (c) => {
    const { limit, cursor } = queryParams(c, pageQuery);
    const after = decodeCursor(cursor);
    const rows = await c
      .get('services')
      .db()
      .select()
      .from(users)
      .where(and(eq(users.org_id, c.get('auth').org_id), after ? gt(users.id, after) : undefined))
      .orderBy(asc(users.id))
      .limit(limit + 1);
    return c.json(toPage(rows, limit, memberJson));
  })
  .patch('/members/:id', requireUser(), requireOrgRole(MANAGERS), async (c) => {
    const { role } = await jsonBody(c, roleBody);
    // Role checks read Postgres (requireOrgRole), so the new role applies at once without ending sessions.
    const member = await changeRole(c.get('services').db(), actor(c), c.req.param('id'), role);
    return c.json(memberJson(member));
  })
  .delete('/members/:id', requireUser(), requireOrgRole(['owner', 'admin', 'member']), async (c) => {
    const removed = await removeMember(c.get('services').db(), actor(c), c.req.param('id'));
    // Their access tokens name this org: end every session so access stops now, not at token expiry.
    await revokeUserSessions(c.get('services'), removed.id);
    return c.body(null, 204);
  })
  .post('/invitations', requireUser(), requireOrgRole(MANAGERS), async (c) => {
    const body = await jsonBody(c, inviteBody);
    const auth = c.get('auth');
    if (body.role === 'admin' && auth.role !== 'owner') throw new ApiError('forbidden', 'only the owner can invite admins', { role: auth.role });
    const db = c.get('services').db();
    const account = await findAccountById(db, auth.user_id!);
    if (!account) throw new ApiError('unauthorized', 'this account no longer exists');
    const { invitation, token } = await createInvitation(db, { org_id: auth.org_id, tier: account.org.tier, email: body.email, role: body.role, invited_by: auth.user_id! });
    deliverInvitation(c.env, { invitation_id: invitation.id, to: invitation.email, org_name: account.org.name, link: acceptLink(c.req.url, token), expires_at: invitation.expires_at });
    return c.json(invitationJson(invitation), 201);
  })
  .get('/invitations', requireUser(), requireOrgRole(MANAGERS), async (c) => {
    const { limit, cursor } = queryParams(c, pageQuery);
    const after = decodeCursor(cursor);
    const rows = await c
      .get('services')
      .db()
      .select()
      .from(invitations)
      .where(
        and(
          eq(invitations.org_id, c.get('auth').org_id),
          isNull(invitations.accepted_at),
          isNull(invitations.revoked_at),
          gt(invitations.expires_at, new Date()),
          after ? gt(invitations.id, after) : undefined,
        ),
      )
      .orderBy(asc(invitations.id))
      .limit(limit + 1);
    return c.json(toPage(rows, limit, invitationJson));
  })
  .delete('/invitations/:id', requireUser(), requireOrgRole(MANAGERS), async (c) => {
    const id = c.req.param('id');
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
  .post('/invitations/accept', async (c) => {
    const body = await jsonBody(c, acceptBody);
    await enforceRateLimit(c, ACCEPT_RULE, clientIp(c));
    const db = c.get('services').db();
    const signedIn = c.req.header('authorization') ? await userClaims(c) : null;
    const invitation = await usableInvitation(db, body.token);
    let account;
    if (signedIn) {
      const current = await findAccountById(db, signedIn.sub);
      if (!current) throw new ApiError('unauthorized', 'this account no longer exists');
      if (current.user.email.toLowerCase() !== invitation.email) throw new ApiError('forbidden', 'this invitation is for another email address');
      account = await acceptInvitation(db, invitation, { kind: 'existing', account: current });
      await revokeUserSessions(c.get('services'), current.user.id);
    } else {
      if (!body.password) throw new ApiError('invalid_request', 'choose a password (at least 10 characters), or sign in first to join with your account');
      account = await acceptInvitation(db, invitation, { kind: 'new', name: body.name ?? null, password_hash: await hashPassword(body.password) });
    }
    const tokens = await startSession(c.get('services'), c.env, account);
    return c.json({ user: publicUser(account.user), org: publicOrg(account.org), ...tokens }, signedIn ? 200 : 201);
  })
  .get('/audit', requireUser(), requireOrgRole(MANAGERS), async (c) => {
    const { limit, cursor, action } = queryParams(c, auditQuery);
    const rows = await auditPage(c.get('services').db(), c.get('auth').org_id, limit, decodeCursor(cursor), action);
    return c.json(
      toPage(rows, limit, (a) => ({
        id: a.id,
        action: a.action,
        actor_user_id: a.actor_user_id,
        actor_key_id: a.actor_key_id,
        target_type: a.target_type,
        target_id: a.target_id,
        details: a.details,
        created_at: a.created_at.toISOString(),
      })),
    );
  });

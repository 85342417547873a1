// Org membership: a user belongs to one org at a time (users.org_id, users.role). Role checks read the
// membership from Postgres on every call, so a demoted or removed user loses the right at once, whatever
// role their access token was issued with. Seats = members + pending invitations, limited by the tier.
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../../db/postgres';
import { invitations, orgs, users, type OrgRole } from '../../db/schema';
import { tierLimits, type Tier } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/services';

/** Roles that manage members, invitations and API keys. */
export const MANAGERS: OrgRole[] = ['owner', 'admin'];

/** Anything that can query: the Db or a transaction of it. */
type Query = Pick<Db, 'select'>;

/** The caller's current role in `orgId`, or null when they are not (or no longer) a member. */
export async function currentRole(db: Query, userId: string, orgId: string): Promise<OrgRole | null> {
  const [row] = await db.select({ role: users.role }).from(users).where(and(eq(users.id, userId), eq(users.org_id, orgId))).limit(1);
  return row?.role ?? null;
}

/** After requireUser: 403 unless the caller holds one of `roles` in their org now; sets auth.role to it. */
export function requireOrgRole(roles: OrgRole[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get('auth');
    const role = auth.user_id ? await currentRole(c.get('services').db(), auth.user_id, auth.org_id) : null;
    if (!role) throw new ApiError('unauthorized', 'you are no longer a member of this organization; sign in again');
    if (!roles.includes(role)) {
      throw new ApiError('forbidden', `this needs the ${roles.join(' or ')} role; you are ${role === 'admin' ? 'an' : 'a'} ${role}`, { role, required_roles: roles });
    }
    c.set('auth', { ...auth, role });
    await next();
  };
}

export interface SeatUse {
  members: number;
  pending_invitations: number;
  allowed: number;
}

export async function seatUse(db: Query, orgId: string, tier: Tier): Promise<SeatUse> {
  const [m] = await db.select({ n: count() }).from(users).where(eq(users.org_id, orgId));
  const [p] = await db
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.org_id, orgId), isNull(invitations.accepted_at), isNull(invitations.revoked_at), gt(invitations.expires_at, new Date())));
  return { members: m?.n ?? 0, pending_invitations: p?.n ?? 0, allowed: tierLimits(tier).seats };
}

const SEATS_FULL = {
  invitation: (tier: Tier, use: SeatUse) => `the ${tier} tier has ${use.allowed} seats and all are taken by members and pending invitations; remove a member, revoke an invitation or upgrade`,
  member: (tier: Tier, use: SeatUse) => `the ${tier} tier has ${use.allowed} seats and all are taken; remove a member or upgrade`,
  tier: (tier: Tier, use: SeatUse) =>
    `the ${tier} tier has ${use.allowed} seats but the org uses ${use.members + use.pending_invitations} (members and pending invitations); remove some first`,
};

export function seatsFull(tier: Tier, use: SeatUse, adding: keyof typeof SEATS_FULL): ApiError {
  return new ApiError('forbidden', SEATS_FULL[adding](tier, use), {
    limit: 'seats',
    allowed: use.allowed,
    members: use.members,
    pending_invitations: use.pending_invitations,
  });
}

/** Locks the org row for the rest of the transaction (seat checks and tier changes serialize on it). */
export async function lockOrg(tx: Query, orgId: string): Promise<typeof orgs.$inferSelect> {
  const [org] = await tx.select().from(orgs).where(eq(orgs.id, orgId)).for('update');
  if (!org) throw new ApiError('not_found', 'organization not found');
  return org;
}

/**
 * Who may change or remove whom: owners anyone but themselves; admins only members; members nobody (they may
 * only leave); nobody the owner. Returns the refusal, or null when allowed.
 */
export function refusal(actor: OrgRole, target: OrgRole): ApiError | null {
  const details = { role: actor };
  if (actor === 'member') return new ApiError('forbidden', 'this needs the owner or admin role; you are a member', { ...details, required_roles: MANAGERS });
  if (target === 'owner') return new ApiError('forbidden', 'the owner cannot be changed or removed', details);
  if (actor === 'owner' || target === 'member') return null;
  return new ApiError('forbidden', 'only the owner can change or remove an admin', details);
}

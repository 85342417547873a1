// Changing a member's role, removing a member, and changing the org's tier. Each writes its audit entry in
// the same transaction. Callers end the affected user's sessions afterwards (revokeUserSessions).
import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../../db/audit';
import type { Db } from '../../db/postgres';
import { orgs, users, type OrgRole } from '../../db/schema';
import type { Tier } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { hasPrefix, newId } from '../../common/ids';
import { lockOrg, refusal, seatsFull, seatUse } from './membership';

export type Member = typeof users.$inferSelect;

export interface Actor {
  org_id: string;
  user_id: string;
  role: OrgRole;
}

const noSuchMember = () => new ApiError('not_found', 'no such member');

/** A member of `orgId` by user id; another org's user is a 404 like an unknown id. */
export async function findMember(db: Pick<Db, 'select'>, orgId: string, userId: string): Promise<Member> {
  if (!hasPrefix(userId, 'usr')) throw noSuchMember();
  const [row] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.org_id, orgId))).limit(1);
  if (!row) throw noSuchMember();
  return row;
}

export async function changeRole(db: Db, actor: Actor, userId: string, role: Exclude<OrgRole, 'owner'>): Promise<Member> {
  return db.transaction(async (tx) => {
    await lockOrg(tx, actor.org_id);
    const target = await findMember(tx, actor.org_id, userId);
    if (target.id === actor.user_id) throw new ApiError('forbidden', 'you cannot change your own role', { role: actor.role });
    const refused = refusal(actor.role, target.role) ?? (actor.role !== 'owner' && role === 'admin' ? new ApiError('forbidden', 'only the owner can make admins', { role: actor.role }) : null);
    if (refused) throw refused;
    if (target.role === role) return target;
    const [row] = await tx.update(users).set({ role }).where(eq(users.id, target.id)).returning();
    await recordAudit(tx, {
      org_id: actor.org_id,
      action: 'member.role_changed',
      actor_user_id: actor.user_id,
      target_type: 'user',
      target_id: target.id,
      details: { from: target.role, to: role },
    });
    return row!;
  });
}

/**
 * Removes a member (or lets a non-owner leave): they keep their account and move to a new org of their own,
 * empty, as its owner; the org's data stays with the org.
 */
export async function removeMember(db: Db, actor: Actor, userId: string): Promise<Member> {
  return db.transaction(async (tx) => {
    await lockOrg(tx, actor.org_id);
    const target = await findMember(tx, actor.org_id, userId);
    const leaving = target.id === actor.user_id;
    if (leaving && target.role === 'owner') throw new ApiError('forbidden', 'the owner cannot leave the organization');
    const refused = leaving ? null : refusal(actor.role, target.role);
    if (refused) throw refused;
    const [own] = await tx.insert(orgs).values({ id: newId('org'), name: target.name ?? target.email }).returning({ id: orgs.id });
    await tx.update(users).set({ org_id: own!.id, role: 'owner', active_thread_id: null }).where(eq(users.id, target.id));
    await recordAudit(tx, {
      org_id: actor.org_id,
      action: 'member.removed',
      actor_user_id: actor.user_id,
      target_type: 'user',
      target_id: target.id,
      details: { role: target.role, email: target.email, left: leaving },
    });
    return target;
  });
}

/** Sets the org's tier; a tier with fewer seats than the members and pending invitations is refused (403). */
export async function changeTier(db: Db, orgId: string, tier: Tier, actorUserId: string | null): Promise<typeof orgs.$inferSelect> {
  return db.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    if (org.tier === tier) return org;
    const use = await seatUse(tx, orgId, tier);
    if (use.members + use.pending_invitations > use.allowed) throw seatsFull(tier, use, 'tier');
    const [row] = await tx.update(orgs).set({ tier }).where(eq(orgs.id, orgId)).returning();
    await recordAudit(tx, {
      org_id: orgId,
      action: 'org.tier_changed',
      actor_user_id: actorUserId,
      target_type: 'org',
      target_id: orgId,
      details: { from: org.tier, to: tier, by: actorUserId ? 'owner' : 'operator' },
    });
    return row!;
  });
}

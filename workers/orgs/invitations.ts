// Invitations: an owner or admin invites an email with a role; the token (nin_…) is shown to nobody but the
// invitee's mail, stored as SHA-256, expires after INVITATION_TTL_S and is spent by the first accept.
// Accepting joins the org as a new user (password chosen now) or moves a signed-in user whose email it is.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { recordAudit } from '../../db/audit';
import type { Db } from '../../db/postgres';
import { invitations, users, type OrgRole } from '../../db/schema';
import { findAccountByEmail, findAccountById, type Account } from '../auth/accounts';
import { randomSecret, sha256Hex } from '../auth/secrets';
import type { Tier } from '../../engine/tiers';
import { ApiError } from '../lib/errors';
import { newId } from '../../common/ids';
import { lockOrg, seatsFull, seatUse } from './membership';

export const INVITATION_TTL_S = 7 * 24 * 3600;
export const INVITATION_TOKEN = /^nin_[\w-]{43}$/;

export type Invitation = typeof invitations.$inferSelect;

export interface NewInvitation {
  org_id: string;
  tier: Tier;
  email: string;
  role: Exclude<OrgRole, 'owner'>;
  invited_by: string;
}

/** Creates an invitation if a seat is free (pending invitations hold seats); earlier pending ones to the same email are revoked. */
export async function createInvitation(db: Db, input: NewInvitation): Promise<{ invitation: Invitation; token: string }> {
  const token = `nin_${randomSecret()}`;
  const token_hash = await sha256Hex(token);
  const email = input.email.toLowerCase();
  const invitation = await db.transaction(async (tx) => {
    const org = await lockOrg(tx, input.org_id);
    const [member] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.org_id, org.id), eq(sql`lower(${users.email})`, email)))
      .limit(1);
    if (member) throw new ApiError('conflict', 'this email is already a member of the organization');
    await tx
      .update(invitations)
      .set({ revoked_at: new Date() })
      .where(and(eq(invitations.org_id, org.id), eq(invitations.email, email), isNull(invitations.accepted_at), isNull(invitations.revoked_at)));
    const use = await seatUse(tx, org.id, org.tier);
    if (use.members + use.pending_invitations >= use.allowed) throw seatsFull(org.tier, use, 'invitation');
    const [row] = await tx
      .insert(invitations)
      .values({ id: newId('inv'), org_id: org.id, email, role: input.role, token_hash, invited_by: input.invited_by, expires_at: new Date(Date.now() + INVITATION_TTL_S * 1000) })
      .returning();
    await recordAudit(tx, {
      org_id: org.id,
      action: 'member.invited',
      actor_user_id: input.invited_by,
      target_type: 'invitation',
      target_id: row!.id,
      details: { email, role: input.role },
    });
    return row!;
  });
  return { invitation, token };
}

const unusable = () => new ApiError('not_found', 'this invitation does not exist, was revoked, or was already used');

/** The invitation a token names, if it can still be accepted (404 otherwise, naming expiry when that is why). */
export async function usableInvitation(db: Db, token: string): Promise<Invitation> {
  if (!INVITATION_TOKEN.test(token)) throw unusable();
  const [row] = await db.select().from(invitations).where(eq(invitations.token_hash, await sha256Hex(token))).limit(1);
  if (!row || row.accepted_at || row.revoked_at) throw unusable();
  if (row.expires_at.getTime() <= Date.now()) {
    throw new ApiError('not_found', 'this invitation has expired; ask for a new one', { expired_at: row.expires_at.toISOString() });
  }
  return row;
}

export type Joiner =
  /** No account yet: one is created with this password hash (the email is verified: the token came to it). */
  | { kind: 'new'; name: string | null; password_hash: string }
  /** A signed-in user whose email the invitation names: they move to the org. */
  | { kind: 'existing'; account: Account };

/**
 * Spends the invitation and makes the joiner a member, in one transaction that also re-checks the seats.
 * An existing user leaves their current org (refused while they own one with other members).
 */
export async function acceptInvitation(db: Db, invitation: Invitation, joiner: Joiner): Promise<Account> {
  if (joiner.kind === 'existing') await assertCanLeave(db, joiner.account, invitation.org_id);
  else if (await findAccountByEmail(db, invitation.email)) {
    throw new ApiError('conflict', 'an account with this email exists; sign in and accept the invitation with your access token');
  }
  const userId = await db.transaction(async (tx) => {
    const org = await lockOrg(tx, invitation.org_id);
    const spent = await tx
      .update(invitations)
      .set({ accepted_at: new Date() })
      .where(and(eq(invitations.id, invitation.id), isNull(invitations.accepted_at), isNull(invitations.revoked_at), sql`${invitations.expires_at} > now()`))
      .returning({ id: invitations.id });
    if (spent.length === 0) throw unusable();
    const use = await seatUse(tx, org.id, org.tier);
    if (use.members >= use.allowed) throw seatsFull(org.tier, use, 'member');
    let id: string;
    if (joiner.kind === 'new') {
      id = newId('usr');
      await tx.insert(users).values({
        id,
        org_id: org.id,
        email: invitation.email,
        name: joiner.name,
        role: invitation.role,
        password_hash: joiner.password_hash,
        email_verified: true,
      });
    } else {
      id = joiner.account.user.id;
      await tx.update(users).set({ org_id: org.id, role: invitation.role, active_thread_id: null }).where(eq(users.id, id));
    }
    await tx.update(invitations).set({ accepted_by: id }).where(eq(invitations.id, invitation.id));
    await recordAudit(tx, {
      org_id: org.id,
      action: 'member.added',
      actor_user_id: id,
      target_type: 'user',
      target_id: id,
      details: { role: invitation.role, invitation_id: invitation.id, ...(joiner.kind === 'existing' ? { from_org_id: joiner.account.org.id } : {}) },
    });
    return id;
  });
  const account = await findAccountById(db, userId);
  if (!account) throw new Error('accepted invitation but the member is gone');
  return account;
}

async function assertCanLeave(db: Db, account: Account, orgId: string): Promise<void> {
  if (account.org.id === orgId) throw new ApiError('conflict', 'you are already a member of this organization');
  if (account.user.role !== 'owner') return;
  const [other] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.org_id, account.org.id), sql`${users.id} <> ${account.user.id}`))
    .limit(1);
  if (other) throw new ApiError('conflict', 'you own an organization with other members; remove them before joining another organization');
}

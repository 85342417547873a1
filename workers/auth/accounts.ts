// Orgs and their users: creation (org + owner in one transaction), look-ups, Google linking, public shapes.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import * as z from 'zod';
import type { Db } from '../../db/postgres';
import { ORG_ROLES, orgs, users } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { newId } from '../../common/ids';
import { TIERS } from '../../engine/tiers';
import { postgresApiError, sqlState } from '../lib/postgres-errors';
import { undocumented } from '../lib/openapi';

export type User = typeof users.$inferSelect;
export type Org = typeof orgs.$inferSelect;
export interface Account {
  user: User;
  org: Org;
}

export interface NewAccount {
  email: string;
  name?: string | null;
  org_name?: string | null;
  password_hash: string | null;
  google_sub?: string | null;
  email_verified: boolean;
}

export async function createOrgWithOwner(db: Db, input: NewAccount): Promise<Account> {
  const email = input.email.toLowerCase();
  const orgName = input.org_name ?? input.name ?? email;
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx.insert(orgs).values({ id: newId('org'), name: orgName }).returning();
      const [user] = await tx
        .insert(users)
        .values({
          id: newId('usr'),
          org_id: org!.id,
          email,
          name: input.name ?? null,
          role: 'owner',
          password_hash: input.password_hash,
          google_sub: input.google_sub ?? null,
          email_verified: input.email_verified,
        })
        .returning();
      return { user: user!, org: org! };
    });
  } catch (err) {
    if (sqlState(err) === '23505') throw new ApiError('conflict', 'an account with this email already exists');
    throw postgresApiError(err, { fromQuery: true }) ?? new Error(`creating the account failed (sqlstate ${sqlState(err) ?? 'unknown'})`);
  }
}

async function findAccount(db: Db, where: SQL): Promise<Account | null> {
  const [row] = await db.select({ user: users, org: orgs }).from(users).innerJoin(orgs, eq(orgs.id, users.org_id)).where(where).limit(1);
  return row ?? null;
}

export const findAccountById = (db: Db, userId: string) => findAccount(db, eq(users.id, userId));
export const findAccountByEmail = (db: Db, email: string) => findAccount(db, eq(sql`lower(${users.email})`, email.toLowerCase()));

export interface GoogleIdentity {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string | null;
}

/**
 * The account of a Google identity: the one already linked to its `sub`; else the account with the same
 * email, linked now only when Google says the email is verified; else a new org with this user as owner.
 */
export async function accountForGoogle(db: Db, id: GoogleIdentity): Promise<Account> {
  const linked = await findAccount(db, eq(users.google_sub, id.sub));
  if (linked) return linked;
  const byEmail = await findAccountByEmail(db, id.email);
  if (byEmail) {
    if (!id.email_verified) throw new ApiError('conflict', 'an account with this email exists; Google has not verified the email, so it cannot be linked');
    await db
      .update(users)
      .set({ google_sub: id.sub, email_verified: true })
      .where(and(eq(users.id, byEmail.user.id), sql`${users.google_sub} is null`));
    const account = await findAccountById(db, byEmail.user.id);
    if (account?.user.google_sub !== id.sub) throw new ApiError('conflict', 'this account is linked to another Google identity');
    return account;
  }
  return createOrgWithOwner(db, { email: id.email, name: id.name, password_hash: null, google_sub: id.sub, email_verified: id.email_verified });
}

export const userSchema = OPENAPI_DOCUMENT ? z.object({
  id: z.string(),
  org_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ORG_ROLES),
  email_verified: z.boolean(),
  created_at: z.string(),
}) : undocumented;
export const orgSchema = OPENAPI_DOCUMENT ? z.object({ id: z.string(), name: z.string(), tier: z.enum(TIERS), created_at: z.string() }) : undocumented;

export function publicUser(u: User): z.infer<typeof userSchema> {
  return { id: u.id, org_id: u.org_id, email: u.email, name: u.name, role: u.role, email_verified: u.email_verified, created_at: u.created_at.toISOString() };
}

export function publicOrg(o: Org): z.infer<typeof orgSchema> {
  return { id: o.id, name: o.name, tier: o.tier, created_at: o.created_at.toISOString() };
}

// The audit log of security-relevant actions in an org. Code that performs such an action calls
// `recordAudit` (inside its transaction when it has one); owners and admins read it at GET /api/orgs/audit.
import { and, eq } from 'drizzle-orm';
import type { Keyset } from './keyset';
import type { Db } from './postgres';
import { auditLog } from './schema';

export const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.revoked',
  'member.invited',
  'invitation.revoked',
  'member.added',
  'member.removed',
  'member.role_changed',
  'org.tier_changed',
  'policy.applied',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  org_id: string;
  action: AuditAction;
  /** The signed-in user who acted (or the creator of the API key that acted); null for an operator. */
  actor_user_id: string | null;
  actor_key_id?: string | null;
  target_type?: 'api_key' | 'user' | 'invitation' | 'org' | 'policy';
  target_id?: string;
  /** What changed, never a secret (no tokens, no key material). */
  details?: Record<string, unknown>;
}

/** Anything that can insert: the Db or a transaction of it. */
export type AuditWriter = Pick<Db, 'insert'>;

export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    org_id: entry.org_id,
    action: entry.action,
    actor_user_id: entry.actor_user_id,
    actor_key_id: entry.actor_key_id ?? null,
    target_type: entry.target_type ?? null,
    target_id: entry.target_id ?? null,
    details: entry.details ?? {},
  });
}

export type AuditRow = typeof auditLog.$inferSelect;

/** One page of an org's audit log (keyset from workers/lib/pagination.ts), optionally of one action. */
export function auditPage(db: Db, orgId: string, keyset: Keyset, action?: AuditAction): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.org_id, orgId), keyset.after, action ? eq(auditLog.action, action) : undefined))
    .orderBy(keyset.order)
    .limit(keyset.limit);
}

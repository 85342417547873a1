// The org's price rules in Postgres (org_prices) as the engine's PriceBook, and the log of explicit recomputes.
import { and, eq } from 'drizzle-orm';
import type { Keyset } from './keyset';
import { PriceBook, type OrgPriceRule, type OrgRates } from '../engine/catalog/index';
import type { Db } from './postgres';
import { orgPrices, priceRecomputes } from './schema';

export type OrgPriceRow = typeof orgPrices.$inferSelect;
export type RecomputeRow = typeof priceRecomputes.$inferSelect;

export function toRule(r: OrgPriceRow): OrgPriceRule {
  return {
    id: r.id,
    provider: r.provider,
    model: r.model,
    effective_from: r.effective_from.getTime(),
    discount: r.discount,
    rates: (r.rates as OrgRates | null) ?? null,
  };
}

/** Every rule of the org (its whole history: a price book picks the one in force per call). */
export async function loadPriceBook(db: Db, orgId: string): Promise<PriceBook> {
  const rows = await db.select().from(orgPrices).where(eq(orgPrices.org_id, orgId));
  return rows.length === 0 ? PriceBook.empty : new PriceBook(rows.map(toRule));
}

/** One page of the org's rules (keyset from workers/lib/pagination.ts). */
export function listRules(db: Db, orgId: string, keyset: Keyset): Promise<OrgPriceRow[]> {
  return db.select().from(orgPrices).where(and(eq(orgPrices.org_id, orgId), keyset.after)).orderBy(keyset.order).limit(keyset.limit);
}

export async function insertRule(db: Db, row: typeof orgPrices.$inferInsert): Promise<OrgPriceRow> {
  const [out] = await db.insert(orgPrices).values(row).returning();
  return out!;
}

export async function logRecompute(db: Db, row: typeof priceRecomputes.$inferInsert): Promise<RecomputeRow> {
  const [out] = await db.insert(priceRecomputes).values(row).returning();
  return out!;
}

export function listRecomputes(db: Db, orgId: string, keyset: Keyset): Promise<RecomputeRow[]> {
  return db.select().from(priceRecomputes).where(and(eq(priceRecomputes.org_id, orgId), keyset.after)).orderBy(keyset.order).limit(keyset.limit);
}

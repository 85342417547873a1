// The gateway's savings ledger for a question about measured savings ("how much did the gateway save us?"),
// read from Postgres as a tool call of its own; null for every other question.
import { openDb } from '../../db/postgres';
import { ledgerSummary } from '../../db/savings';
import type { AgentRequest } from '../../engine/agent/request';
import type { LedgerSummary } from '../../engine/realized-savings';
import type { RunContext } from '../supervisor/contract';
import { callTool } from './tool-call';

export async function loadLedger(ctx: RunContext, agent: string, request: AgentRequest): Promise<LedgerSummary | null> {
  if (!request.intents.includes('realized')) return null;
  const w = request.scope.window;
  const pg = openDb(ctx.env);
  try {
    return await callTool(
      ctx,
      agent,
      'savings_ledger',
      { org_id: ctx.thread.org_id, ...(w ? { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() } : {}) },
      () => ledgerSummary(pg.db, ctx.thread.org_id, w?.from ?? null, w?.to ?? null),
      (l) => ({ entries: (l.total?.treated.calls ?? 0) + (l.total?.control.calls ?? 0), rules: l.by_rule.length }),
    );
  } finally {
    await pg.close().catch(() => {});
  }
}

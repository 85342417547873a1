// "How much did the gateway save us?" answered from the org's savings ledger (Postgres), over a real
// WebSocket to the thread's Durable Object. The ledger rows are written here with known costs; the expected
// saving, per-call difference and Welch interval are computed below by plain loops over those rows.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/postgres';
import { savingsLedger } from '../../db/schema';
import { ask, newThread } from './agent-support';
import { signUp, type Tenant } from './tenancy';

type Row = { rule: string; feature: string; arm: 'treated' | 'control'; actual: number; counterfactual: number; status: string };

const usd = (nano: number) => `$${(Math.round(nano / 1e7) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const sixDp = (usdValue: number) => `${usdValue < 0 ? '-' : ''}$${Math.abs(usdValue).toFixed(6)}`;

/** A routing rule's calls: treated ones pay the cheaper model, control ones the original; sizes vary. */
function ledgerRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 60; i++) {
    const original = 2_000_000 + ((i * 7919) % 900_000); // nano-USD at the requested model
    const control = i % 5 === 0;
    rows.push({ rule: 'route-gpt-4o', feature: i % 3 === 0 ? 'summarize' : 'chat', arm: control ? 'control' : 'treated', actual: control ? original : Math.round(original * 0.06), counterfactual: original, status: i % 17 === 0 ? '500' : 'ok' });
  }
  return rows;
}

async function writeLedger(t: Tenant, rows: Row[]): Promise<void> {
  const pg = openDb(env);
  try {
    await pg.db.insert(savingsLedger).values(
      rows.map((r, i) => ({
        id: `req_${crypto.randomUUID().replaceAll('-', '')}_${i}`,
        org_id: t.org_id,
        policy_id: `pol_${'a'.repeat(32)}`,
        policy_version: 1,
        rule_id: r.rule,
        arm: r.arm,
        feature: r.feature,
        requested_model: 'gpt-4o',
        served_provider: 'openai',
        served_model: r.arm === 'treated' ? 'gpt-4o-mini' : 'gpt-4o',
        actual_nanousd: r.actual,
        counterfactual_nanousd: r.counterfactual,
        status: r.status,
        latency_ms: 300 + (i % 40),
      })),
    );
  } finally {
    await pg.close();
  }
}

const answerOf = (e: { type: string; data: unknown }): string => {
  if (e.type !== 'agent_completed') throw new Error(`expected agent_completed, got ${e.type}`);
  return (e.data as { answer?: string }).answer ?? '';
};

describe('the agent answers measured savings from the ledger', () => {
  it('leads with the counterfactual saving, then the control arm’s difference per call and its 95 % interval', async () => {
    const t = await signUp();
    const rows = ledgerRows();
    await writeLedger(t, rows);
    // Another org's ledger must not count.
    await writeLedger(await signUp(), rows.map((r) => ({ ...r, counterfactual: r.counterfactual * 10 })));
    const thread = await newThread(t);
    const { s, events, completed } = await ask(t, thread, 'How much did the gateway save us?');
    expect(events.flatMap((e) => (e.type === 'tool_call' ? [e.data.tool] : []))).toEqual(['savings_ledger', 'realized_savings']);
    const answer = answerOf(completed);

    const treated = rows.filter((r) => r.arm === 'treated');
    const control = rows.filter((r) => r.arm === 'control');
    let saved = 0;
    for (const r of treated) saved += r.counterfactual - r.actual;
    expect(answer.startsWith(`The gateway's policies saved ${usd(saved)} on ${treated.length} calls since `)).toBe(true);

    // Welch: mean_t − mean_c ± 1.96·√(s²_t/n_t + s²_c/n_c), sample variances, in USD per call.
    const stats = (xs: number[]) => {
      let m = 0;
      for (const x of xs) m += x;
      m /= xs.length;
      let v = 0;
      for (const x of xs) v += (x - m) ** 2;
      return { n: xs.length, mean: m, variance: v / (xs.length - 1) };
    };
    const a = stats(treated.map((r) => r.actual));
    const b = stats(control.map((r) => r.actual));
    const diff = (a.mean - b.mean) / 1e9;
    const se = Math.sqrt(a.variance / a.n + b.variance / b.n) / 1e9;
    expect(answer).toContain(`Against the control arm (${control.length} calls kept on the original behaviour), a treated call cost ${sixDp(-diff)} less`);
    expect(diff).toBeLessThan(0);
    expect(answer).toContain(`95% interval ${sixDp(diff - 1.959964 * se)} to ${sixDp(diff + 1.959964 * se)} per call`);
    expect(answer).not.toContain('not significant');
    // Errors per arm, as shares of the arm's calls.
    const errorPct = (xs: Row[]) => `${Math.round((xs.filter((r) => r.status !== 'ok').length / xs.length) * 1000) / 10}%`;
    expect(answer).toContain(`Errors: ${errorPct(treated)} treated vs ${errorPct(control)} control`);
    // The feature that saved most comes first.
    const byFeature = new Map<string, number>();
    for (const r of treated) byFeature.set(r.feature, (byFeature.get(r.feature) ?? 0) + r.counterfactual - r.actual);
    const [top] = [...byFeature.entries()].sort((x, y) => y[1] - x[1]);
    expect(answer).toContain(`Most saved on: feature ${top![0]} (${usd(top![1])})`);
    s.close();
  });

  it('with no ledger entry in the period it says nothing is measured yet, and how to start', async () => {
    const t = await signUp();
    const thread = await newThread(t);
    const none = await ask(t, thread, 'How much did the gateway save us?');
    expect(answerOf(none.completed)).toMatch(/^No call has gone through an active gateway policy so far, so there is no measured saving yet\./);
    expect(answerOf(none.completed)).toContain('POST /api/policies/from-report/');
    await writeLedger(t, ledgerRows());
    // Entries written today are outside "last month".
    const last = await ask(t, thread, 'What were our realized savings last month?');
    expect(answerOf(last.completed)).toMatch(/^No call has gone through an active gateway policy last month/);
    none.s.close();
    last.s.close();
  });
});

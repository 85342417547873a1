// Computed cost per UTC day, provider and model of an org's calls (llm_calls FINAL), with each group's costliest
// calls: the computed side of a reconciliation against a provider's bill.
import type { ComputedRow } from '../engine/catalog/reconcile';
import type { ClickHouseClient } from './clickhouse';
import { chDateTime } from './telemetry-writer';

export async function computedCostsByDay(ch: ClickHouseClient, orgId: string, from: Date, to: Date): Promise<ComputedRow[]> {
  const rs = await ch.query({
    query: `SELECT toString(toDate(timestamp)) AS day, provider, model, count() AS calls,
                   toString(sum(ifNull(cost_nanousd, 0))) AS computed, countIf(cost_nanousd IS NULL) AS unpriced,
                   arraySlice(arrayReverseSort(x -> x.2, groupArray((request_id, ifNull(cost_nanousd, 0)))), 1, 3) AS top
            FROM llm_calls FINAL
            WHERE org_id = {org:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
            GROUP BY day, provider, model`,
    query_params: { org: orgId, from: chDateTime(from.getTime()), to: chDateTime(to.getTime()) },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ day: string; provider: string; model: string; calls: string | number; computed: string; unpriced: string | number; top: [string, string | number][] }>();
  return rows.map((r) => ({
    day: r.day,
    provider: r.provider,
    model: r.model,
    calls: Number(r.calls),
    computed_nanousd: Number(r.computed),
    unpriced_calls: Number(r.unpriced),
    top_calls: r.top.map(([request_id, cost]) => ({ request_id, cost_nanousd: Number(cost) })),
  }));
}

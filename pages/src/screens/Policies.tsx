// Gateway policies on the report page: "Apply as gateway policy" drafts the org's next policy version from the
// report (POST /api/policies/from-report/{id}) and activates it; the list below shows the org's policies.
import { useState } from 'react';
import { client, ok, type Body } from '../api';
import { dateTime } from '../format';
import { Badge, ErrorBox, Spinner, useAsync } from '../ui';

export type Policy = Body<typeof client.api.policies.$get>['items'][number];

export async function listPolicies(signal?: AbortSignal): Promise<Policy[]> {
  return (await ok(client.api.policies.$get({}, { init: { signal } }))).items;
}

/** Whether the report carries a gateway policy with rules (its plan's, else the routing_policy finding's), as the server reads it. */
export function reportHasPolicy(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  const d = data as { plan?: { policy?: unknown } | null; insights?: unknown[]; savings?: unknown[] };
  const findings = [...(d.insights ?? []), ...(d.savings ?? [])] as { tool?: string; evidence?: { policy?: unknown } }[];
  const policy = (d.plan?.policy ?? findings.find((f) => f?.tool === 'routing_policy')?.evidence?.policy) as { rules?: unknown } | undefined;
  return Array.isArray(policy?.rules) && policy.rules.length > 0;
}

const STATUS_KIND: Record<string, string> = { active: 'ok', rolled_back: 'bad' };

export function ReportPolicies({ reportId, hasPolicy }: { reportId: string; hasPolicy: boolean }) {
  const list = useAsync((signal) => listPolicies(signal), [reportId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const drafted = await ok(client.api.policies['from-report'][':report_id'].$post({ param: { report_id: reportId }, json: {} }));
      await ok(client.api.policies[':id'].activate.$post({ param: { id: drafted.id } }));
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const policies = list.data ?? [];
  return (
    <section className="card panel policies" aria-labelledby="policies-title">
      <div className="panel-head">
        <h2 id="policies-title">Gateway policies</h2>
        {hasPolicy ? (
          <button type="button" className="btn primary small" onClick={() => void apply()} disabled={busy}>
            {busy ? 'Applying…' : 'Apply as gateway policy'}
          </button>
        ) : (
          <span className="muted small">This report proposes no gateway policy.</span>
        )}
      </div>
      <ErrorBox error={error} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Spinner />}
      {list.data && policies.length === 0 && <p className="muted small">No gateway policies yet.</p>}
      {policies.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th className="num">Version</th>
                <th>Name</th>
                <th>Status</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {policies.map((p) => (
                <tr key={p.id}>
                  <td className="num">v{p.version}</td>
                  <td>
                    {p.name}
                    {p.source_report_id === reportId && <span className="muted small"> · from this report</span>}
                  </td>
                  <td>
                    <Badge kind={STATUS_KIND[p.status]}>{p.status.replace('_', ' ')}</Badge>
                    {p.rollback_reason && <span className="muted small"> {p.rollback_reason}</span>}
                  </td>
                  <td className="small">{dateTime(p.activated_at ?? p.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// Dashboard card "Realized savings": what the gateway's savings ledger measured this month against what the
// latest report recommended, the treated-vs-control comparison with its 95 % interval, ROI and fee, and the
// tier's usage against its limits. With no active policy or no ledger rows it says so instead of showing zeros.
import { client, ok } from '../api';
import { useAuth } from '../auth';
import { int, pct, usd } from '../format';
import { Link } from '../router';
import { ErrorBox, Spinner, useAsync } from '../ui';
import { listPolicies } from './Policies';

const api = client.api;
type Loaded = Awaited<ReturnType<typeof loadAll>>;

const LIMIT_LABELS: Record<string, string> = {
  seats: 'Seats',
  api_keys: 'API keys',
  runs_per_day: 'Agent runs per day',
  ingested_calls_per_month: 'Ingested calls per month',
};

async function loadAll(tier: string, signal: AbortSignal) {
  const paid = tier !== 'free';
  const init = { init: { signal } };
  const [summary, roi, policies, reports, usage, report] = await Promise.all([
    ok(api.metrics.savings.summary.$get({ query: { group_by: 'all' } }, init)),
    ok(api.metrics.roi.$get({ query: {} }, init)),
    listPolicies(signal),
    ok(api.reports.$get({ query: { limit: '1' } }, init)),
    ok(api.tier.usage.$get({}, init)),
    // Early tier and up.
    paid ? ok(api.tier['savings-report'].$get({}, init)) : null,
  ]);
  /** Every tier gets its usage against its limits (for a free org, the reason to upgrade). */
  return { summary, roi, policies, latest: reports.items[0] ?? null, usage, report };
}

export function RealizedSavingsCard() {
  const { state } = useAuth();
  const tier = state.status === 'signed_in' ? state.org.tier : 'free';
  const data = useAsync((signal) => loadAll(tier, signal), [tier]);
  const d = data.data;
  return (
    <section className="card panel" aria-labelledby="realized-savings-title">
      <div className="panel-head">
        <h2 id="realized-savings-title">Realized savings</h2>
        <span className="muted small">this month, measured by the gateway</span>
      </div>
      <ErrorBox error={data.error} onRetry={data.reload} />
      {data.loading && !d && <Spinner />}
      {d && <SavingsBody d={d} />}
      {d && <TierUsageView d={d} tier={tier} />}
    </section>
  );
}

function SavingsBody({ d }: { d: Loaded }) {
  const active = d.policies.find((p) => p.status === 'active');
  const all = d.summary.groups[0];
  const ledgerCalls = all ? all.treated.calls + all.control.calls : 0;
  if (!active && ledgerCalls === 0)
    return (
      <p className="savings-empty">
        No realized savings yet: no gateway policy is active and the savings ledger has no calls this month. Open a report and use{' '}
        <strong>Apply as gateway policy</strong>, then send your calls through the gateway{' '}
        {d.latest ? <Link href={`/reports/${encodeURIComponent(d.latest.id)}`}>(latest report)</Link> : <Link href="/chat">(ask for a report in Chat)</Link>}.
      </p>
    );
  if (ledgerCalls === 0)
    return (
      <p className="savings-empty">
        Policy v{active!.version} ({active!.name}) is active, but no calls have gone through the gateway this month: nothing is realized yet.
      </p>
    );
  const recommended = d.latest?.monthly_saving_usd ?? null;
  return (
    <>
      <div className="cards">
        <div className="card stat">
          <div className="stat-label">Saved this month</div>
          <div className="stat-value accent">{usd(d.roi.realized_savings_usd)}</div>
          <div className="muted small">
            {recommended && recommended > 0
              ? `vs. ${usd(recommended)}/month recommended (${pct((d.roi.realized_savings_usd / recommended) * 100, true)})`
              : 'no recommendation in the latest report'}
          </div>
        </div>
        <div className="card stat">
          <div className="stat-label">ROI</div>
          <div className="stat-value">{d.roi.roi === null ? '—' : `${d.roi.roi.toLocaleString('en-US', { maximumFractionDigits: 2 })}×`}</div>
          <div className="muted small">
            fee {usd(d.roi.fee_usd)} ({pct(d.roi.fee_share)} of realized) · net {usd(d.roi.net_savings_usd)}
          </div>
        </div>
        {d.report && (
          <div className="card stat">
            <div className="stat-label">Completed analyses</div>
            <div className="stat-value">{int(d.report.completed_runs)}</div>
          </div>
        )}
      </div>
      {all && <ArmsTable g={all} />}
    </>
  );
}

function ArmsTable({ g }: { g: Loaded['summary']['groups'][number] }) {
  const perCall = (v: number | null) => usd(v, { precise: true });
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="muted small">Treated vs. control (holdout) calls through the gateway this month</caption>
        <thead>
          <tr>
            <th>Arm</th>
            <th className="num">Calls</th>
            <th className="num">Cost</th>
            <th className="num">Mean cost / call</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Treated (policy applied)</td>
            <td className="num">{int(g.treated.calls)}</td>
            <td className="num">{usd(g.treated.cost_usd)}</td>
            <td className="num">{perCall(g.treated.mean_cost_per_call_usd)}</td>
          </tr>
          <tr>
            <td>Control (no policy)</td>
            <td className="num">{int(g.control.calls)}</td>
            <td className="num">{usd(g.control.cost_usd)}</td>
            <td className="num">{perCall(g.control.mean_cost_per_call_usd)}</td>
          </tr>
        </tbody>
      </table>
      <p className="small">
        {g.difference_per_call_usd !== null && g.ci95_per_call_usd
          ? `Difference per call (treated − control): ${perCall(g.difference_per_call_usd)}, 95% interval ${perCall(g.ci95_per_call_usd[0])} to ${perCall(g.ci95_per_call_usd[1])}.`
          : 'Too few calls in an arm for a 95% interval yet (at least 2 in each).'}
      </p>
    </div>
  );
}

function TierUsageView({ d, tier }: { d: Loaded; tier: string }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="muted small">Tier {tier}: usage against its limits</caption>
        <thead>
          <tr>
            <th>Limit</th>
            <th className="num">Used</th>
            <th className="num">Allowed</th>
            <th className="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {d.usage.usage.map((l) => (
            <tr key={l.limit} data-limit={l.limit}>
              <td>{LIMIT_LABELS[l.limit] ?? l.limit}</td>
              <td className="num">{int(l.used)}</td>
              <td className="num">{int(l.allowed)}</td>
              <td className="num">{l.allowed > 0 ? pct((l.used / l.allowed) * 100, true) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Realized savings from the ledger, two ways:
//   counterfactual — Σ over treated calls of (what the original request would have cost − what was paid),
//                    both at catalog prices for the usage the call actually had;
//   control arm    — the difference in mean cost per call, treated − control, with a 95 % confidence
//                    interval: Welch's standard error √(s²_t/n_t + s²_c/n_c), ± 1.96 (normal approximation,
//                    fine from a few dozen calls per arm). The control arm is a deterministic-hash random
//                    holdout, so the difference measures what the policy changed, tokens and all.

export const Z_95 = 1.959964;

export interface ArmSummary {
  calls: number;
  cost_usd: number;
  mean_cost_per_call_usd: number | null;
  error_rate: number | null;
  mean_latency_ms: number | null;
}

export interface SavingsGroup {
  key: string;
  treated: ArmSummary;
  control: ArmSummary;
  /** Counterfactual: Σ (original cost − paid) over treated calls. */
  realized_savings_usd: number;
  /** Mean cost per call, treated − control (negative: the policy saves), and its 95 % interval. */
  difference_per_call_usd: number | null;
  ci95_per_call_usd: [number, number] | null;
}

/** Mean difference (a − b) and its 95 % interval from two samples' sizes, means and variances. */
export function welchInterval(a: { n: number; mean: number; variance: number }, b: { n: number; mean: number; variance: number }): { diff: number; ci95: [number, number] } | null {
  if (a.n < 2 || b.n < 2) return null;
  const diff = a.mean - b.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  return { diff, ci95: [diff - Z_95 * se, diff + Z_95 * se] };
}

export const METHOD =
  'realized = Σ over treated calls of (cost of the original request − cost paid), both at catalog prices for the usage the call had; ' +
  'difference_per_call = mean cost per call of the treated arm − the control arm (a deterministic-hash random holdout kept on the original behaviour), ' +
  '95% interval = difference ± 1.96·√(s²_treated/n_treated + s²_control/n_control) (Welch, normal approximation).';

/** The org's ledger over a period, as the agent's realized-savings tool reads it. */
export interface LedgerSummary {
  /** The period asked about (epoch ms; null = unbounded). */
  from: number | null;
  to: number | null;
  /** The first and last ledger entries in it (epoch ms); null when there are none. */
  first_at: number | null;
  last_at: number | null;
  /** Every rule together (null when the ledger has no entry in the period). */
  total: SavingsGroup | null;
  by_rule: SavingsGroup[];
  by_feature: SavingsGroup[];
}

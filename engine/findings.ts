// What every optimizer tool returns, and the conventions that make savings comparable
// (and checkable against the synthetic generator's ground truth).

export type ToolFamily = 'cost' | 'performance' | 'cache' | 'policy' | 'reporting';

export type FindingKind =
  /** A change that saves money and/or time, with a quantified saving. */
  | 'saving'
  /** A fact about the workload (breakdown, percentiles) with no saving of its own. */
  | 'insight'
  /** Something wrong with the data itself (unknown model, absurd token counts, missing fields). */
  | 'data_quality';

export type Level = 'low' | 'medium' | 'high';

/** Where a finding applies: the group of calls it is about. Only the keys that matter are set. */
export interface FindingScope {
  provider?: string;
  model?: string;
  feature?: string;
  user?: string;
  prompt_hash?: string;
  /** Free-form group label when none of the above fits (e.g. a time bucket, "all"). */
  group?: string;
}

export interface Finding {
  /** Stable id of the tool that produced it (see TOOL_IDS of engine/tools). */
  tool: string;
  family: ToolFamily;
  kind: FindingKind;
  title: string;
  /** One or two sentences a user reads; numbers in it come from the fields below. */
  summary: string;
  where: FindingScope;
  /** Calls of the window the finding covers. */
  calls_affected: number;
  /** Saving over the analysed window, integer nano-dollars. 0 for insights. */
  saving_nanousd: number;
  /** saving extrapolated to 30 days: saving_nanousd × 30 / observed traffic days (monthly-basis.ts; evidence.monthly_basis), as USD. */
  saving_usd_month: number;
  /** saving as a share of the window's total spend, 0..100. */
  saving_pct: number;
  /** Change in latency for the affected calls, ms (negative = faster); null when not estimated. */
  latency_effect_ms: number | null;
  confidence: Level;
  risk: Level;
  /** What the numbers were computed from: counts, token sums, prices, formula, sample ids. */
  evidence: Record<string, unknown>;
  /** What to do, in one line (the actions agent turns it into steps and a gateway policy). */
  recommendation: string;
}

export const DAY_MS = 86_400_000;
export const MONTH_DAYS = 30;

/** Monthly extrapolation used by every tool: value over the window scaled to 30 days. */
export function perMonthUsd(savingNano: number, windowDays: number): number {
  const days = windowDays > 0 ? windowDays : 1;
  return Math.round((savingNano * MONTH_DAYS) / days) / 1e9;
}

/** Saving as a percentage (0..100, two decimals) of the window's total spend. */
export function pctOf(savingNano: number, totalNano: number): number {
  if (totalNano <= 0) return 0;
  return Math.round((savingNano / totalNano) * 10_000) / 100;
}

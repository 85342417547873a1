// Reconciliation of computed costs against a provider's bill: billing exports → billed USD per (day, provider,
// model), compared with the sum of the calls' computed costs; drifts above a tolerance, and data-quality flags
// where one side has rows the other lacks or a row cannot be compared (not USD, no model).
//
// Export shapes: the OpenAI organization costs API (`/v1/organization/costs` pages: buckets of results with
// amount {value, currency} and, grouped by line_item, "<model>, <input|output|cached input…>"), or rows of
// daily cost per model: JSON [{date, model, cost_usd | cost | amount, currency?, provider?}] or a CSV with the
// same columns.
import { findModel, normalizeProvider } from './lookup';

/** Billed money per day (UTC "YYYY-MM-DD"), provider and model key. */
export interface BilledRow {
  day: string;
  provider: string;
  model: string;
  billed_nanousd: number;
}

export interface BillingIssue {
  /** Row (1-based) or bucket/result position in the export. */
  at: string;
  flag: 'currency_not_usd' | 'no_model' | 'bad_row';
  message: string;
}

export interface ParsedBill {
  rows: BilledRow[];
  issues: BillingIssue[];
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}/;
const isRec = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const nano = (usd: number) => Math.round(usd * 1e9);

/** One name for a model on both sides: its catalog key, else the lowercased name. */
export function reconcileKey(provider: string, model: string): { provider: string; model: string } {
  const m = findModel(model, provider);
  return m ? { provider: m.provider, model: m.id } : { provider: normalizeProvider(provider), model: model.trim().toLowerCase() };
}

function add(into: Map<string, BilledRow>, day: string, provider: string, model: string, usd: number): void {
  const key = reconcileKey(provider, model);
  const k = `${day}\n${key.provider}\n${key.model}`;
  const row = into.get(k) ?? { day, ...key, billed_nanousd: 0 };
  row.billed_nanousd += nano(usd);
  into.set(k, row);
}

const USD = (c: unknown) => c === undefined || c === null || String(c).trim().toLowerCase() === 'usd';

/** OpenAI costs page(s): `{object:"page", data:[bucket…]}` or a list of such pages. */
function openaiCosts(pages: Record<string, unknown>[], provider: string, out: Map<string, BilledRow>, issues: BillingIssue[]): void {
  pages.forEach((page, p) => {
    const buckets = Array.isArray(page.data) ? page.data : [];
    buckets.forEach((bucket, b) => {
      if (!isRec(bucket) || typeof bucket.start_time !== 'number') {
        issues.push({ at: `page ${p + 1} bucket ${b + 1}`, flag: 'bad_row', message: 'bucket without a numeric start_time' });
        return;
      }
      const day = dayOf(bucket.start_time * 1000);
      const results = Array.isArray(bucket.results) ? bucket.results : [];
      results.forEach((r, i) => {
        const at = `page ${p + 1} bucket ${b + 1} result ${i + 1}`;
        const amount = isRec(r) && isRec(r.amount) ? r.amount : undefined;
        if (!amount || typeof amount.value !== 'number' || !Number.isFinite(amount.value)) {
          issues.push({ at, flag: 'bad_row', message: 'result without a numeric amount.value' });
          return;
        }
        if (!USD(amount.currency)) {
          issues.push({ at, flag: 'currency_not_usd', message: `amount in ${String(amount.currency)}: not compared (costs here are USD)` });
          return;
        }
        const item = isRec(r) && typeof r.line_item === 'string' ? r.line_item : '';
        const model = item.split(',')[0]?.trim();
        if (!model) {
          issues.push({ at, flag: 'no_model', message: 'no line_item: export the costs grouped by line_item to compare per model' });
          return;
        }
        add(out, day, provider, model, amount.value);
      });
    });
  });
}

const pickField = (r: Record<string, unknown>, names: string[]) => names.map((n) => r[n]).find((v) => v !== undefined && v !== '');

/** Daily cost rows (JSON objects or CSV records by header). */
function dailyRows(rows: Record<string, unknown>[], provider: string, out: Map<string, BilledRow>, issues: BillingIssue[]): void {
  rows.forEach((r, i) => {
    const at = `row ${i + 1}`;
    const date = pickField(r, ['date', 'day', 'usage_date', 'start_time_iso']);
    const model = pickField(r, ['model', 'model_id', 'line_item']);
    const rawCost = pickField(r, ['cost_usd', 'cost', 'amount', 'amount_usd']);
    const cost = typeof rawCost === 'number' ? rawCost : typeof rawCost === 'string' ? Number(rawCost.replace(/^\$/, '')) : NaN;
    if (typeof date !== 'string' || !DAY_RE.test(date) || !Number.isFinite(cost)) {
      issues.push({ at, flag: 'bad_row', message: 'a row needs date (YYYY-MM-DD) and a numeric cost_usd' });
      return;
    }
    if (!USD(pickField(r, ['currency']))) {
      issues.push({ at, flag: 'currency_not_usd', message: `cost in ${String(pickField(r, ['currency']))}: not compared (costs here are USD)` });
      return;
    }
    if (typeof model !== 'string' || model.trim() === '') {
      issues.push({ at, flag: 'no_model', message: 'row has no model' });
      return;
    }
    const p = pickField(r, ['provider']);
    add(out, date.slice(0, 10), typeof p === 'string' ? p : provider, String(model).split(',')[0]!.trim(), cost);
  });
}

/** A billing export (parsed JSON, or CSV records keyed by header) → billed rows; `provider` names rows that do not. */
export function parseBill(doc: unknown, provider: string): ParsedBill {
  const out = new Map<string, BilledRow>();
  const issues: BillingIssue[] = [];
  const list = Array.isArray(doc) ? doc : [doc];
  const records = list.filter(isRec);
  if (records.length !== list.length) issues.push({ at: 'export', flag: 'bad_row', message: 'entries that are not objects were skipped' });
  if (records.some((r) => r.object === 'page' || Array.isArray(r.data))) openaiCosts(records, provider, out, issues);
  else dailyRows(records, provider, out, issues);
  return { rows: [...out.values()], issues };
}

/** Computed cost of one (day, provider, model) group, and the calls that weigh most in it. */
export interface ComputedRow {
  day: string;
  provider: string;
  model: string;
  calls: number;
  computed_nanousd: number;
  /** Calls whose cost could not be computed (unknown model, no source cost). */
  unpriced_calls: number;
  top_calls: { request_id: string; cost_nanousd: number }[];
}

export interface Tolerance {
  /** Absolute, USD. */
  usd: number;
  /** Relative to the billed amount, as a fraction (0.01 = 1 %). */
  share: number;
}

export interface ReconciliationRow {
  day: string;
  provider: string;
  model: string;
  billed_nanousd: number | null;
  computed_nanousd: number | null;
  /** computed − billed (negative = we estimate less than the bill). */
  drift_nanousd: number;
  drift_share: number | null;
  calls: number;
  flags: ('no_calls' | 'not_billed' | 'unpriced_calls')[];
  top_calls: { request_id: string; cost_nanousd: number }[];
}

/** Joins billed and computed rows; returns the rows beyond tolerance (or flagged), largest drift first. */
export function reconcile(billed: BilledRow[], computed: ComputedRow[], tol: Tolerance): { rows: ReconciliationRow[]; compared: number } {
  const key = (r: { day: string; provider: string; model: string }) => `${r.day}\n${r.provider}\n${r.model}`;
  const folded = new Map<string, ComputedRow>();
  for (const c of computed) {
    const k = { day: c.day, ...reconcileKey(c.provider, c.model) };
    const prev = folded.get(key(k));
    if (!prev) folded.set(key(k), { ...c, ...k, top_calls: [...c.top_calls] });
    else {
      prev.calls += c.calls;
      prev.computed_nanousd += c.computed_nanousd;
      prev.unpriced_calls += c.unpriced_calls;
      prev.top_calls = [...prev.top_calls, ...c.top_calls].sort((a, b) => b.cost_nanousd - a.cost_nanousd).slice(0, 3);
    }
  }
  const bills = new Map(billed.map((b) => [key(b), b]));
  const rows: ReconciliationRow[] = [];
  for (const k of new Set([...bills.keys(), ...folded.keys()])) {
    const b = bills.get(k);
    const c = folded.get(k);
    const head = (b ?? c) as { day: string; provider: string; model: string };
    const billedN = b?.billed_nanousd ?? null;
    const computedN = c?.computed_nanousd ?? null;
    const drift = (computedN ?? 0) - (billedN ?? 0);
    const flags: ReconciliationRow['flags'] = [];
    if (!c) flags.push('no_calls');
    if (!b) flags.push('not_billed');
    if (c && c.unpriced_calls > 0) flags.push('unpriced_calls');
    const limit = Math.max(nano(tol.usd), Math.abs(billedN ?? 0) * tol.share);
    if (Math.abs(drift) <= limit && flags.length === 0) continue;
    rows.push({
      day: head.day, provider: head.provider, model: head.model,
      billed_nanousd: billedN, computed_nanousd: computedN, drift_nanousd: drift,
      drift_share: billedN ? drift / billedN : null,
      calls: c?.calls ?? 0, flags, top_calls: c?.top_calls ?? [],
    });
  }
  rows.sort((a, b) => Math.abs(b.drift_nanousd) - Math.abs(a.drift_nanousd) || (a.day < b.day ? -1 : 1));
  return { rows, compared: new Set([...bills.keys(), ...folded.keys()]).size };
}

// Triage sub-agent, offline reasoner: intent, goals and constraints from the user's words, and the data
// sufficiency score from what the org's telemetry covers. Deterministic; an LLM may rephrase, never score.
import type { CoverageRow } from '../../db/coverage';

export type Intent = 'cost' | 'latency' | 'quality' | 'capacity' | 'what_if' | 'general';

export interface Goal {
  metric: 'cost' | 'latency';
  /** Target reduction in percent when the user named one ("cut costs by 30%"). */
  reduce_pct: number | null;
}

export interface Constraint {
  kind: 'max_latency_ms' | 'keep_model' | 'quality_floor' | 'budget_usd_month';
  value: string | number;
}

export interface TriageResult {
  intent: Intent;
  goals: Goal[];
  constraints: Constraint[];
  /** Scope the user named: a feature ("the summarize feature") and/or a target model for what-if questions. */
  scope: { feature?: string; target_model?: string };
}

const INTENT_WORDS: [Intent, RegExp][] = [
  ['what_if', /\bwhat if\b|\bsimulat|\bif (we|i) (move|switch|route)/i],
  ['latency', /latenc|slow|fast(er)?|speed|ttft|time to first|p9[59]|respon(se|d) time/i],
  ['capacity', /rate.?limit|429|throughput|capacity|quota|tpm|rpm/i],
  ['quality', /quality|accura|hallucin|eval/i],
  ['cost', /cost|spend|bill|save|saving|money|cheap|price|budget|\$|expens|doubled/i],
];

/** A what-if question wins; otherwise the topic the user raises first ("bill doubled … keep latency under 2s" is about cost). */
function classifyIntent(message: string): Intent {
  if (INTENT_WORDS[0]![1].test(message)) return 'what_if';
  let best: { intent: Intent; at: number } | null = null;
  for (const [intent, re] of INTENT_WORDS.slice(1)) {
    const at = message.search(re);
    if (at >= 0 && (!best || at < best.at)) best = { intent, at };
  }
  return best?.intent ?? 'general';
}

export function triageMessage(message: string): TriageResult {
  const intent = classifyIntent(message);
  const goals: Goal[] = [];
  const pct = /(?:by|cut|reduce|save|lower)\D{0,20}?(\d{1,2}(?:\.\d+)?)\s*%/i.exec(message);
  if (intent === 'cost' || intent === 'what_if' || /cost|spend|save/i.test(message)) goals.push({ metric: 'cost', reduce_pct: pct ? Number(pct[1]) : null });
  if (intent === 'latency') goals.push({ metric: 'latency', reduce_pct: pct ? Number(pct[1]) : null });

  const constraints: Constraint[] = [];
  const latency = /(?:under|below|within|max(?:imum)?)\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds)\b/i.exec(message);
  if (latency) constraints.push({ kind: 'max_latency_ms', value: Number(latency[1]) * (latency[2]!.toLowerCase() === 'ms' ? 1 : 1000) });
  const keep = /(?:keep|don'?t (?:change|touch)|stay on)\s+([\w.\-/]+)/i.exec(message);
  if (keep) constraints.push({ kind: 'keep_model', value: keep[1]! });
  const budget = /budget\D{0,15}\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?/i.exec(message);
  if (budget) constraints.push({ kind: 'budget_usd_month', value: Number(budget[1]!.replace(/,/g, '')) * (budget[2] ? 1000 : 1) });
  if (/without (losing|hurting) quality|same quality|quality (must|should) stay/i.test(message)) constraints.push({ kind: 'quality_floor', value: 'unchanged' });

  const scope: TriageResult['scope'] = {};
  const feature = /(?:the\s+)?["'`]?([\w-]+)["'`]?\s+feature|feature\s+["'`]?([\w-]+)/i.exec(message);
  if (feature) scope.feature = (feature[1] ?? feature[2])!;
  const target = /(?:to|onto|with)\s+(?:a\s+)?([a-z][\w.-]*\d[\w.-]*)/i.exec(message);
  if (target && /what if|move|switch|route/i.test(message)) scope.target_model = target[1]!;
  return { intent, goals, constraints, scope };
}

/** What the org's telemetry covers (db/coverage.ts measures it in one aggregate query). */
export type DataCoverage = Omit<CoverageRow, 'from_ms' | 'to_ms'>;

export interface SufficiencyInput {
  name: string;
  weight: number;
  share: number;
  points: number;
}

/** Points per input; they add up to 100. */
const WEIGHTS = { volume: 30, history: 15, latency: 10, feature: 15, prompt_hash: 10, prefix_or_cache: 10, user: 5, ttft: 5 } as const;

/** 0..100 and its inputs (shown in the report). Volume saturates at 1,000 calls, history at 7 days. */
export function scoreSufficiency(c: DataCoverage): { score: number; inputs: SufficiencyInput[] } {
  const share = (n: number) => (c.calls > 0 ? Math.min(1, n / c.calls) : 0);
  const shares: Record<keyof typeof WEIGHTS, number> = {
    volume: c.calls <= 0 ? 0 : Math.min(1, Math.log10(c.calls) / 3),
    history: Math.min(1, c.days / 7),
    latency: share(c.with_latency),
    feature: share(c.with_feature),
    prompt_hash: share(c.with_prompt_hash),
    prefix_or_cache: share(c.with_prefix_or_cache),
    user: share(c.with_user),
    ttft: share(c.with_ttft),
  };
  const inputs = (Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]).map((name) => {
    const points = Math.round(WEIGHTS[name] * shares[name] * 10) / 10;
    return { name, weight: WEIGHTS[name], share: Math.round(shares[name] * 1000) / 1000, points };
  });
  const score = c.calls === 0 ? 0 : Math.round(inputs.reduce((s, i) => s + i.points, 0));
  return { score, inputs };
}

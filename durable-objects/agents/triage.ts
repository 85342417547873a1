// Data sufficiency: the score (0..100) of what the org's telemetry covers, which picks the pipeline. The
// request itself is parsed by engine/agent/request.ts. Deterministic; an LLM may rephrase, never score.
import type { CoverageRow } from '../../db/coverage';

/** What the org's telemetry covers (db/coverage.ts measures it in one aggregate query). */
export type DataCoverage = Omit<CoverageRow, 'from_ms' | 'to_ms' | 'features' | 'fingerprint'>;

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

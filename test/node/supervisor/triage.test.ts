import { describe, expect, it } from 'vitest';
import { scoreSufficiency, triageMessage } from '../../../durable-objects/agents/triage';

describe('triage offline reasoner', () => {
  it('reads intent, goals and constraints', () => {
    const t = triageMessage('Why did our OpenAI bill double? We need to cut costs by 30% and keep latency under 2s');
    expect(t.intent).toBe('cost');
    expect(t.goals).toContainEqual({ metric: 'cost', reduce_pct: 30 });
    expect(t.constraints).toContainEqual({ kind: 'max_latency_ms', value: 2000 });
  });

  it('recognises latency and what-if questions with their scope', () => {
    expect(triageMessage('our p95 latency is too slow').intent).toBe('latency');
    const w = triageMessage('what if only the summarize feature moves to gpt-4o-mini?');
    expect(w.intent).toBe('what_if');
    expect(w.scope).toEqual({ feature: 'summarize', target_model: 'gpt-4o-mini' });
  });

  it('falls back to a general question', () => {
    expect(triageMessage('hello there').intent).toBe('general');
  });
});

describe('data sufficiency score', () => {
  const full = { calls: 50_000, days: 30, with_latency: 50_000, with_feature: 50_000, with_prompt_hash: 50_000, with_prefix_or_cache: 50_000, with_user: 50_000, with_ttft: 50_000 };

  it('is 100 for rich, long, complete telemetry and 0 for none', () => {
    expect(scoreSufficiency(full).score).toBe(100);
    expect(scoreSufficiency({ ...full, calls: 0, with_latency: 0, with_feature: 0, with_prompt_hash: 0, with_prefix_or_cache: 0, with_user: 0, with_ttft: 0, days: 0 }).score).toBe(0);
  });

  it('shows its inputs, which add up to the score', () => {
    const s = scoreSufficiency({ ...full, with_feature: 0, with_prompt_hash: 25_000 });
    expect(s.score).toBe(80);
    expect(s.inputs.find((i) => i.name === 'feature')).toMatchObject({ weight: 15, share: 0, points: 0 });
    expect(s.inputs.find((i) => i.name === 'prompt_hash')).toMatchObject({ share: 0.5, points: 5 });
    expect(Math.round(s.inputs.reduce((a, i) => a + i.points, 0))).toBe(s.score);
  });

  it('a token-count-only trace (like the Azure sample) lands below the full pipeline', () => {
    const azureLike = { calls: 8_819, days: 0.04, with_latency: 0, with_feature: 0, with_prompt_hash: 0, with_prefix_or_cache: 0, with_user: 0, with_ttft: 0 };
    expect(scoreSufficiency(azureLike).score).toBeLessThan(40);
  });
});

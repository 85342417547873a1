// Capability tiers from a pinned benchmark, not from names: the figures below are read off the source
// (LMArena text overall, 2025-02-27; MTEB averages from OpenAI's v3 embeddings launch) and tiered by hand.
import { describe, expect, it } from 'vitest';
import { CATALOG, capabilityOf, findModel, substitutes, sufficientFor } from '../../../engine/catalog/index.js';

const model = (id: string, provider?: string) => findModel(id, provider)!;

describe('measured capability', () => {
  it('gemini-2.0-flash is rated from its score, claude-sonnet-4-5 (after the snapshot) is unrated: never the same tier', () => {
    // 1359.0 ≥ 1325 (high floor) and < 1375 (frontier floor)
    expect(capabilityOf(model('gemini-2.0-flash'))).toEqual({ score: 1359.0, benchmark: 'arena', tier: 'high' });
    expect(capabilityOf(model('claude-sonnet-4-5'))).toEqual({ score: null, benchmark: null, tier: 'unrated' });
    // 1265.1: ≥ 1250 → mid; 1105.8 → small
    expect(capabilityOf(model('gpt-4o')).tier).toBe('mid');
    expect(capabilityOf(model('gpt-3.5-turbo')).tier).toBe('small');
  });

  it('open weights are rated at every provider serving them', () => {
    for (const [id, provider] of [['llama-3.3-70b-versatile', 'groq'], ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together']] as const) {
      expect(capabilityOf(model(id, provider)).score).toBe(1256.6);
    }
  });

  it('an unrated model neither gets a stand-in nor is one', () => {
    expect(substitutes(model('claude-sonnet-4-5'))).toEqual([]);
    for (const m of CATALOG) {
      for (const s of substitutes(m)) expect(capabilityOf(s).score, `${s.id} for ${m.id}`).not.toBeNull();
    }
  });

  it('stand-ins are at the same or a higher measured tier only', () => {
    const ids = substitutes(model('gpt-4o')).map((m) => m.id);
    expect(ids).toContain('gpt-4o-mini'); // 1272.4: mid, like gpt-4o
    expect(ids).not.toContain('gpt-5-mini'); // unrated
    expect(ids).not.toContain('gpt-3.5-turbo'); // small
    expect(sufficientFor(model('claude-3-5-haiku'), model('gemini-2.0-flash'))).toBe(true); // small → high
    expect(sufficientFor(model('gemini-2.0-flash'), model('claude-3-5-haiku'))).toBe(false); // high → small
  });

  it('embeddings compare on MTEB: 3-small (62.3) stands in for ada-002 (61.0), not for 3-large (64.6)', () => {
    expect(substitutes(model('text-embedding-ada-002')).map((m) => m.id)).toContain('text-embedding-3-small');
    expect(substitutes(model('text-embedding-3-large')).map((m) => m.id)).not.toContain('text-embedding-3-small');
  });
});

import { describe, expect, it } from 'vitest';
import { scoreSufficiency } from '../../../durable-objects/agents/triage';
import { needsData } from '../../../engine/agent/plan';
import { parseRequest } from '../../../engine/agent/request';

describe('structured request from triage', () => {
  const NOW = Date.UTC(2026, 10, 14, 18, 0, 0); // a Saturday evening, UTC
  const DAY = 86_400_000;

  it('reads intents, targets and constraints', () => {
    const r = parseRequest('Why did our OpenAI bill double? We need to cut costs by 30% and keep latency under 2s, keep gpt-4o', NOW);
    expect(r.intents[0]).toBe('spend_change');
    expect(r.intents).toContain('cut_cost');
    expect(r.targets.cut_pct).toBe(30);
    expect(r.targets.p95_ms).toBe(2000);
    expect(r.constraints.keep_models).toEqual(['gpt-4o']);
    expect(r.scope.providers).toEqual(['openai']);
  });

  it('resolves time windows in the user’s words against the data’s latest call', () => {
    expect(parseRequest('spend last week', NOW).scope.window).toEqual({ phrase: 'last week', from: NOW + 1 - 7 * DAY, to: NOW + 1 });
    expect(parseRequest('what happened yesterday', NOW).scope.window).toEqual({ phrase: 'yesterday', from: Date.UTC(2026, 10, 13), to: Date.UTC(2026, 10, 14) });
    expect(parseRequest('spend in October', NOW).scope.window).toEqual({ phrase: 'in october', from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 10, 1) });
    expect(parseRequest('costs since the 20th', NOW).scope.window).toEqual({ phrase: 'since the 20th', from: Date.UTC(2026, 9, 20), to: NOW + 1 });
    expect(parseRequest('bill this month', NOW).scope.window).toEqual({ phrase: 'this month', from: Date.UTC(2026, 10, 1), to: NOW + 1 });
    expect(parseRequest('where does our money go?', NOW).scope.window).toBeNull();
    // Weekdays: the latest such UTC day up to the data's last one (NOW is a Saturday).
    expect(parseRequest('why did costs spike on Tuesday?', NOW).scope.window).toEqual({ phrase: 'on tuesday', from: Date.UTC(2026, 10, 10), to: Date.UTC(2026, 10, 11) });
    expect(parseRequest('what did we spend on saturday', NOW).scope.window).toEqual({ phrase: 'on saturday', from: Date.UTC(2026, 10, 14), to: NOW + 1 });
    expect(parseRequest('what did we spend last saturday', NOW).scope.window).toEqual({ phrase: 'last saturday', from: Date.UTC(2026, 10, 7), to: Date.UTC(2026, 10, 8) });
  });

  it('reads the ask when the words are everyday ones', () => {
    expect(parseRequest('How much would batching save us?', NOW)).toMatchObject({ intents: ['lever'], levers: ['batch_eligibility'] });
    expect(parseRequest('How fast is doc-qa?', NOW, null, ['doc-qa']).intents[0]).toBe('latency');
    expect(parseRequest('which model is fastest', NOW)).toMatchObject({ intents: ['latency'], breakdown_by: 'model' });
    // The whole analysis asked for, nothing narrower named: the ranked plan.
    for (const m of ['What should I do first?', 'give me a report', 'what do you recommend']) expect(parseRequest(m, NOW).intents).toEqual(['cut_cost']);
    // "Is X good enough for F?" / "move F to X": a what-if moving F's calls to X.
    expect(parseRequest('Is gpt-4o-mini good enough for support-bot?', NOW, null, ['support-bot'])).toMatchObject({ intents: ['what_if'], scope: { features: ['support-bot'] }, change: { to_model: 'gpt-4o-mini' } });
    expect(parseRequest('move doc-qa to claude-haiku-4-5', NOW, null, ['doc-qa'])).toMatchObject({ intents: ['what_if'], change: { to_model: 'claude-haiku-4-5' } });
    // A provider named alone scopes the question; one heading a model id does not ("gemini-2.5-flash" is a model).
    expect(parseRequest('are we overpaying for claude?', NOW)).toMatchObject({ intents: ['cut_cost'], scope: { providers: ['anthropic'] } });
    expect(parseRequest('switch everything to gemini-2.5-flash', NOW)).toMatchObject({ intents: ['what_if'], scope: { providers: [] }, change: { to_model: 'gemini-2.5-flash' } });
    expect(parseRequest('Which prompts are the longest?', NOW).levers).toEqual(['context_bloat']);
    // Both asks, where the money goes first: "where is our money going" names the breakdown.
    expect(parseRequest('Where is our money going, and what would cut it?', NOW).intents).toEqual(['spend_breakdown', 'cut_cost']);
    expect(parseRequest('Is there anything wrong with our data?', NOW)).toMatchObject({ intents: ['lever'], levers: ['data_quality'] });
    // A latency question is a trend only with a word about time ("getting worse", "over time", "than last week").
    for (const m of ['how can we improve latency on chat?', 'is gpt-4o faster than claude-sonnet-4-5?', 'why is latency worse on chat than on search?']) expect(parseRequest(m, NOW).trend, m).toBe(false);
    for (const m of ['is latency getting worse?', 'p95 over time', 'is it slower than last week?']) expect(parseRequest(m, NOW).trend, m).toBe(true);
    // A provider left out is not the scope.
    expect(parseRequest('what do we spend excluding anthropic?', NOW).scope).toMatchObject({ providers: [], exclude_providers: ['anthropic'] });
    // "out there" is not "there": no follow-up.
    expect(parseRequest('what is the cheapest model out there?', NOW, parseRequest('what do we spend on openai?', NOW)).follow_up).toBe(false);
    // Something narrower named wins over "optimize".
    expect(parseRequest('Can we optimize latency on chat?', NOW).intents[0]).toBe('latency');
  });

  it('reads what-if changes, shares and features', () => {
    const w = parseRequest('what if only the summarize feature moves to gpt-4o-mini?', NOW);
    expect(w.intents[0]).toBe('what_if');
    expect(w.scope.features).toEqual(['summarize']);
    expect(w.change).toEqual({ from_model: null, to_model: 'gpt-4o-mini' });
    const all = parseRequest('What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?', NOW);
    expect(all.change).toEqual({ from_model: 'claude-sonnet-4-5', to_model: 'gpt-5-mini' });
    expect(parseRequest('what if we moved half of gpt-4o to gpt-4o-mini', NOW).scope.share).toBe(0.5);
  });

  it('greetings, help and how-to questions need no telemetry', () => {
    for (const m of ['hello there', 'hi', 'help', 'thanks!']) expect(parseRequest(m, NOW).intents).toEqual(['greeting']);
    expect(needsData(parseRequest('hello', NOW))).toBe(false);
    expect(parseRequest('How do I send data?', NOW).intents).toEqual(['send_data']);
    expect(needsData(parseRequest('cheapest model with 200k context', NOW))).toBe(false);
    expect(needsData(parseRequest('our p95 latency is too slow', NOW))).toBe(true);
  });

  it('a follow-up reuses the previous request’s scope', () => {
    const prev = parseRequest('Cut costs by 20% for the summarize feature but keep gpt-4o', NOW);
    const next = parseRequest('and for latency?', NOW, prev);
    expect(next.follow_up).toBe(true);
    expect(next.intents).toEqual(['latency']);
    expect(next.scope.features).toEqual(['summarize']);
    expect(next.constraints.keep_models).toEqual(['gpt-4o']);
    const apply = parseRequest('apply the second one', NOW, prev);
    expect(apply.intents[0]).toBe('apply_step');
    expect(apply.step).toBe(2);
    // A new greeting is not a follow-up.
    expect(parseRequest('hello', NOW, prev).intents).toEqual(['greeting']);
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

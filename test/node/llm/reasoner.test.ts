import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numbersIn, phrase, usesOnlyFactNumbers } from '../../../durable-objects/agents/reasoner';
import type { ChatResult } from '../../../durable-objects/llm/types';
import { startFakeLlm, type FakeLlm } from '../../support/fake-llm';

const FACTS = 'Found 2 savings worth $1,234.50/month on $9,876.00/month of spend.\n1. Prompt caching (rag-answer): $800.25/month, high confidence.';

describe('number guard', () => {
  it('normalises numbers and accepts only those of the facts', () => {
    expect([...numbersIn('$1,234.50 and 800.25 and 2')].sort()).toEqual(['1234.5', '2', '800.25']);
    expect(usesOnlyFactNumbers('You can save $1,234.50 a month, mostly from caching ($800.25).', FACTS)).toBe(true);
    expect(usesOnlyFactNumbers('You can save $2,000 a month.', FACTS)).toBe(false);
    // labels and model names are not figures; a figure right after a word still is
    expect([...numbersIn('p95 of gpt-4o and claude-sonnet-4-5 is 1,200 ms (-20%)')].sort()).toEqual(['1200', '20']);
    expect(usesOnlyFactNumbers('The p99 of gpt-4o rose.', FACTS)).toBe(true);
    expect(usesOnlyFactNumbers('Save $2,000 on gpt-4o.', FACTS)).toBe(false);
  });
});

describe('phrasing', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm();
  });
  afterAll(() => fake.close());

  it('without a key: the offline text, no LLM call', async () => {
    const calls: ChatResult[] = [];
    expect(await phrase({}, FACTS, (c) => calls.push(c))).toEqual({ text: FACTS, by: 'offline' });
    expect(calls).toHaveLength(0);
  });

  it('with a key: the LLM rephrasing when it adds no number, metered', async () => {
    fake.reply = 'Most of the $1,234.50/month comes from prompt caching on rag-answer.';
    const calls: ChatResult[] = [];
    const out = await phrase({ OPENAI_API_KEY: fake.key, OPENAI_BASE_URL: `${fake.url}/v1` }, FACTS, (c) => calls.push(c));
    expect(out).toMatchObject({ text: fake.reply, by: 'llm' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ provider: 'openai', input_tokens: 42 });
  });

  it('with a key: an invented figure is dropped for the offline text (the call is still metered)', async () => {
    fake.reply = 'You could save $5,000 per month by switching everything.';
    const calls: ChatResult[] = [];
    const out = await phrase({ ANTHROPIC_API_KEY: fake.key, ANTHROPIC_BASE_URL: fake.url }, FACTS, (c) => calls.push(c));
    expect(out).toEqual({ text: FACTS, by: 'offline' });
    expect(calls).toHaveLength(1);
  });

  it('with a key: a rephrasing that loses a figure of the lead is not used (the lead is the answer)', async () => {
    const lead = 'Found 2 savings worth $1,234.50/month on $9,876.00/month of spend.';
    fake.reply = 'Most of the $1,234.50/month comes from prompt caching on rag-answer.';
    const out = await phrase({ OPENAI_API_KEY: fake.key, OPENAI_BASE_URL: `${fake.url}/v1` }, FACTS, () => {}, lead);
    expect(out).toEqual({ text: FACTS, by: 'offline' });
    fake.reply = 'You spend $9,876.00/month and 2 savings cut $1,234.50/month, mostly prompt caching on rag-answer.';
    expect(await phrase({ OPENAI_API_KEY: fake.key, OPENAI_BASE_URL: `${fake.url}/v1` }, FACTS, () => {}, lead)).toMatchObject({ text: fake.reply, by: 'llm' });
  });

  it('a provider outage falls back to the offline text', async () => {
    fake.failNext(2, 503);
    const out = await phrase({ GEMINI_API_KEY: fake.key, GEMINI_BASE_URL: fake.url }, FACTS, () => {});
    expect(out).toEqual({ text: FACTS, by: 'offline' });
  });
});

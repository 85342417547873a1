// The question set: each question through the offline agent (request → plan → tools → answer) over a
// demo-like workload and a generated one. For each: the parsed request, which tools ran, and that the first
// sentence holds the figure that answers it — that figure computed here by plain loops over the generated
// calls, never by the agent's own functions.
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../engine/catalog/index.js';
import type { PlanStep } from '../../../engine/agent/actions.js';
import { actionPlanFor, executePlan } from '../../../engine/agent/run.js';
import { composeAnswer, firstSentence } from '../../../engine/agent/answer.js';
import { planTools } from '../../../engine/agent/plan.js';
import { parseRequest, type AgentRequest } from '../../../engine/agent/request.js';
import { buildProfile } from '../../../engine/profile/reference.js';
import { generateWorkload } from '../../../engine/synthetic/index.js';
import type { LlmCall } from '../../../engine/telemetry/record.js';

const DAY = 86_400_000;
const money = (nano: number) => `$${(Math.round(nano / 1e7) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const msText = (n: number) => `${n.toLocaleString('en-US')} ms`;

/** Nearest-rank p-th percentile (p in 0..1) of plain numbers. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

const sum = (calls: LlmCall[]) => calls.reduce((n, c) => n + (c.cost_nanousd ?? 0), 0);
const inWindow = (calls: LlmCall[], from: number, to: number) => calls.filter((c) => c.timestamp >= from && c.timestamp < to);

interface Run {
  request: AgentRequest;
  tools: string[];
  lead: string;
  text: string;
  steps: PlanStep[];
  policyModels: string[];
  /** The features the plan's gateway rules route away. */
  policyFeatures: string[];
}

/** The offline agent as the DO runs it: anchor = latest call, window = the request's (or the spend-change default). */
async function ask(calls: LlmCall[], message: string, previous: AgentRequest | null = null): Promise<Run> {
  const first = calls[0]!.timestamp;
  const last = calls.at(-1)!.timestamp;
  // as the DO does: the org's feature names (db/coverage.ts) let a message name one bare
  const request = parseRequest(message, last, previous, [...new Set(calls.map((c) => c.feature ?? '').filter(Boolean))].sort());
  let window = request.scope.window ? { from: Math.max(first, request.scope.window.from), to: Math.min(last + 1, request.scope.window.to) } : { from: first, to: last + 1 };
  // a spend change or a latency trend with no window: the last 7 days against the 7 before
  if ((request.intents.includes('spend_change') || request.trend) && !request.scope.window) window = { from: last + 1 - 7 * DAY, to: last + 1 };
  const len = window.to - window.from;
  const profile = buildProfile(calls, window);
  const prev = buildProfile(calls, { from: window.from - len, to: window.from });
  const features = [...new Set(profile.segments.map((s) => s.feature).filter(Boolean))];
  const plan = planTools(request, features);
  const tools: string[] = [];
  const out = await executePlan(plan, { profile, previous: prev }, async (call, execute) => {
    tools.push(call.tool);
    return execute();
  });
  const actions = actionPlanFor(request, out, profile);
  const answer = composeAnswer(request, out, actions);
  return {
    request,
    tools,
    lead: firstSentence(answer.text),
    text: answer.text,
    steps: actions?.steps ?? [],
    policyModels: (actions?.policy?.rules ?? []).filter((r) => r.route_to).map((r) => r.match.model ?? '*'),
    policyFeatures: (actions?.policy?.rules ?? []).filter((r) => r.route_to).map((r) => r.match.feature ?? '*'),
  };
}

const START = Date.UTC(2026, 10, 1);
const demo = generateWorkload({ seed: 42, calls: 8000, days: 14, start: START }).calls;
const generated = generateWorkload({ seed: 7, calls: 4000, days: 7, start: START, plants: ['batch_eligible', 'model_downgrade', 'exact_duplicates'] }).calls;
const LAST = demo.at(-1)!.timestamp;
const utcDay = (t: number) => Math.floor(t / DAY) * DAY;

/** The spend of `calls` per month over the observed span of `window` (all of `calls` by default): first to last clock hour with calls, whole hours, at least a day. */
const monthly = (calls: LlmCall[], window: LlmCall[] = calls) => {
  const HOUR = 3_600_000;
  const span = Math.floor(window.at(-1)!.timestamp / HOUR) * HOUR + HOUR - Math.floor(window[0]!.timestamp / HOUR) * HOUR;
  const days = Math.max(1, span / DAY);
  return `$${(Math.round((sum(calls) * 30) / days / 1e7) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}/month of spend`;
};

describe('question set: greetings and product questions run no analysis tool', () => {
  for (const q of ['hello', 'help', 'What can you do?']) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents).toEqual(['greeting']);
      expect(r.tools).toEqual([]);
      expect(r.lead).toMatch(/^Hi, I analyse/);
      expect(r.text).toContain('Why did our LLM bill go up this month?');
    });
  }
  for (const q of ['How do I send data?', 'How can we ingest our LiteLLM logs?']) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents[0]).toBe('send_data');
      expect(r.tools).toEqual([]);
      expect(r.lead).toContain('POST /api/ingest/calls');
      expect(r.text).toContain('curl -X POST');
    });
  }
});

describe('question set: where the money goes', () => {
  it('Where does our money go?', async () => {
    const r = await ask(demo, 'Where does our money go?');
    expect(r.request.intents).toEqual(['spend_breakdown']);
    expect(r.tools).toEqual(['spend_breakdown']);
    expect(r.lead).toContain(`You spent ${money(sum(demo))} on ${demo.length.toLocaleString('en-US')} calls`);
    const bySeg = new Map<string, number>();
    for (const c of demo) bySeg.set(`feature ${c.feature} on ${c.provider}/${c.model}`, (bySeg.get(`feature ${c.feature} on ${c.provider}/${c.model}`) ?? 0) + (c.cost_nanousd ?? 0));
    const [top, cost] = [...bySeg].sort((a, b) => b[1] - a[1])[0]!;
    expect(r.lead).toContain(`${top}: ${money(cost)}`);
  });

  for (const [q, phrase, from, to] of [
    ['How much did we spend last week?', 'last week', LAST + 1 - 7 * DAY, LAST + 1],
    ['How much did we spend yesterday?', 'yesterday', utcDay(LAST) - DAY, utcDay(LAST)],
    ['How much did we spend last 3 days?', 'last 3 days', LAST + 1 - 3 * DAY, LAST + 1],
    ['Where did the money go in November?', 'in november', START, LAST + 1],
  ] as const) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents).toEqual(['spend_breakdown']);
      expect(r.request.scope.window).toMatchObject({ phrase });
      expect(r.tools).toEqual(['spend_breakdown']);
      expect(r.lead).toContain(`You spent ${money(sum(inWindow(demo, from, to)))} on ${inWindow(demo, from, to).length.toLocaleString('en-US')} calls`);
    });
  }

  it('Break down spend for the summarize feature', async () => {
    const r = await ask(demo, 'Break down spend for the summarize feature');
    expect(r.request.scope.features).toEqual(['summarize']);
    expect(r.tools).toEqual(['spend_breakdown']);
    // what it cost, its share, and what one call costs and carries, by plain loops
    const calls = demo.filter((c) => c.feature === 'summarize');
    const share = Math.round((sum(calls) / sum(demo)) * 10_000) / 100;
    const perCall = Number((sum(calls) / calls.length / 1e9).toPrecision(3));
    const avg = (f: (c: LlmCall) => number) => Math.round(calls.reduce((n, c) => n + f(c), 0) / calls.length).toLocaleString('en-US');
    expect(r.lead).toContain(`Feature summarize cost ${money(sum(calls))} on ${calls.length.toLocaleString('en-US')} calls over 14.0 days (`);
    expect(r.lead).toContain(`, ${share}% of all spend): $${perCall} per call, ${avg((c) => c.input_tokens)} input and ${avg((c) => c.output_tokens)} output tokens per call on average`);
  });
});

describe('question set: spend per end user', () => {
  // Spend per user by a plain loop, costliest first (ties by user id).
  const byUser = (calls: LlmCall[]) => {
    const m = new Map<string, { calls: number; cost: number }>();
    for (const c of calls) {
      if (!c.user) continue;
      const u = m.get(c.user) ?? { calls: 0, cost: 0 };
      u.calls++;
      u.cost += c.cost_nanousd ?? 0;
      m.set(c.user, u);
    }
    return [...m].sort((a, b) => b[1].cost - a[1].cost || (a[0] < b[0] ? -1 : 1));
  };
  const ranked = byUser(demo);

  it('Which users cost the most?', async () => {
    const r = await ask(demo, 'Which users cost the most?');
    expect(r.request.intents[0]).toBe('user_spend');
    expect(r.tools).toEqual(['user_spend']);
    const [user, u] = ranked[0]!;
    expect(r.lead).toBe(`Your costliest user is ${user}: ${money(u.cost)} on ${u.calls.toLocaleString('en-US')} calls (${Math.round((u.cost / sum(demo)) * 10_000) / 100}% of spend) over 14.0 days, of ${ranked.length.toLocaleString('en-US')} users.`);
  });

  it('How much does user X spend? (a listed user, then one outside the costliest kept)', async () => {
    const [third, u] = ranked[2]!;
    const r = await ask(demo, `How much does user ${third} spend?`);
    expect(r.request.scope.users).toEqual([third]);
    expect(r.lead).toContain(`User ${third} spent ${money(u.cost)} on ${u.calls.toLocaleString('en-US')} calls`);
    expect(ranked.length).toBeGreaterThan(25);
    const [far] = ranked[25]!;
    const outside = await ask(demo, `How much does user ${far} spend?`);
    // The profile keeps the 20 costliest users: the 20th's spend bounds every user below it.
    expect(outside.lead).toBe(`User ${far} is not among your 20 costliest users, so ${far} spent at most ${money(ranked[19]![1].cost)} over the window.`);
  });

  it('a workload whose calls name no user says so instead of guessing', async () => {
    const anonymous = demo.map(({ user: _user, ...c }) => c);
    const r = await ask(anonymous, 'Which users cost the most?');
    expect(r.lead).toMatch(/^None of the calls in this window names an end user/);
    expect(r.text).not.toMatch(/\$\d/);
  });
});

describe('question set: why spend changed', () => {
  const change = (from: number, to: number) => {
    const len = to - from;
    return { after: sum(inWindow(demo, from, to)), before: sum(inWindow(demo, from - len, from)) };
  };
  for (const [q, from, to] of [
    ['Why did our LLM bill go up last week?', LAST + 1 - 7 * DAY, LAST + 1],
    ['Why did our costs spike yesterday?', utcDay(LAST) - DAY, utcDay(LAST)],
    ['Why did spend go up since the 10th?', Date.UTC(2026, 10, 10), LAST + 1],
    ['Why did our bill double?', LAST + 1 - 7 * DAY, LAST + 1],
  ] as const) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents[0]).toBe('spend_change');
      expect(r.tools).toEqual(['spend_change', 'cost_anomalies']);
      const { before, after } = change(from, to);
      expect(r.lead).toMatch(/^Spend (rose|fell)/);
      expect(r.lead).toContain(`from ${money(before)}`);
      expect(r.lead).toContain(`to ${money(after)}`);
    });
  }
});

describe('question set: latency', () => {
  const slowest = (calls: LlmCall[], key: (c: LlmCall) => string) => {
    const groups = new Map<string, number[]>();
    for (const c of calls) if (c.status === 'ok' && c.latency_ms !== null) groups.set(key(c), [...(groups.get(key(c)) ?? []), c.latency_ms]);
    return [...groups].map(([k, v]) => ({ k, p95: percentile(v, 0.95) })).sort((a, b) => b.p95 - a.p95)[0]!;
  };

  it('What are our p95 latencies by model, and how do we lower them?', async () => {
    const r = await ask(demo, 'What are our p95 latencies by model, and how do we lower them?');
    expect(r.request.intents[0]).toBe('latency');
    expect(r.tools).toEqual(['latency_table', 'latency_levers']);
    const s = slowest(demo, (c) => `${c.provider}/${c.model}`);
    expect(r.lead).toContain(`The slowest at p95 is ${s.k} at ${msText(s.p95)}`);
  });

  for (const [q, feature] of [
    ['Our support chat feels slow, what should we change?', 'support-bot'],
    ['Why is the summarize feature slow?', 'summarize'],
    ['Get p95 under 2s for the chat feature', 'chat'],
  ] as const) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents[0]).toBe('latency');
      expect(r.tools).toEqual(['latency_table', 'latency_levers']);
      const s = slowest(demo.filter((c) => c.feature === feature), (c) => `feature ${c.feature} on ${c.provider}/${c.model}`);
      // one segment in scope: its p95 stated, not "the slowest"
      expect(r.lead).toContain(`The p95 latency of ${s.k} is ${msText(s.p95)}`);
      // Every lever listed is about this feature, or model-wide on a model this feature calls: never another
      // feature's or untagged calls' lever on a model the feature does not use.
      const models = new Set(demo.filter((c) => c.feature === feature).map((c) => `${c.provider}/${c.model}`));
      const levers = r.text.split('\n').filter((l) => /^\d+\. /.test(l));
      for (const line of levers) {
        const where = /\(([^)]*)\):/.exec(line)?.[1] ?? '';
        if (where.includes('feature ')) expect(where, line).toContain(`feature ${feature}`);
        else expect([...models].some((m) => where.includes(m)) || where === 'all calls', line).toBe(true);
      }
      if (levers.length === 0) expect(r.text).toContain(`No latency lever was found for feature ${feature}`);
    });
  }

  it('reads a p95 target', async () => {
    const r = await ask(demo, 'Get p95 under 2s for the chat feature');
    expect(r.request.targets.p95_ms).toBe(2000);
  });

  it('Is gpt-4.1-mini slow? show p99 latency', async () => {
    const r = await ask(demo, 'Is gpt-4.1-mini slow? show p99 latency');
    expect(r.request.scope.models).toEqual(['gpt-4.1-mini']);
    expect(r.tools).toEqual(['latency_table', 'latency_levers']);
    const s = slowest(demo.filter((c) => c.model === 'gpt-4.1-mini'), (c) => `${c.provider}/${c.model}`);
    expect(r.lead).toContain(`The p95 latency of ${s.k} is ${msText(s.p95)}`);
  });
});

describe('question set: is latency getting worse', () => {
  /** Nearest-rank percentile of the ok calls' latencies per provider/model in [from, to). */
  const perModel = (from: number, to: number, p: number) => {
    const by = new Map<string, number[]>();
    for (const c of inWindow(demo, from, to)) {
      if (c.status !== 'ok' || c.latency_ms == null) continue;
      const k = `${c.provider}/${c.model}`;
      by.set(k, [...(by.get(k) ?? []), c.latency_ms]);
    }
    return new Map([...by].map(([k, xs]) => [k, percentile(xs, p)]));
  };

  it('Is our p99 latency getting worse? — p99 per model, the last 7 days against the 7 before', async () => {
    const r = await ask(demo, 'Is our p99 latency getting worse?');
    expect(r.request).toMatchObject({ intents: ['latency'], trend: true, percentile: 'p99' });
    expect(r.tools).toEqual(['latency_change', 'latency_table', 'latency_levers']);
    const end = LAST + 1;
    const now = perModel(end - 7 * DAY, end, 0.99);
    const before = perModel(end - 14 * DAY, end - 7 * DAY, 0.99);
    let rose = 0;
    let fell = 0;
    let top: { k: string; a: number; b: number; rel: number } | null = null;
    for (const [k, b] of now) {
      const a = before.get(k);
      if (a === undefined) continue;
      if (b > a) rose++;
      if (b < a) fell++;
      const rel = Math.abs(b - a) / a;
      if (!top || rel > top.rel || (rel === top.rel && k.split('/')[1]! < top.k.split('/')[1]!)) top = { k, a, b, rel };
    }
    const both = [...now.keys()].filter((k) => before.has(k)).length;
    expect(r.lead).toContain(`p99 latency rose on ${rose} of ${both} models and fell on ${fell}`);
    expect(r.lead).toContain(`the largest change is ${top!.k}: ${msText(top!.a)} → ${msText(top!.b)}`);
  });

  it('without a trend word the latency answer is the current table, with no comparison', async () => {
    const r = await ask(demo, 'What is our p99 latency?');
    expect(r.request.trend).toBe(false);
    expect(r.tools).toEqual(['latency_table', 'latency_levers']);
  });
});

describe('question set: errors per feature, top users', () => {
  it('Which feature has the most errors? — error rates per feature', async () => {
    const r = await ask(demo, 'Which feature has the most errors?');
    expect(r.request.intents[0]).toBe('errors');
    const by = new Map<string, { calls: number; failed: number }>();
    for (const c of demo) {
      const g = by.get(c.feature ?? '') ?? { calls: 0, failed: 0 };
      g.calls++;
      if (c.status !== 'ok') g.failed++;
      by.set(c.feature ?? '', g);
    }
    const [name, worst] = [...by].filter(([, g]) => g.failed > 0).sort((a, b) => b[1].failed / b[1].calls - a[1].failed / a[1].calls || b[1].failed - a[1].failed)[0]!;
    expect(r.lead).toContain(`the highest error rate is feature ${name} at ${Math.round((worst.failed / worst.calls) * 10000) / 100}% (${worst.failed} of ${worst.calls})`);
  });

  it('Who are our top 5 users? — the costliest end user', async () => {
    const r = await ask(demo, 'Who are our top 5 users?');
    expect(r.tools).toEqual(['user_spend']);
    const by = new Map<string, number>();
    for (const c of demo) if (c.user) by.set(c.user, (by.get(c.user) ?? 0) + (c.cost_nanousd ?? 0));
    const [user, cost] = [...by].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    expect(r.lead).toContain(`Your costliest user is ${user}: ${money(cost)}`);
  });
});

describe('question set: a feature left out, follow-ups', () => {
  it('what do we spend excluding doc-qa? — every call but doc-qa’s', async () => {
    const r = await ask(demo, 'what do we spend excluding doc-qa?');
    expect(r.request.scope.exclude_features).toEqual(['doc-qa']);
    const rest = demo.filter((c) => c.feature !== 'doc-qa');
    expect(r.lead).toContain(`You spent ${money(sum(rest))} on ${rest.length.toLocaleString('en-US')} calls`);
    expect(r.text).not.toContain('feature doc-qa');
  });

  it('what is our p95 latency excluding doc-qa? — the latency rows leave doc-qa out', async () => {
    const r = await ask(demo, 'what is our p95 latency excluding doc-qa?');
    expect(r.tools[0]).toBe('latency_table');
    expect(r.text).not.toContain('feature doc-qa');
    expect(r.text).toContain('feature chat');
  });

  it('what do we spend excluding anthropic? — every call but Anthropic’s', async () => {
    const r = await ask(demo, 'what do we spend excluding anthropic?');
    const rest = demo.filter((c) => c.provider !== 'anthropic');
    expect(r.lead).toContain(`You spent ${money(sum(rest))} on ${rest.length.toLocaleString('en-US')} calls`);
  });

  it('"and now including everything?" drops the exclusion', async () => {
    const prev = await ask(demo, 'what do we spend excluding doc-qa?');
    const r = await ask(demo, 'and now including everything?', prev.request);
    expect(r.request.scope.exclude_features).toEqual([]);
    expect(r.lead).toContain(`You spent ${money(sum(demo))}`);
  });

  it('"which model is slowest there?" keeps the previous question’s feature and window', async () => {
    const prev = await ask(demo, 'What did we spend on doc-qa last week?');
    const r = await ask(demo, 'which model is slowest there?', prev.request);
    expect(r.request).toMatchObject({ follow_up: true, intents: ['latency'], scope: { features: ['doc-qa'], window: { phrase: 'last week' } } });
  });

  it('"what about p50?" after a p99 trend question is the p50 trend', async () => {
    const prev = await ask(demo, 'Is our p99 latency getting worse?');
    const r = await ask(demo, 'what about p50?', prev.request);
    expect(r.request).toMatchObject({ follow_up: true, trend: true, percentile: 'p50' });
    expect(r.lead).toMatch(/^p50 latency rose on \d+ of \d+ models/);
  });
});

describe('question set: tokens and cost per call', () => {
  it('How many tokens did we use yesterday? — the tokens of yesterday’s calls lead', async () => {
    const r = await ask(demo, 'How many tokens did we use yesterday?');
    expect(r.request.measure).toBe('tokens');
    const y = inWindow(demo, utcDay(LAST) - DAY, utcDay(LAST));
    let input = 0;
    let output = 0;
    for (const c of y) {
      input += c.input_tokens;
      output += c.output_tokens;
    }
    expect(r.lead).toContain(`You used ${(input + output).toLocaleString('en-US')} tokens yesterday: ${input.toLocaleString('en-US')} input and ${output.toLocaleString('en-US')} output, on ${y.length.toLocaleString('en-US')} calls costing ${money(sum(y))}`);
  });

  it('what is our average cost per request — spend over calls', async () => {
    const r = await ask(demo, 'what is our average cost per request');
    expect(r.request.measure).toBe('per_call');
    const total = sum(demo);
    expect(r.lead).toContain(`(${money(total)} over ${demo.length.toLocaleString('en-US')} calls`);
    // the figure itself, to the 3 significant digits the answer prints
    const perCall = Number(/costs \$([\d.]+)/.exec(r.lead)![1]);
    expect(Math.abs(perCall - total / 1e9 / demo.length) / (total / 1e9 / demo.length)).toBeLessThan(0.005);
  });
});

describe('question set: one provider named', () => {
  it('What do we spend on openai? — only the openai calls', async () => {
    const r = await ask(demo, 'What do we spend on openai?');
    expect(r.request.scope.providers).toEqual(['openai']);
    const openai = demo.filter((c) => c.provider === 'openai');
    expect(r.lead).toContain(`You spent ${money(sum(openai))} on ${openai.length.toLocaleString('en-US')} calls`);
    expect(r.text).not.toContain('anthropic/');
  });

  it('are we overpaying for claude? — every step of the plan is on Anthropic calls', async () => {
    const r = await ask(demo, 'are we overpaying for claude?');
    expect(r.request.scope.providers).toEqual(['anthropic']);
    expect(r.steps.length).toBeGreaterThan(0);
    const anthropicModels = new Set(demo.filter((c) => c.provider === 'anthropic').map((c) => c.model));
    for (const step of r.steps) expect(step.where.provider === 'anthropic' || anthropicModels.has(step.where.model ?? ''), JSON.stringify(step.where)).toBe(true);
    // the share is of the Anthropic calls' spend, per month over the observed span
    expect(r.lead).toContain(`of ${monthly(demo.filter((c) => c.provider === 'anthropic'), demo)}`);
  });

  it('compare anthropic and openai costs — their spend side by side, the costlier first', async () => {
    const r = await ask(demo, 'compare anthropic and openai costs');
    expect(r.tools).toEqual(['spend_breakdown']);
    const a = sum(demo.filter((c) => c.provider === 'anthropic'));
    const o = sum(demo.filter((c) => c.provider === 'openai'));
    const [top, spend] = a >= o ? ['anthropic', a] : ['openai', o];
    expect(r.lead).toContain(`Your costliest provider is ${top}: ${money(spend)}`);
  });

  it('What if we moved the anthropic calls to gpt-5-mini? — the Anthropic calls, counted here', async () => {
    const r = await ask(demo, 'What if we moved the anthropic calls to gpt-5-mini?');
    const anthropic = demo.filter((c) => c.provider === 'anthropic');
    expect(r.lead).toContain(`Moving all of the anthropic calls (${anthropic.length.toLocaleString('en-US')} calls) to openai/gpt-5-mini`);
    expect(r.lead).toContain(`instead of ${money(sum(anthropic))}`);
  });
});

describe('question set: what-if', () => {
  const scoped = (pred: (c: LlmCall) => boolean) => {
    const calls = demo.filter(pred);
    return `(${calls.length.toLocaleString('en-US')} calls)`;
  };
  it('What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?', async () => {
    const r = await ask(demo, 'What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?');
    expect(r.request.intents[0]).toBe('what_if');
    expect(r.request.change).toEqual({ from_model: 'claude-sonnet-4-5', to_model: 'gpt-5-mini' });
    expect(r.tools).toEqual(['what_if']);
    expect(r.lead).toContain(`Moving all of claude-sonnet-4-5 ${scoped((c) => c.model === 'claude-sonnet-4-5')} to openai/gpt-5-mini`);
    expect(r.lead).toContain(`instead of ${money(sum(demo.filter((c) => c.model === 'claude-sonnet-4-5')))}`);
  });

  it('What if we moved half of claude-sonnet-4-5 to gpt-5-mini?', async () => {
    const all = await ask(demo, 'What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?');
    const r = await ask(demo, 'What if we moved half of claude-sonnet-4-5 to gpt-5-mini?');
    expect(r.request.scope.share).toBe(0.5);
    expect(r.lead).toContain('Moving half of claude-sonnet-4-5');
    // Half the traffic moved: the saving is half of moving all of it (to the cent).
    const saving = (t: string) => Number(/\$([\d,.]+)\/month less/.exec(t)![1]!.replace(/,/g, ''));
    expect(Math.abs(saving(r.lead) - saving(all.lead) / 2), `${all.lead} | ${r.lead}`).toBeLessThanOrEqual(0.01);
  });

  it('What if the summarize feature moves to gpt-4o-mini?', async () => {
    const r = await ask(demo, 'What if the summarize feature moves to gpt-4o-mini?');
    expect(r.request.scope.features).toEqual(['summarize']);
    expect(r.request.change.to_model).toBe('gpt-4o-mini');
    expect(r.lead).toContain(`feature summarize ${scoped((c) => c.feature === 'summarize')}`);
    expect(r.lead).toContain(`instead of ${money(sum(demo.filter((c) => c.feature === 'summarize')))}`);
  });

  // "Good enough" as far as it can be measured: LMArena scores published 2025-02-27 (gpt-4o 1265.1 and gpt-4o-mini
  // 1272.4: mid tier, 1250–1325; Llama 3.1 8B 1175.7: small; gpt-5-mini unrated) and the 128k context of each.
  const classifyP99 = () => percentile(demo.filter((c) => c.feature === 'classify' && c.status === 'ok').map((c) => c.input_tokens), 0.99);
  it('Is gpt-4o-mini good enough for classify? — same measured tier, the prompts fit, then the cost', async () => {
    const r = await ask(demo, 'Is gpt-4o-mini good enough for classify?');
    expect(r.request.intents[0]).toBe('what_if');
    expect(r.request.constraints.quality_must_not_drop).toBe(true);
    expect(r.lead).toContain('By measured capability on LMArena (2025-02-27), openai/gpt-4o-mini (mid tier, 1272) is at the same or a higher tier than openai/gpt-4o (mid tier, 1265)');
    expect(r.lead).toContain(`its 128,000-token context holds the largest p99 prompt moved (${classifyP99().toLocaleString('en-US')} tokens)`);
    expect(r.text).toContain(`instead of ${money(sum(demo.filter((c) => c.feature === 'classify')))}`);
  });

  it('Is llama-3.1-8b-instant good enough for classify? — measured below: quality may drop', async () => {
    const r = await ask(demo, 'Is llama-3.1-8b-instant good enough for classify?');
    expect(r.lead).toContain('groq/llama-3.1-8b-instant (small tier, 1176) is below openai/gpt-4o (mid tier, 1265)');
    expect(r.lead).toContain('quality may drop');
  });

  it('Is gpt-5-mini good enough for classify? — unrated: no claim that quality holds', async () => {
    const r = await ask(demo, 'Is gpt-5-mini good enough for classify?');
    expect(r.lead).toContain('Capability cannot be compared: openai/gpt-5-mini is not rated on a pinned benchmark, so I cannot say the change keeps quality');
    expect(r.lead).not.toContain('same or a higher tier');
  });

  it('a plain what-if keeps the cost first and the capability among the actions', async () => {
    const r = await ask(demo, 'What if the classify feature moves to gpt-4o-mini?');
    expect(r.lead).toMatch(/^Moving all of feature classify/);
    expect(r.text).toContain('By measured capability on LMArena');
  });

  it('follow-up: "what about only half of it?" reuses the previous scope', async () => {
    const prev = await ask(demo, 'What if we moved everything from claude-sonnet-4-5 to gpt-5-mini?');
    const r = await ask(demo, 'what about only half of it?', prev.request);
    expect(r.request.follow_up).toBe(true);
    expect(r.request.intents[0]).toBe('what_if');
    expect(r.request.change).toEqual({ from_model: 'claude-sonnet-4-5', to_model: 'gpt-5-mini' });
    expect(r.lead).toContain(`Moving half of claude-sonnet-4-5 ${scoped((c) => c.model === 'claude-sonnet-4-5')}`);
  });
});

describe('question set: catalog and comparison', () => {
  const cheapest = (minContext: number) =>
    CATALOG.filter((m) => m.tier !== 'embedding' && m.context_window >= minContext).reduce((best, m) => {
      const price = m.input_per_m + m.output_per_m;
      const bestPrice = best.input_per_m + best.output_per_m;
      return price < bestPrice || (price === bestPrice && m.id < best.id) ? m : best;
    });
  for (const [q, ctx] of [
    ['Cheapest model with at least 128k context and tool use?', 128_000],
    ['Which model has a 1m context window and is cheapest?', 1_000_000],
  ] as const) {
    it(q, async () => {
      const r = await ask(demo, q);
      expect(r.request.intents[0]).toBe('catalog');
      expect(r.request.catalog.min_context).toBe(ctx);
      expect(r.tools).toEqual(['catalog_search']);
      const m = cheapest(ctx);
      expect(r.lead).toContain(`is ${m.provider}/${m.id} at $${m.input_per_m.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} per million input tokens`);
    });
  }

  it('What does gpt-4o cost vs claude-sonnet-4-5 for our traffic?', async () => {
    const r = await ask(demo, 'What does gpt-4o cost vs claude-sonnet-4-5 for our traffic?');
    expect(r.request.intents[0]).toBe('compare_models');
    expect(r.tools).toEqual(['compare_models']);
    expect(r.lead).toMatch(/openai\/gpt-4o would cost \$[\d,.]+\/month and anthropic\/claude-sonnet-4-5 would cost \$[\d,.]+\/month/);
  });
});

describe('question set: cutting cost, targets and constraints', () => {
  it('Cut our costs by 30%', async () => {
    const r = await ask(demo, 'Cut our costs by 30%');
    expect(r.request.intents[0]).toBe('cut_cost');
    expect(r.request.targets.cut_pct).toBe(30);
    expect(r.tools).toEqual(['spend_breakdown', 'optimizer']);
    expect(r.lead).toContain(monthly(demo));
    expect(r.lead).toContain('30% target');
  });

  it('Cut our costs by 30% but keep gpt-4o: no step and no gateway rule moves gpt-4o traffic', async () => {
    const free = await ask(demo, 'Cut our costs by 30%');
    const r = await ask(demo, 'Cut our costs by 30% but keep gpt-4o');
    expect(r.request.constraints.keep_models).toEqual(['gpt-4o']);
    expect(r.lead).toContain(monthly(demo));
    const moves = new Set(['model_downgrade', 'provider_switch', 'routing_policy', 'fallback_chains']);
    expect(r.steps.filter((s) => moves.has(s.tool) && s.where.model === 'gpt-4o')).toEqual([]);
    expect(r.policyModels).not.toContain('gpt-4o');
    // Without the constraint gpt-4o traffic would move: the constraint changed the plan.
    expect(free.steps.some((s) => moves.has(s.tool) && s.where.model === 'gpt-4o') || free.policyModels.includes('gpt-4o')).toBe(true);
  });

  it('Where can we save money without hurting quality?', async () => {
    const r = await ask(demo, 'Where can we save money without hurting quality?');
    expect(r.request.intents[0]).toBe('cut_cost');
    expect(r.request.constraints.quality_must_not_drop).toBe(true);
    expect(r.steps.some((s) => s.tool === 'model_downgrade')).toBe(false);
    expect(r.lead).toContain(monthly(demo));
  });

  it('Reduce spend by 20% and avoid anthropic', async () => {
    const r = await ask(demo, 'Reduce spend by 20% and avoid anthropic');
    expect(r.request.targets.cut_pct).toBe(20);
    expect(r.request.constraints.avoid_providers).toEqual(['anthropic']);
    expect(r.lead).toContain(monthly(demo));
  });

  it('Cut costs by 30% without adding latency: no step that adds latency (the batch API) is in the plan', async () => {
    const free = await ask(demo, 'Cut our costs by 30%');
    const r = await ask(demo, 'Cut our costs by 30% without adding latency');
    expect(r.request.constraints.latency_must_not_rise).toBe(true);
    expect(free.steps.some((s) => s.tool === 'batch_eligibility')).toBe(true);
    expect(r.steps.some((s) => s.tool === 'batch_eligibility')).toBe(false);
    expect(r.text).toContain('Send nightly-eval through the batch API (adds latency)');
  });

  it('A monthly budget below the spend is a cut target: the cut it needs, computed here', async () => {
    const r = await ask(demo, 'Keep our LLM bill under a budget of $35 a month');
    expect(r.request.targets.budget_usd_month).toBe(35);
    expect(r.request.intents[0]).toBe('cut_cost');
    const spend = Number(monthly(demo).slice(1).split('/')[0]!.replace(/,/g, ''));
    const needed = Math.round(((spend - 35) / spend) * 10_000) / 100;
    expect(r.lead).toContain(`the $35.00/month budget (a ${needed}% cut)`);
    // steps are taken until the cut is met, or all of them when it cannot be
    const last = r.steps.at(-1)!.cumulative_pct;
    expect(r.lead).toContain(last >= needed ? 'reach' : 'fall short of');
  });

  it('"Our budget is $N a month" is a budget, not a feature named "budget": the plan has steps toward it', async () => {
    const r = await ask(demo, 'Our budget is $35 a month, what should we do?');
    expect(r.request.scope.features).toEqual([]);
    expect(r.request.targets.budget_usd_month).toBe(35);
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.lead).not.toMatch(/^Found 0 /);
    expect(r.lead).toContain(`% of ${monthly(demo)})`);
  });

  it('A cost question scoped to one feature: savings and shares are of that feature’s spend', async () => {
    const r = await ask(demo, 'Cut the cost of the chat feature by 30%');
    expect(r.request.scope.features).toEqual(['chat']);
    // the feature's spend per month over the whole window's observed span
    expect(r.lead).toContain(`of ${monthly(demo.filter((c) => c.feature === 'chat'), demo)})`);
    for (const st of r.steps) expect([undefined, 'chat']).toContain(st.where.feature);
  });

  it('A feature the data does not have: nothing to cut, said plainly', async () => {
    const r = await ask(demo, 'Cut the cost of the teleport feature by 30%');
    expect(r.lead).toBe('No call of feature teleport is in this window, so there is nothing of it to cut.');
  });

  it('A monthly budget above the spend: the answer says it is already met', async () => {
    const r = await ask(demo, 'Our budget is $500 per month, where do we stand?');
    expect(r.request.targets.budget_usd_month).toBe(500);
    expect(r.lead.startsWith(`At ${monthly(demo).replace(' of spend', '')} you are already within the $500.00/month budget; found `)).toBe(true);
  });

  it('A p95 target puts the steps that also speed calls up first among equally safe ones', async () => {
    const r = await ask(demo, 'Cut our costs by 30% and keep p95 under 3000 ms');
    expect(r.request.targets.p95_ms).toBe(3000);
    const safe = (s: PlanStep) => s.confidence === 'high' && s.risk === 'low';
    const faster = (s: PlanStep) => (s.latency_effect_ms ?? 0) < 0;
    expect(r.steps.some(faster)).toBe(true);
    for (let i = 1; i < r.steps.length; i++) {
      const [a, b] = [r.steps[i - 1]!, r.steps[i]!];
      if (safe(a) === safe(b) && faster(b)) expect(faster(a), `${a.title} before ${b.title}`).toBe(true);
      expect(b.latency_effect_ms ?? 0).toBeLessThanOrEqual(0);
    }
  });

  it('follow-up: "apply the second one" answers with the previous plan’s second step', async () => {
    const prev = await ask(demo, 'Cut our costs by 30%');
    const request = parseRequest('apply the second one', LAST, prev.request);
    expect(request.intents[0]).toBe('apply_step');
    expect(request.step).toBe(2);
    expect(planTools(request, [])).toEqual([]);
    const plan = actionPlanFor(prev.request, await executePlan(planTools(prev.request, []), { profile: buildProfile(demo, { from: demo[0]!.timestamp, to: LAST + 1 }), previous: null }), buildProfile(demo, { from: demo[0]!.timestamp, to: LAST + 1 }))!;
    const answer = composeAnswer(request, {}, null, plan.steps);
    const second = prev.steps[1]!;
    expect(firstSentence(answer.text)).toMatch(new RegExp(`^Step 2 is ${second.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
  });

  it('follow-up: "apply the second one" after a latency answer means the second lever that answer listed', async () => {
    const prev = await ask(demo, 'What are our p95 latencies by model, and how do we lower them?');
    const listed = prev.text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const request = parseRequest('apply the second one', LAST, prev.request);
    const answer = composeAnswer(request, {}, null, prev.steps);
    const title = /^2\. (.*?) \(/.exec(listed[1]!)![1]!;
    expect(firstSentence(answer.text).startsWith(`Step 2 is ${title} (`)).toBe(true);
  });

  it('How much could prompt caching save us?', async () => {
    const r = await ask(generated, 'How much could prompt caching save us?');
    expect(r.request.intents[0]).toBe('caching');
    expect(r.tools).toEqual(['cache_tools']);
    expect(r.lead).toMatch(/^Caching could save up to \$[\d,.]+\/month/);
  });

  it('generated workload: Where can we save money?', async () => {
    const r = await ask(generated, 'Where can we save money?');
    expect(r.request.intents[0]).toBe('cut_cost');
    expect(r.tools).toEqual(['spend_breakdown', 'optimizer']);
    expect(r.lead).toContain(monthly(generated));
  });

  it('generated workload: Where does our money go?', async () => {
    const r = await ask(generated, 'Where does our money go?');
    expect(r.lead).toContain(`You spent ${money(sum(generated))} on ${generated.length.toLocaleString('en-US')} calls`);
  });

  it('follow-up: "and for latency?" keeps the previous scope', async () => {
    const prev = await ask(demo, 'Break down spend for the summarize feature');
    const r = await ask(demo, 'and for latency?', prev.request);
    expect(r.request.follow_up).toBe(true);
    expect(r.request.intents).toEqual(['latency']);
    expect(r.request.scope.features).toEqual(['summarize']);
    expect(r.tools).toEqual(['latency_table', 'latency_levers']);
    expect(r.lead).toContain('feature summarize on');
  });
});

describe('different questions, different answers', () => {
  it('the issue’s four questions get four different answers; the same question gets the same answer', async () => {
    const qs = ['Why did our LLM bill go up this month?', 'What are our p95 latencies by model, and how do we lower them?', 'Our support chat feels slow, what should we change?', 'hello'];
    const answers = await Promise.all(qs.map((q) => ask(demo, q)));
    expect(new Set(answers.map((a) => a.lead)).size).toBe(4);
    expect((await ask(demo, qs[0]!)).text).toBe(answers[0]!.text);
  });

  it('a 30 % cost target: the first step is the largest high-confidence, low-risk saving, ahead of larger riskier ones', async () => {
    // Big enough for high-confidence findings (≥ 1,000 affected calls): batch-eligible traffic is high/low,
    // the duplicates medium/low and larger.
    const big = generateWorkload({ seed: 7, calls: 60_000, days: 7, start: START, plants: ['batch_eligible', 'model_downgrade', 'exact_duplicates', 'retry_waste'] }).calls;
    const r = await ask(big, 'Cut our costs by 30%');
    const profile = buildProfile(big, { from: big[0]!.timestamp, to: big.at(-1)!.timestamp + 1 });
    const out = await executePlan([{ tool: 'optimizer', input: {} }], { profile, previous: null });
    const savings = out.optimizer!.findings.filter((f) => f.kind === 'saving' && f.saving_nanousd > 0);
    const safe = savings.filter((f) => f.confidence === 'high' && f.risk === 'low').sort((a, b) => b.saving_nanousd - a.saving_nanousd);
    expect(safe.length).toBeGreaterThan(0);
    expect(savings.some((f) => f.saving_nanousd > safe[0]!.saving_nanousd)).toBe(true);
    expect(r.steps[0]).toMatchObject({ tool: safe[0]!.tool, where: safe[0]!.where });
    // No safe saving is left out while a smaller one is in.
    const smallestIn = Math.min(...r.steps.map((s) => savings.find((f) => f.tool === s.tool && JSON.stringify(f.where) === JSON.stringify(s.where))!.saving_nanousd));
    for (const f of safe) if (f.saving_nanousd > smallestIn) expect(r.steps.some((s) => s.tool === f.tool && JSON.stringify(s.where) === JSON.stringify(f.where))).toBe(true);
  });
});

describe('question set: the costliest feature, a kept feature, repeated work', () => {
  const featureOf = (c: LlmCall) => c.feature ?? '';
  /** Spend per feature by a plain loop, costliest first. */
  const spendByFeature = (calls: LlmCall[]) => {
    const by = new Map<string, number>();
    for (const c of calls) by.set(featureOf(c), (by.get(featureOf(c)) ?? 0) + (c.cost_nanousd ?? 0));
    return [...by.entries()].sort((a, b) => b[1] - a[1]);
  };
  const MOVES = new Set(['model_downgrade', 'provider_switch', 'routing_policy', 'fallback_chains']);

  it('Which feature costs us the most, and what would cut it without touching quality?', async () => {
    const r = await ask(demo, 'Which feature costs us the most, and what would cut it without touching quality?');
    expect(r.request.intents.slice(0, 2)).toEqual(['spend_breakdown', 'cut_cost']);
    expect(r.request.scope.features).toEqual([]);
    expect(r.request.breakdown_by).toBe('feature');
    expect(r.request.constraints.quality_must_not_drop).toBe(true);
    const [top, topNamed] = [spendByFeature(demo)[0]!, spendByFeature(demo).find(([f]) => f !== '')!];
    const pctOfAll = (n: number) => Math.round((n / sum(demo)) * 10_000) / 100;
    if (top[0] !== '') expect(r.lead).toBe(`Your costliest feature is ${top[0]}: ${money(top[1])} (${pctOfAll(top[1])}% of ${money(sum(demo))} on ${demo.length.toLocaleString('en-US')} calls over 14.0 days (${monthly(demo).replace(' of spend', '')})).`);
    else expect(r.lead).toContain(`the costliest named feature is ${topNamed[0]} at ${money(topNamed[1])} (${pctOfAll(topNamed[1])}%)`);
    // "what would cut it": steps on that feature, or a plain statement that there are none.
    expect(r.text).toMatch(new RegExp(`To cut feature ${topNamed[0]} |No saving was found on feature ${topNamed[0]} `));
    expect(r.steps.some((s) => s.tool === 'model_downgrade')).toBe(false);
  });

  it('"without changing models for the X feature" keeps X on its models and leaves the budget org-wide', async () => {
    const free = await ask(demo, 'We have a hard budget of $10 a month. Can we get there?');
    const moved = free.steps.find((s) => MOVES.has(s.tool) && s.where.feature);
    expect(moved).toBeDefined();
    const kept = moved!.where.feature!;
    const r = await ask(demo, `We have a hard budget of $10 a month. Can we get there without changing models for the ${kept} feature?`);
    expect(r.request.constraints.keep_feature_models).toEqual([kept]);
    expect(r.request.scope.features).toEqual([]);
    expect(r.request.targets.budget_usd_month).toBe(10);
    // The budget is compared with the whole org's spend, computed here.
    expect(r.lead).toContain(monthly(demo));
    // No step and no gateway rule moves the kept feature's calls: not its own, not a model-wide move on a model it uses.
    const itsModels = new Set(demo.filter((c) => featureOf(c) === kept).map((c) => c.model));
    expect(r.steps.filter((s) => MOVES.has(s.tool) && (s.where.feature === kept || (!s.where.feature && s.where.model && itsModels.has(s.where.model))))).toEqual([]);
    expect(r.policyFeatures).not.toContain(kept);
    expect(free.policyFeatures).toContain(kept);
    expect(r.text).toContain(`keeps the models of feature ${kept}`);
  });

  /** Exact duplicates and retries by a plain loop, as LEVERS defines them: same provider/model/prompt within 24 h of an ok answer; attempt > 1 or the same prompt and user again ≤ 60 s after a failure. */
  function repeatedWork(calls: LlmCall[]) {
    const sorted = [...calls].sort((a, b) => a.timestamp - b.timestamp || (a.request_id < b.request_id ? -1 : 1));
    const lastOk = new Map<string, number>();
    const lastCall = new Map<string, LlmCall>();
    let dups = 0;
    let dupCost = 0;
    let retries = 0;
    for (const c of sorted) {
      const ok = c.status === 'ok';
      if (c.prompt_hash) {
        const k = `${c.provider}|${c.model}|${c.prompt_hash}`;
        const prev = lastOk.get(k);
        if (ok && prev !== undefined && c.timestamp - prev <= DAY) {
          dups++;
          dupCost += c.cost_nanousd ?? 0;
        }
        if (ok) lastOk.set(k, c.timestamp);
      }
      const rk = `${c.prompt_hash}|${c.user ?? ''}`;
      const before = c.prompt_hash ? lastCall.get(rk) : undefined;
      if (c.attempt > 1 || (before && before.status !== 'ok' && c.timestamp - before.timestamp <= 60_000)) retries++;
      if (c.prompt_hash) lastCall.set(rk, c);
    }
    return { dups, dupCost, retries };
  }

  it('Are there any retry storms or duplicate calls wasting money? — the counts and cost, computed here', async () => {
    const r = await ask(generated, 'Are there any retry storms or duplicate calls wasting money?');
    expect(r.request.intents[0]).toBe('waste');
    expect(r.tools).toEqual(['waste']);
    const w = repeatedWork(generated);
    expect(w.dups).toBeGreaterThan(0);
    const pct = Math.round((w.dups / generated.length) * 1000) / 10;
    expect(r.lead.startsWith(`${w.dups.toLocaleString('en-US')} of ${generated.length.toLocaleString('en-US')} calls (${pct}%) repeated a prompt answered in the previous 24 h, costing ${money(w.dupCost)} (`)).toBe(true);
    expect(r.lead).toContain(w.retries > 0 ? `${w.retries.toLocaleString('en-US')} were retries` : 'no call was a retry');
  });

  it('a workload with no repeated work gets no false alarm', async () => {
    const clean = generated.map((c, i) => ({ ...c, prompt_hash: `unique-${i}`, prefix_hashes: [], status: 'ok', attempt: 1 }));
    const r = await ask(clean, 'Are we wasting money on duplicate calls or retries?');
    expect(r.request.intents[0]).toBe('waste');
    expect(r.lead).toBe(`No duplicate or retry waste in this window: none of the ${clean.length.toLocaleString('en-US')} calls repeated a prompt, was a retry or was billed after failing.`);
  });

  it('Could we use the batch API for anything? — the planted batch job, and no claim when every call is streamed', async () => {
    const w = generateWorkload({ seed: 7, calls: 4000, days: 7, start: START, plants: ['batch_eligible'] });
    const planted = w.manifest.items.find((i) => i.tool === 'batch_eligibility')!.where.feature!;
    // what makes it a batch candidate, checked here: none of its calls streams
    expect(w.calls.filter((c) => c.feature === planted).every((c) => c.stream !== true)).toBe(true);
    const r = await ask(w.calls, 'Could we use the batch API for anything?');
    expect(r.request.intents[0]).toBe('lever');
    expect(r.tools).toEqual(['levers']);
    expect(r.lead).toMatch(new RegExp(`^Send ${planted} through the batch API \\(feature ${planted}, .*\\) would save \\$[\\d,.]+/month: `));
    const streamed = w.calls.map((c) => ({ ...c, stream: true }));
    const none = await ask(streamed, 'Could we use the batch API for anything?');
    expect(none.lead).toBe('No finding for batch eligibility in this window.');
  });

  it('What is our prompt cache hit rate? — the hit rate, not the list of caching savings', async () => {
    const r = await ask(demo, "What's our prompt cache hit rate?");
    expect(r.request.intents[0]).toBe('lever');
    expect(r.request.levers).toEqual(['cache_hit_rate']);
    // the share of input billed as cached on the model the lead names, computed here
    const m = /^Prompt-cache hit rate of ([^/]+)\/([^\s:]+)/.exec(r.lead);
    expect(m).not.toBeNull();
    const calls = demo.filter((c) => c.provider === m![1] && c.model === m![2]);
    const cached = calls.reduce((n, c) => n + c.cached_input_tokens, 0) / calls.reduce((n, c) => n + c.input_tokens, 0);
    expect(r.lead).toContain(`: ${(cached * 100).toFixed(1)}% of input tokens were billed as cached`);
  });

  it('Which provider do we spend the most on? — per provider, computed here', async () => {
    const r = await ask(demo, 'Which provider do we spend the most on?');
    expect(r.request.breakdown_by).toBe('provider');
    const by = new Map<string, number>();
    for (const c of demo) by.set(c.provider, (by.get(c.provider) ?? 0) + (c.cost_nanousd ?? 0));
    const [provider, cost] = [...by.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(r.lead.startsWith(`Your costliest provider is ${provider}: ${money(cost)} (${Math.round((cost / sum(demo)) * 10_000) / 100}% of `)).toBe(true);
  });

  it('How many calls did we make last week? — the count first', async () => {
    const r = await ask(demo, 'How many calls did we make last week?');
    expect(r.request.measure).toBe('calls');
    const week = inWindow(demo, LAST + 1 - 7 * DAY, LAST + 1);
    expect(r.lead.startsWith(`You made ${week.length.toLocaleString('en-US')} calls over 7.0 days, costing ${money(sum(week))} (`)).toBe(true);
  });

  it('Is our error rate high? — failures overall and the worst model, computed here; none when nothing failed', async () => {
    const r = await ask(demo, 'Is our error rate high?');
    expect(r.request.intents[0]).toBe('errors');
    expect(r.tools).toEqual(['error_rates']);
    const failed = demo.filter((c) => c.status !== 'ok');
    expect(failed.length).toBeGreaterThan(0);
    const pct = Math.round((failed.length / demo.length) * 10_000) / 100;
    const rate429 = failed.filter((c) => c.status === '429').length;
    expect(r.lead.startsWith(`${pct}% of ${demo.length.toLocaleString('en-US')} calls failed (${failed.length.toLocaleString('en-US')}: ${rate429.toLocaleString('en-US')} rate-limited with a 429, `)).toBe(true);
    const byModel = new Map<string, { n: number; f: number }>();
    for (const c of demo) {
      const k = `${c.provider}/${c.model}`;
      const e = byModel.get(k) ?? { n: 0, f: 0 };
      e.n++;
      if (c.status !== 'ok') e.f++;
      byModel.set(k, e);
    }
    const worst = [...byModel.entries()].sort((a, b) => b[1].f / b[1].n - a[1].f / a[1].n || b[1].f - a[1].f)[0]!;
    expect(r.lead).toContain(`the highest error rate is ${worst[0]} at ${Math.round((worst[1].f / worst[1].n) * 10_000) / 100}% (${worst[1].f.toLocaleString('en-US')} of ${worst[1].n.toLocaleString('en-US')})`);
    const fine = await ask(demo.map((c) => ({ ...c, status: 'ok' })), 'Is our error rate high?');
    expect(fine.lead).toBe(`None of the ${demo.length.toLocaleString('en-US')} calls in this window failed.`);
  });

  it('Why is <feature> so expensive? — a feature named bare is the scope; its economics, then what would cut it', async () => {
    const hyphenated = [...new Set(demo.map((c) => c.feature ?? ''))].filter((f) => f.includes('-'));
    expect(hyphenated.length).toBeGreaterThan(0);
    const f = hyphenated[0]!;
    const r = await ask(demo, `Why is ${f} so expensive?`);
    expect(r.request.scope.features).toEqual([f]);
    expect(r.request.intents.slice(0, 2)).toEqual(['spend_breakdown', 'cut_cost']);
    const calls = demo.filter((c) => c.feature === f);
    expect(r.lead.startsWith(`Feature ${f} cost ${money(sum(calls))} on ${calls.length.toLocaleString('en-US')} calls`)).toBe(true);
    expect(r.text).toMatch(new RegExp(`To cut feature ${f} |No saving was found on feature ${f} `));
    // a one-word feature name stays an everyday word: "summarize our spend" is not scoped to a feature
    const plain = await ask(demo, 'Can you summarize our spend?');
    expect(plain.request.scope.features).toEqual([]);
  });

  it('How do we reduce latency on chat without raising cost? — latency first, scoped to the chat feature', async () => {
    const r = await ask(demo, 'How do we reduce latency on chat without raising cost?');
    expect(r.request.intents[0]).toBe('latency');
    expect(r.request.intents).not.toContain('cut_cost');
    expect(r.request.scope.features).toEqual(['chat']);
    const p95 = percentile(demo.filter((c) => c.feature === 'chat' && c.status === 'ok' && c.latency_ms !== null).map((c) => c.latency_ms!), 0.95);
    expect(r.lead).toContain(`feature chat on openai/gpt-4.1-mini is ${msText(p95)}`);
  });

  it("What's our monthly run-rate? — the run-rate first", async () => {
    const r = await ask(demo, "What's our monthly run-rate?");
    expect(r.request.measure).toBe('run_rate');
    expect(r.lead.startsWith(`Your run-rate is ${monthly(demo).replace(' of spend', '')}: ${money(sum(demo))} on ${demo.length.toLocaleString('en-US')} calls`)).toBe(true);
  });

  it('"Which user spends the most?" names no user called "spends"; "what changed" compares periods', async () => {
    const r = await ask(demo, 'Which user spends the most?');
    expect(r.request.intents[0]).toBe('user_spend');
    expect(r.request.scope.users).toEqual([]);
    const c = await ask(demo, 'What changed since yesterday?');
    expect(c.request.intents[0]).toBe('spend_change');
    expect(c.tools[0]).toBe('spend_change');
  });

  it('thanks gets a thank-you, not the introduction', async () => {
    const r = await ask(demo, 'thanks!');
    expect(r.request.intents).toEqual(['greeting']);
    expect(r.tools).toEqual([]);
    expect(r.lead).toBe('You’re welcome.');
  });

  it('a question about one feature leaves out the findings about untagged calls on its model', async () => {
    // the calls of one feature again, untagged (same model, prompts and prefixes): their own caching findings
    const f = [...new Set(demo.map((c) => c.feature ?? ''))].find((x) => x.includes('-'))!;
    const untagged = demo.filter((c) => c.feature === f).map((c, i) => ({ ...c, request_id: `untagged-${i}`, feature: undefined, timestamp: c.timestamp + 1 }));
    const calls = [...demo, ...untagged].sort((a, b) => a.timestamp - b.timestamp);
    const all = await ask(calls, 'How much could prompt caching save us?');
    expect(all.text).toContain('untagged calls');
    const r = await ask(calls, `How much could prompt caching save us on ${f}?`);
    expect(r.request.scope.features).toEqual([f]);
    expect(r.text).not.toContain('untagged calls');
  });

  it('"Are we on track for our $400 budget?" reads the budget written before the word', async () => {
    const r = await ask(demo, 'Are we on track for our $400 budget?');
    expect(r.request.targets.budget_usd_month).toBe(400);
    expect(r.request.intents[0]).toBe('cut_cost');
    expect(r.lead.startsWith(`At ${monthly(demo).replace(' of spend', '')} you are already within the $400.00/month budget; found `)).toBe(true);
  });

  it("\"without touching support-bot's model\" keeps that feature on its models", async () => {
    const free = await ask(demo, 'We have a hard budget of $10 a month. Can we get there?');
    const kept = free.steps.find((s) => MOVES.has(s.tool) && s.where.feature)!.where.feature!;
    for (const q of [`Cut 20% without touching ${kept}'s model`, `Cut 20% without touching ${kept}`]) {
      const r = await ask(demo, q);
      expect(r.request.constraints.keep_feature_models, q).toEqual([kept]);
      expect(r.request.scope.features, q).toEqual([]);
      expect(r.steps.filter((s) => MOVES.has(s.tool) && s.where.feature === kept), q).toEqual([]);
    }
  });
});

// The structured request triage makes of a chat message: what the user asks (intents), about which calls
// (scope, with the time window in the user's words resolved to dates), what they aim for (targets) and what
// must not change (constraints). Pure and deterministic; a follow-up merges onto the previous request.
import * as z from 'zod';
import { findModel, normalizeProvider } from '../catalog/index.js';
import { DAY_MS } from '../findings.js';
import { SPEND_BY } from './tools.js';

export const INTENTS = [
  'greeting',
  'send_data',
  'catalog',
  'compare_models',
  'what_if',
  'spend_change',
  'spend_breakdown',
  'user_spend',
  'latency',
  'caching',
  'cut_cost',
  'waste',
  'errors',
  'lever',
  'realized',
  'apply_step',
] as const;
export type Intent = (typeof INTENTS)[number];

export const timeWindow = z.object({ phrase: z.string(), from: z.number(), to: z.number() });
export type TimeWindow = z.infer<typeof timeWindow>;

export const agentRequest = z.object({
  /** First = the question's main ask. */
  intents: z.array(z.enum(INTENTS)).min(1),
  scope: z.object({
    /** Feature words as the user wrote them ("support chat"); resolved against the data's features later. */
    features: z.array(z.string()),
    /** Features left out ("excluding the summarize feature", "except doc-qa"). */
    exclude_features: z.array(z.string()).default([]),
    /** Providers left out ("excluding anthropic"). */
    exclude_providers: z.array(z.string()).default([]),
    models: z.array(z.string()),
    providers: z.array(z.string()),
    users: z.array(z.string()),
    keys: z.array(z.string()),
    window: timeWindow.nullable(),
    /** Share of the scoped traffic a change applies to ("half" = 0.5), null = all of it. */
    share: z.number().min(0).max(1).nullable(),
  }),
  targets: z.object({ cut_pct: z.number().nullable(), p95_ms: z.number().nullable(), budget_usd_month: z.number().nullable() }),
  constraints: z.object({
    keep_models: z.array(z.string()),
    /** Features whose calls stay on the models they use ("without changing models for the support-bot feature"). */
    keep_feature_models: z.array(z.string()).default([]),
    avoid_providers: z.array(z.string()),
    latency_must_not_rise: z.boolean(),
    quality_must_not_drop: z.boolean(),
  }),
  /** What-if / comparison: the model moved away from (null = the scope) and the one moved to. */
  change: z.object({ from_model: z.string().nullable(), to_model: z.string().nullable() }),
  /** Catalog filters the user named. */
  catalog: z.object({ min_context: z.number().nullable(), tool_use: z.boolean(), cheapest: z.boolean() }),
  /** The optimizer tools (engine/tools ids) whose lever the user asked about ("could we use the batch API?"). */
  levers: z.array(z.string()).default([]),
  /** How a spend breakdown groups: per (feature, model) segment, or per feature / model / provider ("which feature costs the most"). */
  breakdown_by: z.enum(SPEND_BY).default('segment'),
  /** What a breakdown leads with: the spend, the number of calls ("how many calls did we make?") or the monthly run-rate. */
  measure: z.enum(['spend', 'calls', 'run_rate', 'tokens', 'per_call']).default('spend'),
  /** A thank-you is answered as one, not with the introduction. */
  thanks: z.boolean().default(false),
  /** "Is our p99 latency getting worse?": the window against the period before it. */
  trend: z.boolean().default(false),
  /** The latency percentile the user named (p95 unless p50 or p99 is). */
  percentile: z.enum(['p50', 'p95', 'p99']).default('p95'),
  /** "apply the second one": the 1-based plan step of the previous answer. */
  step: z.number().int().nullable(),
  follow_up: z.boolean(),
});
export type AgentRequest = z.infer<typeof agentRequest>;

const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5 };
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const SHARES: [RegExp, number][] = [
  [/\bhalf\b/i, 0.5],
  [/\ba third\b|\bone third\b/i, 1 / 3],
  [/\ba quarter\b|\bone quarter\b/i, 0.25],
  [/\btwo thirds\b/i, 2 / 3],
];

const utcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const monthStart = (y: number, m: number) => Date.UTC(y, m, 1);

/**
 * The time window the user named, resolved against `now` (the end of the org's data: "last week" means
 * the 7 days before the latest call). Calendar months and days are UTC. null when none is named.
 */
export function parseWindow(message: string, now: number): TimeWindow | null {
  const m = message.toLowerCase();
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const end = now + 1;
  let r: RegExpExecArray | null;
  if ((r = /\b(?:last|past)\s+(\d{1,3})\s+days?\b/.exec(m))) return { phrase: r[0], from: end - Number(r[1]) * DAY_MS, to: end };
  if ((r = /\b(?:last|past)\s+(\d{1,3})\s+hours?\b/.exec(m))) return { phrase: r[0], from: end - Number(r[1]) * 3_600_000, to: end };
  if ((r = /\b(?:last|past|previous) week\b/.exec(m))) return { phrase: r[0], from: end - 7 * DAY_MS, to: end };
  if ((r = /\bthis week\b/.exec(m))) {
    const monday = utcDay(now) - ((d.getUTCDay() + 6) % 7) * DAY_MS;
    return { phrase: r[0], from: monday, to: end };
  }
  if ((r = new RegExp(`\\b(?:on|last) (${WEEKDAYS.join('|')})\\b`).exec(m))) {
    // The latest such UTC day up to the data's last one ("on tuesday" on a Tuesday is that day).
    const same = (d.getUTCDay() - WEEKDAYS.indexOf(r[1]!) + 7) % 7;
    // "last tuesday" on a Tuesday is a week ago; "on tuesday" is today
    const back = r[0].startsWith('last') && same === 0 ? 7 : same;
    const from = utcDay(now) - back * DAY_MS;
    return { phrase: r[0], from, to: Math.min(end, from + DAY_MS) };
  }
  if ((r = /\byesterday\b/.exec(m))) return { phrase: r[0], from: utcDay(now) - DAY_MS, to: utcDay(now) };
  if ((r = /\btoday\b/.exec(m))) return { phrase: r[0], from: utcDay(now), to: end };
  if ((r = /\bthis month\b/.exec(m))) return { phrase: r[0], from: monthStart(y, mo), to: end };
  if ((r = /\b(?:last|previous) month\b/.exec(m))) return { phrase: r[0], from: monthStart(y, mo - 1), to: monthStart(y, mo) };
  if ((r = /\bsince (?:the )?(\d{1,2})(?:st|nd|rd|th)?\b/.exec(m))) {
    const day = Number(r[1]);
    let from = Date.UTC(y, mo, day);
    if (from > now) from = Date.UTC(y, mo - 1, day);
    return { phrase: r[0], from, to: end };
  }
  if ((r = new RegExp(`\\b(?:in|during|for|since) (${MONTHS.join('|')})\\b`).exec(m))) {
    const idx = MONTHS.indexOf(r[1]!);
    const year = idx > mo ? y - 1 : y;
    const since = r[0].startsWith('since');
    return { phrase: r[0], from: monthStart(year, idx), to: since ? end : Math.min(end, monthStart(year, idx + 1)) };
  }
  return null;
}

/** Model names the message mentions, as catalog ids (unknown words are not models). */
function modelsIn(message: string): { id: string; at: number }[] {
  const out: { id: string; at: number }[] = [];
  const re = /[a-z][\w.:/-]*\d[\w.:/-]*|\b(?:sonnet|haiku|opus)\b/gi;
  for (const match of message.matchAll(re)) {
    const word = match[0].replace(/[.,:;?!)]+$/, '');
    const model = findModel(word);
    if (model && !out.some((o) => o.id === model.id)) out.push({ id: model.id, at: match.index ?? 0 });
  }
  return out;
}

// A provider named on its own, not as the head of a model id ("gemini-2.5-flash", "openai/gpt-4o").
const PROVIDER_WORDS = /\b(openai|anthropic|claude|google|gemini|mistral|deepseek|groq|together|fireworks|bedrock|cohere|xai|cerebras|azure)\b(?![./-]\w)/gi;

const PROVIDER_ONLY = new RegExp(`^${PROVIDER_WORDS.source}$`, 'i');
/** A provider word's provider: "claude" alone means Anthropic's models. */
const providerOf = (word: string): string => (word.toLowerCase() === 'claude' ? 'anthropic' : normalizeProvider(word));

/** Words that name one optimizer lever, and its tool (engine/tools). */
const LEVER_WORDS: [RegExp, string][] = [
  [/\bbatch(?:es|ing)? (?:api|jobs?|mode|processing|endpoint)\b|\bbatchable\b|\bbatching\b|\b(?:use|using|try|move to) (?:the )?batch\b/, 'batch_eligibility'],
  [/\bstream(?:s|ing|ed)?\b/, 'streaming_opportunity'],
  [/\btime-?outs?\b|\btiming out\b|\btimed out\b/, 'timeout_clustering'],
  [/\bmax_tokens\b|\bmax tokens\b|\boutput (?:length|tokens?)\b|\blong (?:answers|outputs|responses)\b/, 'output_length_caps'],
  [/\breasoning (?:tokens?|effort)\b|\bthinking tokens\b/, 'reasoning_token_share'],
  [/\bcontext bloat\b|\blongest prompts?\b|\bprompts? (?:are|is) (?:the )?longest\b|\bprompt (?:length|size)s?\b|\blong prompts?\b|\bprompts? (?:are |is )?too long\b|\btrim(?:ming)? (?:the |our )?prompts?\b/, 'context_bloat'],
  [/\bhit rate\b|\bhit ratio\b/, 'cache_hit_rate'],
  [/\bfallbacks?\b|\bfail-?over\b/, 'fallback_chains'],
  [/\bquotas?\b|\bper[- ]user limits?\b/, 'user_quotas'],
  [/\b(?:chat|conversation) history\b|\bhistory window\b|\bgrowing (?:context|history)\b/, 'history_window'],
  [/\bcheaper (?:provider|host)s?\b|\bswitch(?:ing)? providers?\b|\banother provider\b/, 'provider_switch'],
  [/\b(?:smaller|cheaper) models?\b|\bdowngrad/, 'model_downgrade'],
  [/\bdata quality\b|\bunknown models?\b|\bmissing fields?\b|\bwrong with (?:our |the |my )?(?:data|telemetry)\b|\b(?:data|telemetry) (?:issues|problems|gaps)\b|\b(?:is|are) (?:our |the |my )?(?:data|telemetry) (?:ok|complete|good enough)\b/, 'data_quality'],
];

// Asked for the whole analysis, with nothing narrower named ("what should we do first?", "give me a report"):
// the ranked plan, not a spend table.
const FULL_ANALYSIS = /\bwhat should (?:i|we) (?:do|fix|change|start with)\b|\b(?:full |complete )?(?:analysis|report|review|audit)\b|\brecommend(?:ation)?s?\b|\boptimi[sz](?:e|ation|ations)\b|\bwhere (?:should|can|do) (?:i|we) start\b|\bquick wins?\b|\bbiggest wins?\b|\bwhat can (?:i|we) improve\b/;

function leversIn(m: string): string[] {
  return [...new Set(LEVER_WORDS.filter(([re]) => re.test(m)).map(([, tool]) => tool))];
}

function classify(m: string): Intent[] {
  const found: { intent: Intent; at: number }[] = [];
  const at = (intent: Intent, re: RegExp) => {
    const i = m.search(re);
    if (i >= 0) found.push({ intent, at: i });
  };
  at('what_if', /\bwhat if\b|\bsimulat|\bif (?:we|i) (?:move|moved|switch|switched|route|routed)|\bwhat (?:about|would) .*\b(?:half|third|quarter)\b|^(?:please )?(?:move|switch|route) |\bgood enough\b|\b(?:can|could|should) (?:we|i) (?:use|try) [a-z][\w.:/-]*\d/);
  at('apply_step', /\bapply (?:the )?(?:first|second|third|fourth|fifth|\d(?:st|nd|rd|th)|step)\b/);
  at('send_data', /\bhow (?:do|can|should) (?:i|we) (?:send|ingest|upload|import|connect)|\bsend (?:you )?(?:our |my )?(?:data|telemetry|calls|logs)\b|\bingest/);
  at('catalog', /\bcheapest model\b|\bwhich model (?:has|supports|offers)|\bmodels? with\b.*\bcontext\b|\bcontext window\b/);
  at('compare_models', /\bcost vs\.?\b|\bversus\b|\bcompare\b|\bvs\.? /);
  at('spend_change', /\bwhy did\b.*\b(?:bill|spend|cost|costs)\b|\b(?:bill|spend|cost|costs)\b.*\b(?:go up|went up|increase|rise|rose|jump|double|doubled|spike|grew|drop|dropped|fell|go down|went down)\b|\bspike|\bwhat (?:has |have )?changed\b|\bwhat'?s (?:changed|different)\b/);
  at('latency', /latenc|\bslow|\bfaster\b|\bfastest\b|\bhow (?:fast|quick(?:ly)?)\b|\bspeed\b|\bttft\b|time to first|\bp9[059]\b|respon(?:se|d) time/);
  at('caching', /\bcach(?:e|ing)\b/);
  // the cost word close to the verb: "reduce latency on chat without raising cost" is not a cost cut
  at('cut_cost', /\boverpa(?:y|ying|id)\b|\b(?:cut|reduce|lower|save|saving|savings|cheaper)\b(?:\s+[\w$.,'-]+){0,4}?\s+(?:\$?\d[\d,.]*\s*%|costs?\b|spend|spending|bill|bills|money)|\bsave money\b|\bwhere can we save\b|\bbudget\b|\b(?:cut|trim) (?:it|that|this|them|those)\b/);
  at('errors', /\berror rates?\b|\berrors?\b|\bfail(?:ure|ures|ing|ed|s)?\b|\b5\d\d\b|\b429s?\b|\brate[- ]limit(?:ed|s|ing)?\b|\breliab(?:le|ility)\b|\bsuccess rate\b|\bstatus codes?\b/);
  // "why is doc-qa so expensive?": its spend explained, then what would cut it
  const pricey = m.search(/\bwhy (?:is|are|does|do|did)\b[^?.!]*\b(?:expensive|costly|pricey|cost so much|costs so much|spend so much)\b/);
  if (pricey >= 0) found.push({ intent: 'spend_breakdown', at: pricey }, { intent: 'cut_cost', at: pricey + 1 });
  at('waste', /\bretr(?:y|ies|ied|ying)\b|\bduplicat|\bdouble[- ]fir|\bdupes?\b|\bwast(?:e|ed|es|ing|eful)\b|\bredundant\b|\brepeated (?:calls|prompts|requests)\b|\bsame (?:prompt|request)s? (?:twice|again)\b/);
  at('user_spend', /\b(?:which|what|top|biggest|heaviest|costliest|most expensive) (?:\d+ )?(?:end[- ])?users?\b|\bwho (?:are|is) (?:our|the) (?:top|biggest|heaviest|costliest)\b|\b(?:per|by|each) (?:end[- ])?user\b|\busers? (?:cost|spend|spent)\b|\bhow much (?:does|did|do) (?:the )?user\b|\bspend of user\b/);
  at('spend_breakdown', /\bwhere (?:does|did|is|was) (?:our|the|my) (?:money|spend)\b|\bbreak ?down\b|\bwhat do we spend\b|\bhow much (?:do|did) we spend\b|\bspend by\b|\b(?:which|what) (?:features?|models?|providers?)\b[^?.!]*?\b(?:costs?|costing|spends?|spending|expensive)\b|\b(?:most expensive|costliest|priciest) (?:features?|models?|providers?)\b|\bhow many (?:calls|requests)\b(?! (?:failed|errored|timed out|were (?:rate[- ]limited|retried)))|\b(?:call|request) (?:volume|count)s?\b|\bnumber of (?:calls|requests)\b|\b(?:spend|spent) (?:the )?most on\b|\brun[- ]?rate\b|\b(?:monthly|per month|a month) (?:spend|bill|cost)\b|\b(?:spend|bill|cost|costs) (?:per|a) month\b|\bhow many tokens\b|\btoken (?:usage|count|counts|volume|consumption)\b|\bcost per (?:call|request)\b|\b(?:average|mean|avg) cost\b/);
  // What the gateway's policies saved, measured (not what a change could save).
  at('realized', /\bhow much (?:did|has|have) (?:the gateway|netra|the polic(?:y|ies)|the rules?|the routing|(?:the |this |that )?change|it|we|you) (?:actually |really )?save[ds]?\b|\b(?:realized|realised|measured|actual) sav|\bsav(?:ed|ings) so far\b|\bwhat (?:did|has) (?:the gateway|the polic(?:y|ies)|netra) save[ds]?\b|\b(?:is|are|did|does) (?:the |our )?(?:gateway|polic(?:y|ies)|routing|canary) (?:work|working|help|helping|pay off|paying off)\b|\broi\b|\breturn on investment\b/);
  const lever = LEVER_WORDS.map(([re]) => m.search(re)).filter((i) => i >= 0);
  if (lever.length) found.push({ intent: 'lever', at: Math.min(...lever) });
  found.sort((a, b) => a.at - b.at);
  let intents = [...new Set(found.map((f) => f.intent))];
  // "our prompt cache hit rate": the named lever, not every caching saving.
  if (intents.includes('lever') && intents.includes('caching')) intents = ['lever', ...intents.filter((i) => i !== 'lever')];
  // A what-if or a spend-change question is about that, whatever else it mentions.
  for (const lead of ['apply_step', 'realized', 'what_if', 'spend_change'] as const) {
    if (intents.includes(lead)) return [lead, ...intents.filter((i) => i !== lead)];
  }
  return intents;
}

function emptyRequest(): AgentRequest {
  return {
    intents: ['greeting'],
    scope: { features: [], exclude_features: [], exclude_providers: [], models: [], providers: [], users: [], keys: [], window: null, share: null },
    targets: { cut_pct: null, p95_ms: null, budget_usd_month: null },
    constraints: { keep_models: [], keep_feature_models: [], avoid_providers: [], latency_must_not_rise: false, quality_must_not_drop: false },
    change: { from_model: null, to_model: null },
    catalog: { min_context: null, tool_use: false, cheapest: false },
    levers: [],
    breakdown_by: 'segment',
    measure: 'spend',
    thanks: false,
    trend: false,
    percentile: 'p95',
    step: null,
    follow_up: false,
  };
}

/** Words around "feature" or "user" that are not a name ("which feature costs", "which user spends"). */
const NOT_A_NAME = new Set(
  'a an the this that these those which what each every per by our my your their any one some most costliest priciest expensive cheapest new same other its is are was were be has have had uses use used does do did costs cost costing costed spends spend spending spent of for in on to at from over since during last past than and or but so then as it we us they you i level wise breakdown name names flag flags set feels seems gets got runs slow fast latency'.split(' '),
);
const KEEP_FEATURE_MODELS =
  /\b(?:without (?:changing|touching|switching|swapping|moving)|(?:don'?t|do not|never|not) (?:change|touch|switch|swap|move)|keep(?:ing)?)\s+(?:the\s+|its\s+|their\s+)?models?\s+(?:for|of|on|in|used by)\s+(?:the\s+)?["'`]?([\w-]+)|\bkeep(?:ing)?\s+(?:the\s+)?["'`]?([\w-]+)["'`]?\s+(?:features?\s+)?on (?:its|their|the same|the current) models?\b|\b(?:without (?:changing|touching|switching|swapping|moving)|(?:don'?t|do not|never|not) (?:change|touch|switch|swap|move)|keep(?:ing)?)\s+(?:the\s+)?["'`]?([\w-]+?)["'`]?(?:'s|’s)\s+models?\b/g;
/** "without touching support-bot": hands off a feature (checked against the org's feature names). */
const HANDS_OFF = /\b(?:without (?:changing|touching)|(?:don'?t|do not|never) (?:change|touch))\s+(?:the\s+)?["'`]?([\w-]+)/g;
const BY_FEATURE = /\b(?:which|what|each|per|by|costliest|priciest|most expensive) features?\b/;
const BY_MODEL = /\b(?:which|what|each|per|by|costliest|priciest|most expensive) models?\b/;
const BY_PROVIDER = /\b(?:which|what|each|per|by|costliest|priciest|most expensive) providers?\b/;
const ASKS_RUN_RATE = /\brun[- ]?rate\b|\b(?:monthly|per month|a month) (?:spend|bill|cost)\b|\b(?:spend|bill|cost|costs) (?:per|a) month\b|\bhow much (?:do|will) we (?:spend|pay) (?:per|a|each) month\b/;
const LATENCY_TREND = /\b(?:getting|got|gotten|become|becoming|grown|growing) (?:worse|better|slower|faster)\b|\bregress|\btrends?\b|\bover time\b|\b(?:than|since|compared (?:to|with)) (?:last (?:week|month)|the previous (?:week|month|period)|before|yesterday)\b|\b(?:increasing|degrading|improving) (?:over|since|lately|recently)\b/;
const ASKS_TOKENS = /\bhow many tokens\b|\btoken (?:usage|count|counts|volume|consumption)\b|\btokens (?:did|do|have) (?:we|i) (?:use|used|send|sent|consume|consumed)\b|\bhow much tokens\b/;
const ASKS_PER_CALL = /\b(?:average|mean|avg|typical) (?:cost|spend|price) (?:per|of an?|for an?) (?:call|request)\b|\bcost per (?:call|request)\b|\bper[- ](?:call|request) cost\b|\bhow much (?:does|do) (?:a|one|each) (?:call|request) cost\b/;
const ASKS_CALLS = /\bhow many (?:calls|requests)\b(?! (?:failed|errored|timed out|were (?:rate[- ]limited|retried)))|\b(?:call|request) (?:volume|count)s?\b|\bnumber of (?:calls|requests)\b/;

/** Regex source matching a feature name as written, with -, _ or a space between its words. */
const featurePattern = (name: string): string => name.toLowerCase().split(/[-_ ]+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[-_ ]');

const EXCLUDE = /\b(?:without|except(?: for)?|excluding|other than|apart from|not counting|leaving out)\s+(?:the\s+|our\s+)?["'`]?([\w-]+)["'`]?(\s+features?)?/g;
const FOLLOW_UP = /^\s*(?:and|what about|how about|and what about|same for|now|without|but)\b|\b(?:of it|that one|the (?:first|second|third) one|it\?|(?:for|of|on|in) (?:those|them|these))\b|(?<!\bout )\bthere\??\s*$/i;

/**
 * Parses a message into a request. `now` anchors relative windows (use the org's latest call);
 * `knownFeatures` are the org's feature names (a message may name one bare). `previous` is the thread's previous request: a follow-up ("and for latency?", "what about only half of
 * it?") keeps its scope, change and constraints and takes the new message's intents where it names any.
 */
export function parseRequest(message: string, now: number, previous: AgentRequest | null = null, knownFeatures: readonly string[] = []): AgentRequest {
  const m = message.toLowerCase();
  const r = emptyRequest();
  const intents = classify(m);

  // Constraints: "keep gpt-4o", "stay on claude-sonnet-4-5", "avoid anthropic", "latency must not rise".
  for (const k of m.matchAll(/\b(?:keep|don'?t (?:change|touch|move)|stay on|leave)\s+(?:using\s+)?([a-z][\w.:/-]*)/g)) {
    const model = findModel(k[1]!.replace(/[.,;?!]+$/, ''));
    if (model && !r.constraints.keep_models.includes(model.id)) r.constraints.keep_models.push(model.id);
  }
  for (const a of m.matchAll(/\b(?:avoid|no|not|without|never use)\s+([a-z]+)\b/g)) {
    const p = providerOf(a[1]!);
    if (PROVIDER_WORDS.test(a[1]!) && !r.constraints.avoid_providers.includes(p)) r.constraints.avoid_providers.push(p);
    PROVIDER_WORDS.lastIndex = 0;
  }
  r.constraints.latency_must_not_rise = /latency (?:must|should|can'?t|cannot) (?:not )?(?:rise|increase|go up|get worse)|without (?:adding|hurting|increasing) latency|no slower/.test(m);
  r.constraints.quality_must_not_drop =
    /without (?:losing|hurting|dropping|touching|affecting|sacrificing|compromising|lowering|reducing|harming) (?:the |our |answer |output )?quality|same quality|keep(?:ing)? (?:the |our )?quality|quality (?:must|should|has to|needs to) (?:not drop|stay)|no (?:loss|drop) (?:of|in) quality|\bgood enough\b/.test(m);

  // Targets.
  const pct = /(?:by|cut|reduce|save|lower|trim)\D{0,20}?(\d{1,2}(?:\.\d+)?)\s*%/.exec(m) ?? /(\d{1,2}(?:\.\d+)?)\s*%\s*(?:cost )?(?:cut|reduction|less|lower|cheaper|off)/.exec(m);
  if (pct) r.targets.cut_pct = Number(pct[1]);
  const p95 = /p9[59]\D{0,25}?(?:under|below|within|<)\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds)\b/.exec(m) ?? /(?:latency|p95)\D{0,15}(?:under|below|within)\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds)\b/.exec(m);
  if (p95) r.targets.p95_ms = Number(p95[1]) * (p95[2] === 'ms' ? 1 : 1000);
  // "a budget of $300", "$300 a month", "our $400 budget"
  const budget = /budget\D{0,15}\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?|\$\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*(?:a|per|\/)\s*month|\$\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*(?:monthly\s+|a month\s+)?budget/.exec(m);
  if (budget) r.targets.budget_usd_month = Number((budget[1] ?? budget[3] ?? budget[5])!.replace(/,/g, '')) * (budget[2] ?? budget[4] ?? budget[6] ? 1000 : 1);

  // Scope.
  r.scope.window = parseWindow(m, now);
  for (const [re, share] of SHARES) if (re.test(m)) r.scope.share = share;
  const sharePct = /\b(\d{1,3})\s*%\s*of (?:it|the traffic|traffic|calls|them)\b/.exec(m);
  if (sharePct) r.scope.share = Math.min(1, Number(sharePct[1]) / 100);
  // "without changing models for the support-bot feature": a constraint on that feature, not its scope.
  const keep = (word: string) => {
    if (!NOT_A_NAME.has(word) && !r.constraints.keep_feature_models.includes(word)) r.constraints.keep_feature_models.push(word);
  };
  for (const k of m.matchAll(KEEP_FEATURE_MODELS)) keep((k[1] ?? k[2] ?? k[3])!);
  for (const k of m.matchAll(HANDS_OFF)) if (knownFeatures.some((f) => f.toLowerCase() === k[1])) keep(k[1]!);
  // "excluding the summarize feature", "except doc-qa": a feature left out, not the scope.
  for (const x of m.matchAll(EXCLUDE)) {
    const word = x[1]!;
    if (PROVIDER_ONLY.test(word)) {
      const p = providerOf(word);
      if (!r.scope.exclude_providers.includes(p)) r.scope.exclude_providers.push(p);
      continue;
    }
    if (NOT_A_NAME.has(word) || r.constraints.keep_feature_models.includes(word)) continue;
    if ((x[2] || knownFeatures.some((f) => f.toLowerCase() === word)) && !r.scope.exclude_features.includes(word)) r.scope.exclude_features.push(word);
  }
  const feature = [...m.matchAll(/["'`]?([\w-]+)["'`]?\s+features?\b|\bfeatures?\s+["'`]?([\w-]+)/g)]
    .map((f) => (f[1] ?? f[2])!)
    .find((w) => !NOT_A_NAME.has(w) && !r.constraints.keep_feature_models.includes(w) && !r.scope.exclude_features.includes(w));
  if (feature) r.scope.features.push(feature);
  r.levers = leversIn(m);
  // The org's own feature names, named bare ("why is doc-qa so expensive?"): names with a separator
  // ("doc-qa", "nightly_eval") anywhere; one-word names ("chat", "summarize") are everyday words too, so only
  // after "on/for/of/in/the/our" ("latency on chat"); not one inside a phrase already taken ("support chat") or kept.
  const taken = [...r.scope.features, ...r.constraints.keep_feature_models, ...r.scope.exclude_features];
  for (const f of knownFeatures) {
    if (taken.some((t) => t.includes(f.toLowerCase()) || f.toLowerCase().includes(t))) continue;
    const before = /[-_]/.test(f) ? '(?:^|[^\\w-])' : '\\b(?:on|for|of|in|the|our)\\s+';
    if (new RegExp(`${before}${featurePattern(f)}(?![\\w-])`).test(m)) r.scope.features.push(f);
  }
  r.breakdown_by = BY_FEATURE.test(m) ? 'feature' : BY_MODEL.test(m) ? 'model' : BY_PROVIDER.test(m) ? 'provider' : 'segment';
  r.measure = ASKS_CALLS.test(m) ? 'calls' : ASKS_RUN_RATE.test(m) ? 'run_rate' : ASKS_TOKENS.test(m) ? 'tokens' : ASKS_PER_CALL.test(m) ? 'per_call' : 'spend';
  const our = /\bour ([a-z][\w-]*(?: [a-z][\w-]*)?) (?:feels|is|seems|gets|got|runs)\b/.exec(m);
  // "our support chat is slow" names a feature; "our budget is $300" or "our bill is" does not.
  if (our && !/\b(?:llm|llms|ai|bill|bills|spend|spending|cost|costs|latency|money|budget|invoice|usage|traffic|team|company|data|api|app|provider|providers|models?|calls|requests|prompts)\b/.test(our[1]!)) r.scope.features.push(our[1]!);
  for (const u of m.matchAll(/\buser\s+["'`]?([\w@.-]+)/g)) if (!NOT_A_NAME.has(u[1]!)) r.scope.users.push(u[1]!);
  for (const k of m.matchAll(/\b(key_[\w-]+)/g)) r.scope.keys.push(k[1]!);
  for (const p of m.matchAll(PROVIDER_WORDS)) {
    const provider = providerOf(p[1]!);
    if (!r.constraints.avoid_providers.includes(provider) && !r.scope.exclude_providers.includes(provider) && !r.scope.providers.includes(provider)) r.scope.providers.push(provider);
  }
  const models = modelsIn(m).filter((x) => !r.constraints.keep_models.includes(x.id) || intents.includes('compare_models'));

  // A change: "from A to B", "move everything on A to B", "switch the summarize feature to B".
  const to = /\b(?:to|onto|with|for)\s+(?:a\s+|the\s+)?([a-z][\w.:/-]*\d[\w.:/-]*)/.exec(m);
  const toModel = to ? findModel(to[1]!.replace(/[.,;?!]+$/, ''))?.id ?? null : null;
  if (intents.includes('what_if') || intents.includes('compare_models')) {
    // "is gpt-4o-mini good enough for support-bot?", "could we use gpt-5-mini?": the one model named is the target.
    const named = /\bgood enough\b|\b(?:can|could|should) (?:we|i) (?:use|try)\b/.test(m) && models.length === 1 ? models[0]!.id : null;
    r.change.to_model = toModel ?? (models.length > 1 ? models.at(-1)!.id : named);
    const fromModel = models.find((x) => x.id !== r.change.to_model);
    r.change.from_model = fromModel?.id ?? null;
  }
  r.scope.models = models.map((x) => x.id).filter((id) => id !== r.change.to_model || intents.includes('compare_models'));

  // Catalog filters.
  const ctx = /(\d+(?:\.\d+)?)\s*(k|m)?\s*(?:tokens? )?(?:of )?context/.exec(m);
  if (ctx) r.catalog.min_context = Math.round(Number(ctx[1]) * (ctx[2] === 'm' ? 1_000_000 : ctx[2] === 'k' ? 1000 : 1));
  r.catalog.tool_use = /\btool[- ]?(?:use|calling)|function calling/.test(m);
  r.catalog.cheapest = /\bcheapest\b/.test(m);

  const ord = /\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b/.exec(m) ?? /\bstep (\d)\b/.exec(m);
  if (intents.includes('apply_step') && ord) r.step = ORDINALS[ord[1]!] ?? Number(ord[1]);

  r.trend = intents[0] === 'latency' && LATENCY_TREND.test(m);
  const percentileNamed = /\bp(?:50|95|99)\b|\bmedian\b/.test(m);
  r.percentile = /\bp99\b/.test(m) ? 'p99' : /\bp50\b|\bmedian\b/.test(m) ? 'p50' : 'p95';

  const greeting = /^\s*(?:hi|hello|hey|yo|good (?:morning|afternoon|evening)|thanks|thank you)\b|\bhelp\b|\bwhat can you do\b|\bhow does this work\b/.test(m);
  if (previous && !greeting && (FOLLOW_UP.test(message) || intents.length === 0 || (intents.length === 1 && intents[0] === 'what_if' && r.scope.share !== null && !r.change.to_model))) {
    return mergeFollowUp(previous, r, intents, percentileNamed, /\binclud(?:e|ing) (?:everything|all|them|it)\b|\bwith everything\b/.test(m));
  }
  r.intents = intents.length ? intents : [greeting || m.trim().split(/\s+/).length <= 2 ? 'greeting' : FULL_ANALYSIS.test(m) ? 'cut_cost' : 'spend_breakdown'];
  r.thanks = r.intents[0] === 'greeting' && /^\s*(?:thanks|thank you|thx|cheers)\b/.test(m);
  return r;
}

/** A follow-up keeps the previous request's scope and change; what the new message names overrides. */
function mergeFollowUp(previous: AgentRequest, next: AgentRequest, intents: Intent[], percentileNamed: boolean, includeAll: boolean): AgentRequest {
  const pick = <T>(a: T[], b: T[]) => (a.length ? a : b);
  return {
    intents: intents.length ? intents : previous.intents,
    scope: {
      features: pick(next.scope.features, previous.scope.features),
      exclude_features: includeAll ? [] : pick(next.scope.exclude_features, previous.scope.exclude_features),
      exclude_providers: includeAll ? [] : pick(next.scope.exclude_providers, previous.scope.exclude_providers),
      models: pick(next.scope.models, previous.scope.models),
      providers: pick(next.scope.providers, previous.scope.providers),
      users: pick(next.scope.users, previous.scope.users),
      keys: pick(next.scope.keys, previous.scope.keys),
      window: next.scope.window ?? previous.scope.window,
      share: next.scope.share ?? previous.scope.share,
    },
    targets: {
      cut_pct: next.targets.cut_pct ?? previous.targets.cut_pct,
      p95_ms: next.targets.p95_ms ?? previous.targets.p95_ms,
      budget_usd_month: next.targets.budget_usd_month ?? previous.targets.budget_usd_month,
    },
    constraints: {
      keep_models: [...new Set([...previous.constraints.keep_models, ...next.constraints.keep_models])],
      keep_feature_models: [...new Set([...previous.constraints.keep_feature_models, ...next.constraints.keep_feature_models])],
      avoid_providers: [...new Set([...previous.constraints.avoid_providers, ...next.constraints.avoid_providers])],
      latency_must_not_rise: previous.constraints.latency_must_not_rise || next.constraints.latency_must_not_rise,
      quality_must_not_drop: previous.constraints.quality_must_not_drop || next.constraints.quality_must_not_drop,
    },
    change: { from_model: next.change.from_model ?? previous.change.from_model, to_model: next.change.to_model ?? previous.change.to_model },
    catalog: next.catalog,
    levers: next.levers.length ? next.levers : previous.levers,
    breakdown_by: next.breakdown_by,
    measure: next.measure,
    thanks: next.thanks,
    // "what about p50?" after "is latency getting worse?": still the trend, now of p50
    trend: next.trend || (previous.trend && intents.every((i) => i === 'latency')),
    percentile: percentileNamed ? next.percentile : previous.percentile,
    step: next.step,
    follow_up: true,
  };
}

// Resolves the model strings telemetry carries ("openai/gpt-4o", "claude-3-5-sonnet-20241022",
// "bedrock/us.anthropic.claude-sonnet-4-6-v1:0", "Llama-3.3-70B-Instruct" + provider "groq") to a
// catalog model. Called once per call over millions of calls: Map lookups, memoized.
import { blendedPerM } from './cost';
import { CATALOG, catalogOrder } from './data';
import type { CatalogModel } from './types';

/** Provider spellings seen in telemetry (litellm, OpenRouter, OTel) → catalog provider. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai', azure: 'openai', azure_openai: 'openai', 'azure-openai': 'openai',
  anthropic: 'anthropic',
  google: 'google', gemini: 'google', vertex_ai: 'google', vertex: 'google', 'google-vertex': 'google',
  mistral: 'mistral', mistralai: 'mistral',
  deepseek: 'deepseek',
  xai: 'xai', 'x-ai': 'xai',
  cohere: 'cohere', cohere_chat: 'cohere',
  groq: 'groq',
  together: 'together', together_ai: 'together', togetherai: 'together',
  fireworks: 'fireworks', fireworks_ai: 'fireworks', 'fireworks-ai': 'fireworks',
  bedrock: 'bedrock', aws: 'bedrock', 'amazon-bedrock': 'bedrock', bedrock_converse: 'bedrock',
  cerebras: 'cerebras',
};

/** Leading path segments that only say where the call went ("openrouter/…", Gemini's "models/…"). */
const ROUTE_PREFIXES = new Set(['openrouter', 'models']);

/** Snapshot/version suffixes, stripped one at a time: "-2024-08-06", "-20241022", "@20240620", "-v2:0", "-latest", "-001". */
const SUFFIXES = [/-v\d+(:\d+)?$/, /[-@]\d{4}-?\d{2}-?\d{2}$/, /-\d{2}-\d{4}$/, /[-@]latest$/, /-\d{3}$/];

/** Bedrock cross-region inference profiles ("us.anthropic.…") and vendor prefixes ("anthropic.claude-…"). */
const BEDROCK_REGION = /^(us|eu|apac|au|jp|ca|us-gov|global)\./;
const BEDROCK_VENDOR = /^(anthropic|meta|mistral|amazon|openai|deepseek|google|cohere)\./;

// Every name of every model → its models, best first: exact id before alias before open-weights id,
// then cheapest (so an ambiguous name never overstates spend), then catalog order.
const INDEX = new Map<string, CatalogModel[]>();
{
  const ranked = new Map<string, { model: CatalogModel; level: number }[]>();
  const add = (key: string, model: CatalogModel, level: number) => {
    const k = key.toLowerCase();
    const list = ranked.get(k) ?? [];
    if (!list.some((e) => e.model === model)) list.push({ model, level });
    ranked.set(k, list);
  };
  for (const m of CATALOG) add(m.id, m, 0);
  for (const m of CATALOG) for (const a of m.aliases) add(a, m, 1);
  for (const m of CATALOG) if (m.open_model) add(m.open_model, m, 2);
  for (const [k, list] of ranked) {
    list.sort((a, b) => a.level - b.level || blendedPerM(a.model) - blendedPerM(b.model) || catalogOrder(a.model, b.model));
    INDEX.set(k, list.map((e) => e.model));
  }
}

/** Catalog provider for a telemetry provider string ("together_ai" → "together"); unknown ones pass through. */
export function normalizeProvider(provider: string): string {
  const p = provider.trim().toLowerCase();
  return PROVIDER_NAMES[p] ?? p;
}

/** The spellings to try for one name, most literal first, and the provider its path prefix names. */
function spellings(name: string): { keys: string[]; hint: string | undefined } {
  let s = name.trim().toLowerCase();
  const keys = [s];
  let hint: string | undefined;
  for (let slash = s.indexOf('/'); slash > 0; slash = s.indexOf('/')) {
    const head = s.slice(0, slash);
    if (!(head in PROVIDER_NAMES) && !ROUTE_PREFIXES.has(head)) break;
    hint ??= PROVIDER_NAMES[head];
    s = s.slice(slash + 1);
    keys.push(s);
  }
  const bases = [s, s.replace(BEDROCK_REGION, ''), s.replace(BEDROCK_REGION, '').replace(BEDROCK_VENDOR, '')];
  if (s.includes('/')) bases.push(s.slice(s.lastIndexOf('/') + 1));
  for (const base of bases) {
    let cur = base;
    keys.push(cur);
    for (let changed = true; changed; ) {
      changed = false;
      for (const re of SUFFIXES) {
        const next = cur.replace(re, '');
        if (next !== cur && next.length > 0) {
          cur = next;
          keys.push(cur);
          changed = true;
        }
      }
    }
  }
  return { keys, hint };
}

/** A model served by its own vendor (OpenAI's gpt-4o at openai, not a host's copy). */
const atHome = (m: CatalogModel) => m.provider === m.vendor;

/**
 * Tries the spellings in order. With a provider (given, or named by a path prefix) the first model at
 * that provider wins; without one, the first model served by its own vendor; failing both, the
 * best-ranked model of the first spelling that named anything.
 */
function resolve(name: string, provider: string | undefined): CatalogModel | undefined {
  const { keys, hint } = spellings(name);
  const want = provider ? normalizeProvider(provider) : hint;
  let fallback: CatalogModel | undefined;
  for (const key of keys) {
    const list = INDEX.get(key);
    if (!list) continue;
    fallback ??= list[0];
    const match = want ? list.find((m) => m.provider === want) : list.find(atHome);
    if (match) return match;
  }
  return fallback;
}

const MEMO_MAX = 50_000;
const memo = new Map<string, CatalogModel | null>();

/**
 * The catalog model a telemetry (model, provider) pair names, or undefined. Case-insensitive; accepts
 * exact ids, aliases, provider prefixes ("openai/…", "azure/…", "bedrock/…", "openrouter/…"), snapshot
 * suffixes ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022") and open-weights names. `provider`
 * picks among the providers of a model; when the catalog has the name but not at that provider, the
 * vendor's own or the best-ranked (exact id first, then cheapest) model stands in. Never throws.
 */
export function findModel(model: string, provider?: string): CatalogModel | undefined {
  if (typeof model !== 'string' || model.length === 0 || model.length > 300) return undefined;
  const key = provider ? `${provider}\u0000${model}` : model;
  const hit = memo.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = resolve(model, provider);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, found ?? null);
  return found;
}

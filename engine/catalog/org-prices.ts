// An org's own prices over the catalog: negotiated discounts (on one model, or every model of a provider) and
// fixed rates for custom or fine-tuned models, each in force from its effective date on. Rules are never edited:
// a new rule supersedes an older one from its own date, so the history stays and a call is always priced by
// the rule in force when it was made.
import { priceCall, type CallCost } from './cost';
import { findModel, normalizeProvider } from './lookup';
import type { CallUsage, CatalogModel, PriceList } from './types';

/** Fixed rates, $/1M tokens (a fine-tuned or custom model, or a negotiated rate card for one model). */
export interface OrgRates {
  input_per_m: number;
  output_per_m: number;
  cached_input_per_m?: number | null;
  cache_write_per_m?: number | null;
  cache_write_1h_per_m?: number | null;
}

export interface OrgPriceRule {
  id: string;
  provider: string;
  /** null = every model of the provider (a discount only). */
  model: string | null;
  /** Epoch ms from which the rule applies (to calls made at or after it). */
  effective_from: number;
  /** Fraction off the catalog cost (0.2 = 20 % off); null when `rates` are set. */
  discount: number | null;
  rates: OrgRates | null;
}

export interface OrgCallCost extends CallCost {
  /** The org rule that priced the call, null for the catalog price. */
  rule_id: string | null;
}

/** What a rule's model names: its catalog model when it resolves to one, else the literal (custom) name. */
function modelKey(provider: string, model: string): string {
  const m = findModel(model, provider);
  return m ? `${m.provider}/${m.id}` : `custom:${normalizeProvider(provider)}/${model.trim().toLowerCase()}`;
}

function ratesList(r: OrgRates): PriceList {
  const list: PriceList = { input_mtok: r.input_per_m, output_mtok: r.output_per_m };
  if (r.cached_input_per_m != null) list.cache_read_mtok = r.cached_input_per_m;
  if (r.cache_write_per_m != null) list.cache_write_mtok = r.cache_write_per_m;
  if (r.cache_write_1h_per_m != null) list.cache_write_1h_mtok = r.cache_write_1h_per_m;
  return list;
}

/** A model priced by fixed rates: the catalog model's identity and service tiers when there is one. */
function ratedModel(base: CatalogModel | undefined, provider: string, model: string, r: OrgRates): CatalogModel {
  const prices = ratesList(r);
  return {
    ...(base ?? {
      id: model, provider: normalizeProvider(provider), vendor: normalizeProvider(provider), open_model: null, aliases: [],
      batch_discount: 0, service_tiers: {}, cache_min_tokens: null, cache_ttl_s: null, context_window: 0, max_output_tokens: null,
      modality: 'text', tier: 'mid', source: { name: 'org price', date: '' },
    }),
    input_per_m: r.input_per_m,
    output_per_m: r.output_per_m,
    cached_input_per_m: r.cached_input_per_m ?? null,
    cache_write_per_m: r.cache_write_per_m ?? null,
    prices,
    price_periods: undefined,
  };
}

export class PriceBook {
  /** model key → rules, latest effective date first (ties: the later-created rule, i.e. the larger id). */
  private readonly byModel = new Map<string, OrgPriceRule[]>();
  private readonly byProvider = new Map<string, OrgPriceRule[]>();
  private readonly rated = new Map<string, CatalogModel>();

  constructor(readonly rules: readonly OrgPriceRule[]) {
    const order = (a: OrgPriceRule, b: OrgPriceRule) => b.effective_from - a.effective_from || (a.id < b.id ? 1 : -1);
    for (const r of rules) {
      const map = r.model === null ? this.byProvider : this.byModel;
      const key = r.model === null ? normalizeProvider(r.provider) : modelKey(r.provider, r.model);
      map.set(key, [...(map.get(key) ?? []), r].sort(order));
    }
  }

  static readonly empty = new PriceBook([]);

  /** The rule in force for a model at `ts`: the model's own, else its provider's; null = catalog price. */
  ruleFor(provider: string | undefined, model: string, ts: number): OrgPriceRule | null {
    if (this.rules.length === 0) return null;
    const catalog = findModel(model, provider);
    const p = provider ? normalizeProvider(provider) : (catalog?.provider ?? '');
    const own = this.byModel.get(catalog ? `${catalog.provider}/${catalog.id}` : `custom:${p}/${model.trim().toLowerCase()}`);
    const inForce = (list: OrgPriceRule[] | undefined) => list?.find((r) => r.effective_from <= ts) ?? null;
    return inForce(own) ?? (catalog ? inForce(this.byProvider.get(catalog.provider)) : null);
  }

  /**
   * A call's cost under the org's prices: the catalog model (or none for a custom model) repriced by the rule
   * in force at the call's time. null when neither the catalog nor a rule prices the model.
   */
  price(provider: string | undefined, model: string, usage: CallUsage & { timestamp: number }): OrgCallCost | null {
    const catalog = findModel(model, provider);
    const rule = this.ruleFor(provider, model, usage.timestamp);
    if (rule?.rates) {
      let m = this.rated.get(rule.id);
      if (!m) this.rated.set(rule.id, (m = ratedModel(catalog, rule.provider, rule.model ?? model, rule.rates)));
      return { ...priceCall(m, usage), rule_id: rule.id };
    }
    if (!catalog) return null;
    if (rule?.discount != null) return { ...priceCall(catalog, usage, 1 - rule.discount), rule_id: rule.id };
    return { ...priceCall(catalog, usage), rule_id: null };
  }
}

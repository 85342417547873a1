// The offline planner: which tools a request needs, in order, with their inputs (the same zod-validated
// inputs an LLM's tool calls must give). A greeting needs none; a latency question runs the latency table
// first; a spend-change question compares the window with the period before it.
import type { AgentRequest, Intent } from './request.js';
import type { AgentToolName } from './tools.js';

export interface PlannedCall {
  tool: AgentToolName;
  input: Record<string, unknown>;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The data's feature names the user's words refer to ("support chat" → "support-chat"); unknown words are kept as written. */
export function resolveFeatures(words: readonly string[], known: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const n = norm(w);
    const head = w.toLowerCase().split(/[^a-z0-9]+/)[0] ?? '';
    const hit =
      known.find((k) => norm(k) === n) ??
      known.find((k) => norm(k).startsWith(n) || (n.length >= 4 && norm(k).includes(n))) ??
      (head.length >= 4 ? known.find((k) => k.toLowerCase().split(/[^a-z0-9]+/)[0] === head) : undefined);
    out.push(hit ?? w);
  }
  return [...new Set(out)];
}

/** Intents that need the org's telemetry (the others are answered from the catalog, the savings ledger or the product docs). */
export const DATA_INTENTS: ReadonlySet<Intent> = new Set(['spend_change', 'spend_breakdown', 'user_spend', 'latency', 'caching', 'cut_cost', 'waste', 'errors', 'lever', 'what_if', 'compare_models']);

/** The request compares its window with the period before it (a spend change, a latency trend). */
export function comparesPeriods(request: AgentRequest): boolean {
  return request.intents.includes('spend_change') || request.trend;
}

export function needsData(request: AgentRequest): boolean {
  return request.intents.some((i) => DATA_INTENTS.has(i));
}

export function planTools(request: AgentRequest, knownFeatures: readonly string[]): PlannedCall[] {
  const scope = {
    features: resolveFeatures(request.scope.features, knownFeatures),
    models: request.scope.models,
    providers: request.scope.providers,
    exclude_features: resolveFeatures(request.scope.exclude_features, knownFeatures),
    exclude_providers: request.scope.exclude_providers,
  };
  const calls: PlannedCall[] = [];
  const add = (tool: AgentToolName, input: Record<string, unknown>) => {
    if (!calls.some((c) => c.tool === tool)) calls.push({ tool, input });
  };
  for (const intent of request.intents) {
    switch (intent) {
      case 'greeting':
      case 'send_data':
      case 'apply_step':
        break;
      case 'catalog':
        add('catalog_search', { min_context: request.catalog.min_context, tool_use: request.catalog.tool_use, limit: 5 });
        break;
      case 'compare_models': {
        const candidates = [...new Set([...request.scope.models, ...request.constraints.keep_models, ...(request.change.to_model ? [request.change.to_model] : []), ...(request.change.from_model ? [request.change.from_model] : [])])];
        if (candidates.length) add('compare_models', { candidates, features: scope.features });
        // "compare anthropic and openai": their spend side by side
        else add('spend_breakdown', { ...scope, by: scope.providers.length > 1 ? 'provider' : request.breakdown_by });
        break;
      }
      case 'what_if':
        add('what_if', {
          features: scope.features,
          models: request.change.from_model ? [request.change.from_model] : scope.models,
          providers: request.change.from_model ? [] : scope.providers,
          to_model: request.change.to_model,
          share: request.scope.share,
        });
        break;
      case 'spend_change':
        add('spend_change', scope);
        add('cost_anomalies', {});
        break;
      case 'spend_breakdown':
        add('spend_breakdown', { ...scope, by: request.breakdown_by });
        break;
      case 'waste':
        add('waste', scope);
        break;
      case 'errors':
        add('error_rates', { ...scope, by: request.breakdown_by === 'feature' ? 'feature' : 'model' });
        break;
      case 'lever':
        if (request.levers.length) add('levers', { ...scope, tools: request.levers });
        break;
      case 'realized':
        add('realized_savings', {});
        break;
      case 'user_spend':
        add('user_spend', { users: request.scope.users });
        break;
      case 'latency':
        if (request.trend) add('latency_change', { ...scope, percentile: request.percentile });
        add('latency_table', scope);
        add('latency_levers', scope);
        break;
      case 'caching':
        add('cache_tools', scope);
        break;
      case 'cut_cost':
        add('spend_breakdown', scope);
        add('optimizer', scope);
        break;
    }
  }
  return calls;
}

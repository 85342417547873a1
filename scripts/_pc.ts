import { parseRequest } from '../engine/agent/request';
for (const q of process.argv.slice(2)) {
  const r = parseRequest(q, Date.UTC(2026, 11, 4, 12), null, ['doc-qa', 'support-bot', 'chat', 'summarize', 'search']);
  const s = r.scope;
  console.log(JSON.stringify(q), '→', r.intents.join('+'), JSON.stringify({ f: s.features, m: s.models, p: s.providers, u: s.users, w: s.window?.phrase, by: r.breakdown_by, measure: r.measure, levers: r.levers, keep: r.constraints.keep_models, t: r.targets, ch: r.change }));
}

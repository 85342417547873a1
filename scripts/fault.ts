// `npm run fault`: the fault drills of bench/lib/faults.ts against a fresh app started as `npm start` starts it
// (local stack on free ports, with a redis-server of its own so that Redis itself restarts, + wrangler dev,
// bench/lib/app.ts) and a local fake OpenAI upstream; loopback only, a few minutes. Prints each drill's findings and exits 1 when a promise was broken.
import { startFakeLlm } from '../test/support/fake-llm';
import { startApp } from '../bench/lib/app';
import { broken, runDrills } from '../bench/lib/faults';

async function main(): Promise<void> {
  const fake = await startFakeLlm();
  const app = await startApp({ ownRedis: true });
  let failed = true;
  try {
    const f = await runDrills(app, fake, (line) => console.log(`· ${line}`));
    console.log(`\nfaults injected: ${f.faults_injected} (the Postgres relay, the ClickHouse server, the redis-server: stopped and started; the Worker: kill -9 and started)`);
    console.log(`ingested calls: ${f.records_acknowledged} acknowledged, ${f.records_lost} lost, ${f.records_duplicated} duplicated (ClickHouse FINAL)`);
    console.log(`gateway calls: ${f.gateway_calls_acknowledged} answered and ${f.gateway_calls_lost} of them unrecorded; ${f.gateway_calls_refused_by_budget} refused by the budget; spent ${f.budget.spent_nano} of ${f.budget.limit_nano} nano-USD${f.budget.overshot ? ' — OVERSHOT' : ''}`);
    console.log(`revoked tokens: ${f.revoked_tokens_checked} checked, ${f.revoked_tokens_accepted} accepted`);
    console.log('runs:');
    for (const r of f.runs) console.log(`  ${r.phase}: ${r.status}, ${r.completions} completion(s), ${r.duplicate_tool_calls} duplicate tool calls, ${r.after_restore_s === null ? '—' : `${r.after_restore_s.toFixed(1)} s after the fault ended`}`);
    console.log('answers during the outages:');
    for (const a of f.outage_answers) console.log(`  ${a.store} down: ${a.request} → ${a.status}${a.names ? ` (names ${a.names})` : ''}${a.body && a.names !== a.store ? ` ${a.body}` : ''}`);
    console.log(`secrets or tokens in the Worker's log: ${f.secrets_in_logs}`);
    const problems = broken(f);
    console.log(problems.length ? `\nBROKEN:\n${problems.map((p) => `  - ${p}`).join('\n')}` : '\nall checks held');
    failed = problems.length > 0;
  } finally {
    await app.stop();
    await fake.close();
  }
  process.exit(failed ? 1 : 0);
}

await main();

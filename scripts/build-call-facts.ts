// Builds (or brings up to date) the call facts of every org with calls in llm_calls (db/call-facts.ts), so no
// first question after a deploy waits for a build of the org's whole history. Safe to run twice: an hour
// already current is not rebuilt. `CLICKHOUSE_URL=… [CLICKHOUSE_USER=… CLICKHOUSE_PASSWORD=…] npm run facts:build`
import { ensureCallFacts } from '../db/call-facts';
import { openClickHouse } from '../db/clickhouse';

const url = process.env.CLICKHOUSE_URL;
if (!url) {
  console.error('set CLICKHOUSE_URL (and CLICKHOUSE_USER / CLICKHOUSE_PASSWORD / CLICKHOUSE_DATABASE as needed)');
  process.exit(2);
}
const ch = openClickHouse(
  { CLICKHOUSE_URL: url, CLICKHOUSE_USER: process.env.CLICKHOUSE_USER, CLICKHOUSE_PASSWORD: process.env.CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE: process.env.CLICKHOUSE_DATABASE },
  3_600_000,
);
try {
  const orgs = await (await ch.query({ query: 'SELECT DISTINCT org_id FROM llm_calls ORDER BY org_id', format: 'JSONEachRow' })).json<{ org_id: string }>();
  for (const { org_id } of orgs) {
    const started = performance.now();
    const { rebuilt_hours } = await ensureCallFacts(ch, org_id);
    console.log(`${org_id}: ${rebuilt_hours} hours rebuilt in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  await ch.close();
}

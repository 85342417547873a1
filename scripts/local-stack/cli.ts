// `npm run stack` (tsx scripts/local-stack/cli.ts): runs the local data stack alone, on fixed ports
// (NEON_RELAY_PORT 4444, CLICKHOUSE_PORT 8123, UPSTASH_PORT 8079) with its data in .local-stack/, prints the
// URLs as JSON and stops cleanly on Ctrl-C / SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startStack } from './stack';

const dataDir = fileURLToPath(new URL('../../.local-stack', import.meta.url));
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** The token `npm start` keeps in .local-stack/secrets.json, so both runs agree; else a fixed local one. */
function upstashToken(): string {
  const secrets = `${dataDir}/secrets.json`;
  const saved = existsSync(secrets) ? (JSON.parse(readFileSync(secrets, 'utf8')) as { upstashToken?: string }).upstashToken : undefined;
  return process.env.UPSTASH_REDIS_REST_TOKEN ?? saved ?? 'local-upstash-token';
}

try {
  const stack = await startStack({
    dataDir,
    ports: { neon: port('NEON_RELAY_PORT', 4444), clickhouse: port('CLICKHOUSE_PORT', 8123), upstash: port('UPSTASH_PORT', 8079) },
    pgDatabase: process.env.PGDATABASE_NAME ?? 'netra',
    redisDb: 0,
    redisToken: upstashToken(),
  });
  const { databaseUrl, neonWsProxy, neonHttpEndpoint, clickhouseUrl, upstashUrl } = stack;
  console.log(JSON.stringify({ databaseUrl, neonWsProxy, neonHttpEndpoint, clickhouseUrl, upstashUrl, upstashToken: stack.upstashToken }, null, 2));
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

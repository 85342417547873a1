// `npm start`: the local stack (Postgres, ClickHouse on chdb, Redis, with their adapters), migrations, the web
// app build, the API Worker + Durable Objects under `wrangler dev`, demo seed data; prints the URL and a demo
// login. Ctrl-C stops everything. Data stays in .local-stack/ between runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { startStack, type LocalStack } from './local-stack/stack';
import { migrateAll } from './migrate';
import { DEMO_LOGIN, seedDemo } from './seed';

const DATA_DIR = '.local-stack';
const PORT = Number(process.env.PORT ?? 8787);
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

function localSecrets(): { jwtSecret: string; upstashToken: string } {
  const path = `${DATA_DIR}/secrets.json`;
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as { jwtSecret: string; upstashToken: string };
  const secrets = { jwtSecret: randomBytes(32).toString('hex'), upstashToken: randomBytes(24).toString('hex') };
  writeFileSync(path, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

function writeDevVars(stack: LocalStack, secrets: { jwtSecret: string }): void {
  const vars: Record<string, string> = {
    ENVIRONMENT: 'development',
    DATABASE_URL: stack.databaseUrl,
    NEON_WS_PROXY: stack.neonWsProxy,
    NEON_HTTP_ENDPOINT: stack.neonHttpEndpoint,
    CLICKHOUSE_URL: stack.clickhouseUrl,
    UPSTASH_REDIS_REST_URL: stack.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
    JWT_SECRET: secrets.jwtSecret,
    // Stable across runs (derived from the stored JWT secret) so stored provider keys stay readable.
    GATEWAY_ENCRYPTION_KEY: createHash('sha256').update(`gateway:${secrets.jwtSecret}`).digest('base64'),
    CORS_ORIGINS: `http://localhost:${PORT},http://127.0.0.1:${PORT},http://localhost:5173`,
  };
  writeFileSync('.dev.vars', Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the app did not become ready at ${url} within ${timeoutMs / 1000}s`);
}

async function portFree(p: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${p}/health`, { signal: AbortSignal.timeout(500) });
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  if (!(await portFree(PORT))) {
    console.error(`Netra Apex already seems to be running on http://localhost:${PORT} (or the port is taken). Stop it first, or set PORT.`);
    process.exit(1);
  }
  const secrets = localSecrets();
  let stack: LocalStack;
  try {
    stack = await startStack({
      dataDir: DATA_DIR,
      ports: { neon: port('NEON_RELAY_PORT', 4444), clickhouse: port('CLICKHOUSE_PORT', 8123), upstash: port('UPSTASH_PORT', 8079) },
      pgDatabase: process.env.PGDATABASE_NAME ?? 'netra',
      redisDb: 0,
      redisToken: secrets.upstashToken,
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  await migrateAll({ databaseUrl: stack.databaseUrl, clickhouseUrl: stack.clickhouseUrl });
  writeDevVars(stack, secrets);
  execFileSync('npm', ['run', '--silent', 'build:web'], { stdio: 'inherit' });

  const wrangler: ChildProcess = spawn('node_modules/.bin/wrangler', ['dev', '--local', '--port', String(PORT), '--ip', '127.0.0.1', '--persist-to', `${DATA_DIR}/wrangler`, '--show-interactive-dev-session=false'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true, // own process group: stopping it also stops its workerd children
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      if (wrangler.pid) process.kill(-wrangler.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  wrangler.on('exit', (code) => void stop(code ?? 1));

  const url = `http://localhost:${PORT}`;
  await waitReady(url, 60_000);
  const seeded = await seedDemo(url);
  console.log(`
  Netra Apex is running: ${url}
  Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}  (${seeded})
  Stores: Postgres ${stack.databaseUrl.replace(/\/\/[^@]*@/, '//')} · ClickHouse ${stack.clickhouseUrl} · Redis via ${stack.upstashUrl}
  Ctrl-C stops the app and the local stack (data stays in ${DATA_DIR}/).
`);
}

await main();

// Starts the real local stack (Postgres + Neon relay, ClickHouse on chdb, Redis + Upstash REST) for the
// workers tests, on free ports with a throw-away data dir and database, applies the migrations, and
// serves a small control endpoint so tests in workerd can stop/start ClickHouse to simulate outages.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack, type LocalStack } from '../scripts/local-stack/stack';
import { migrateAll } from '../scripts/migrate';
import { startOidcIssuer, type OidcIssuer } from './support/oidc-issuer';
import { validateOpenApi } from './support/openapi-validator';
import type { TestStack } from './support/stack-context';
import pg from 'pg';

let stack: LocalStack | undefined;
let control: Server | undefined;
let dataDir: string | undefined;
let oidc: OidcIssuer | undefined;

const GOOGLE_CLIENT = { clientId: 'netra-test-client.apps.example', clientSecret: 'test-google-client-secret' };

function startControl(s: LocalStack): Promise<{ server: Server; url: string }> {
  const actions: Record<string, () => Promise<void>> = {
    '/clickhouse/stop': () => s.clickhouse.stop(),
    '/clickhouse/start': () => s.clickhouse.start(),
  };
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/openapi/validate') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        validateOpenApi(JSON.parse(Buffer.concat(chunks).toString('utf8'))).then(
          (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      });
      return;
    }
    const action = req.method === 'POST' ? actions[req.url ?? ''] : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action().then(
      () => res.writeHead(204).end(),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
    }),
  );
}

export async function setup(project: TestProject): Promise<void> {
  dataDir = await mkdtemp(join(tmpdir(), 'netra-test-'));
  stack = await startStack({
    dataDir,
    // A database of this run's own: no state leaks between runs; dropped in teardown.
    pgDatabase: `netra_test_${process.pid}`,
    // Redis logical database: 1 unless NETRA_TEST_REDIS_DB picks another, so two checkouts can test at once.
    redisDb: Number(process.env.NETRA_TEST_REDIS_DB ?? 1),
    redisToken: 'test-upstash-token',
  });
  await migrateAll({ databaseUrl: stack.databaseUrl, clickhouseUrl: stack.clickhouseUrl });
  const ctl = await startControl(stack);
  control = ctl.server;
  oidc = await startOidcIssuer(GOOGLE_CLIENT);
  const provided: TestStack = {
    databaseUrl: stack.databaseUrl,
    neonWsProxy: stack.neonWsProxy,
    neonHttpEndpoint: stack.neonHttpEndpoint,
    clickhouseUrl: stack.clickhouseUrl,
    upstashUrl: stack.upstashUrl,
    upstashToken: stack.upstashToken,
    jwtSecret: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
    controlUrl: ctl.url,
    googleIssuer: oidc.url,
    googleClientId: GOOGLE_CLIENT.clientId,
    googleClientSecret: GOOGLE_CLIENT.clientSecret,
  };
  project.provide('stack', provided);
}

export async function teardown(): Promise<void> {
  await oidc?.stop();
  await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
  if (stack) {
    const { databaseUrl } = stack;
    await stack.stop();
    await dropDatabase(databaseUrl);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
}

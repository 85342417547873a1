// Starts the real local stack (Postgres + Neon relay, ClickHouse on chdb, Redis + Upstash REST) for the
// workers tests, on free ports with a throw-away data dir and database, applies the migrations, and
// serves a small control endpoint so tests in workerd can stop/start ClickHouse to simulate outages. Also a
// local LLM provider (test/support/fake-llm.ts) with a script endpoint, for the `workers-llm` project.
// Both workers projects call this setup; the stack starts once per process (chdb holds one data directory
// per process) and stops after the last project's teardown.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack, type LocalStack } from '../scripts/local-stack/stack';
import { migrateAll } from '../scripts/migrate';
import { startFakeLlm, type FakeLlm } from './support/fake-llm';
import type { ScriptedTurn } from './support/llm-script';
import { startOidcIssuer, type OidcIssuer } from './support/oidc-issuer';
import { checkExchanges, validateOpenApi } from './support/openapi-validator';
import { startFakeMail, type FakeMail } from './support/fake-mail';
import type { TestLlm, TestStack } from './support/stack-context';
import pg from 'pg';

interface Started {
  stack: LocalStack;
  dataDir: string;
  control: Server;
  oidc: OidcIssuer;
  llm: FakeLlm;
  llmControl: Server;
  mail: FakeMail;
  provided: { stack: TestStack; llm: TestLlm };
}

// Kept on globalThis: each vitest project loads this module on its own, but they share the process.
const shared = globalThis as { __netraTestStack?: Promise<Started>; __netraTestStackUsers?: number };

const GOOGLE_CLIENT = { clientId: 'netra-test-client.apps.example', clientSecret: 'test-google-client-secret' };

function startControl(s: LocalStack): Promise<{ server: Server; url: string }> {
  const actions: Record<string, () => Promise<void>> = {
    '/clickhouse/stop': () => s.clickhouse.stop(),
    '/clickhouse/start': () => s.clickhouse.start(),
    '/clickhouse/hold': async () => s.clickhouse.hold(),
    '/clickhouse/release': async () => s.clickhouse.release(),
  };
  // The document's own validity, and the typed client's exchanges against it (test/workers/typed-client*.test.ts).
  type ExchangesBody = { document: Parameters<typeof checkExchanges>[0]; exchanges: Parameters<typeof checkExchanges>[1] };
  const openapiChecks: Record<string, (body: unknown) => Promise<unknown>> = {
    '/openapi/validate': (doc) => validateOpenApi(doc),
    '/openapi/exchanges': (b) => checkExchanges((b as ExchangesBody).document, (b as ExchangesBody).exchanges),
  };
  const server = createServer((req, res) => {
    const openapi = req.method === 'POST' ? openapiChecks[req.url ?? ''] : undefined;
    if (openapi) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        openapi(JSON.parse(Buffer.concat(chunks).toString('utf8'))).then(
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
  return listen(server).then((url) => ({ server, url }));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
    }),
  );
}

/** Lets tests in workerd script the fake LLM's next turns and see which requests it received. */
async function startLlmControl(llm: FakeLlm): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/script') {
        const { turns } = JSON.parse(body) as { turns: ScriptedTurn[] };
        llm.script.splice(0, llm.script.length, ...turns);
        llm.requests.length = 0;
        return void res.writeHead(204).end();
      }
      if (req.method === 'GET' && req.url === '/requests') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ requests: llm.requests.map((r) => ({ path: r.path })), script_left: llm.script.length }));
      }
      res.writeHead(404).end();
    });
  });
  return { server, url: await listen(server) };
}

export async function setup(project: TestProject): Promise<void> {
  shared.__netraTestStackUsers = (shared.__netraTestStackUsers ?? 0) + 1;
  shared.__netraTestStack ??= start();
  const { provided } = await shared.__netraTestStack;
  project.provide('stack', provided.stack);
  project.provide('llm', provided.llm);
}

async function start(): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'netra-test-'));
  const stack = await startStack({
    dataDir,
    // A database of this run's own: no state leaks between runs; dropped in teardown.
    pgDatabase: `netra_test_${process.pid}`,
    // Redis logical database: 1 unless NETRA_TEST_REDIS_DB picks another, so two checkouts can test at once.
    redisDb: Number(process.env.NETRA_TEST_REDIS_DB ?? 1),
    redisToken: 'test-upstash-token',
  });
  await migrateAll({ databaseUrl: stack.databaseUrl, clickhouseUrl: stack.clickhouseUrl });
  const ctl = await startControl(stack);
  const oidc = await startOidcIssuer(GOOGLE_CLIENT);
  const llm = await startFakeLlm();
  const llmControl = await startLlmControl(llm);
  const mail = await startFakeMail();
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
    fakeLlmUrl: llm.url,
    fakeLlmKey: llm.key,
    fakeMailUrl: mail.url,
    fakeMailKey: mail.key,
  };
  return {
    stack,
    dataDir,
    control: ctl.server,
    oidc,
    llm,
    llmControl: llmControl.server,
    mail,
    provided: { stack: provided, llm: { url: llm.url, key: llm.key, controlUrl: llmControl.url } },
  };
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function teardown(): Promise<void> {
  shared.__netraTestStackUsers = (shared.__netraTestStackUsers ?? 1) - 1;
  if (shared.__netraTestStackUsers > 0 || !shared.__netraTestStack) return;
  const started = await shared.__netraTestStack;
  shared.__netraTestStack = undefined;
  await started.oidc.stop();
  await closeServer(started.control);
  await closeServer(started.llmControl);
  await started.llm.close();
  await started.mail.close();
  const { databaseUrl } = started.stack;
  await started.stack.stop();
  await dropDatabase(databaseUrl);
  await rm(started.dataDir, { recursive: true, force: true });
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
}

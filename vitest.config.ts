// Four projects: `node` (pure engine and local-stack adapters, plain Node), `workers` (the Worker and
// Durable Object in workerd, against the real local stack started by test/global-setup.ts), `workers-llm`
// (the same, with an LLM provider configured: a local server speaking the providers' wire formats, for the
// agent's LLM planning loop inside the Durable Object) and `browser` (the web app in Debian's Chromium via
// playwright-core, against the app under `wrangler dev` as `npm start` runs it).
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

function workersProject(name: string, include: string, withLlm: boolean): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const stack = inject('stack');
        const llm = withLlm ? inject('llm') : null;
        return {
          main: './workers/index.ts',
          wrangler: { configPath: './wrangler.toml' },
          miniflare: {
            bindings: {
              ENVIRONMENT: 'test',
              DATABASE_URL: stack.databaseUrl,
              NEON_WS_PROXY: stack.neonWsProxy,
              NEON_HTTP_ENDPOINT: stack.neonHttpEndpoint,
              CLICKHOUSE_URL: stack.clickhouseUrl,
              CLICKHOUSE_USER: 'default',
              CLICKHOUSE_PASSWORD: '',
              UPSTASH_REDIS_REST_URL: stack.upstashUrl,
              UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
              JWT_SECRET: stack.jwtSecret,
              STACK_CONTROL_URL: stack.controlUrl,
              GOOGLE_ISSUER: stack.googleIssuer,
              GOOGLE_CLIENT_ID: stack.googleClientId,
              GOOGLE_CLIENT_SECRET: stack.googleClientSecret,
              FAKE_LLM_URL: stack.fakeLlmUrl,
              FAKE_LLM_KEY: stack.fakeLlmKey,
              FAKE_MAIL_URL: stack.fakeMailUrl,
              FAKE_MAIL_KEY: stack.fakeMailKey,
              // 32 bytes, base64: the test key of the gateway's provider-key encryption.
              GATEWAY_ENCRYPTION_KEY: 'dGVzdC1nYXRld2F5LWtleS0wMTIzNDU2Nzg5YWJjZGU=',
              ...(llm ? { OPENAI_API_KEY: llm.key, OPENAI_BASE_URL: `${llm.url}/v1`, LLM_CONTROL_URL: llm.controlUrl } : {}),
            },
          },
        };
      }),
    ],
    test: {
      name,
      include: [include],
      // Outage tests stop the shared ClickHouse: files run one at a time so no other file sees it.
      fileParallelism: false,
      // One stack per vitest process. `npm test` runs workers-llm in a second process after the first
      // (vitest's groupOrder was seen running both workers projects at once): the outage tests of `workers`
      // never stop ClickHouse under it, and its scripted LLM turns never reach the gateway tests' upstream.
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
}

export default defineConfig({
  test: {
    // Request logs of passing tests are noise; a failing test still shows its output.
    silent: 'passed-only',
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      workersProject('workers', 'test/workers/**/*.test.ts', false),
      workersProject('workers-llm', 'test/workers-llm/**/*.test.ts', true),
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          // One app + one Chromium per file; the steps of a file build on each other, in order.
          fileParallelism: false,
          // Beside node + workers: the browser tests start their own app and stack.
          sequence: { concurrent: false },
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

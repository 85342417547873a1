// Two projects: `node` (pure engine and local-stack adapters, plain Node) and `workers`
// (the Worker and Durable Object in workerd, against the real local stack started by test/global-setup.ts).
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

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
      {
        plugins: [
          cloudflareTest(({ inject }) => {
            const stack = inject('stack');
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
                  // 32 bytes, base64: the test key of the gateway's provider-key encryption.
                  GATEWAY_ENCRYPTION_KEY: 'dGVzdC1nYXRld2F5LWtleS0wMTIzNDU2Nzg5YWJjZGU=',
                },
              },
            };
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          // Outage tests stop the shared ClickHouse: files run one at a time so no other file sees it.
          fileParallelism: false,
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

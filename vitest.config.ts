// Three projects: `node` (pure engine and local-stack adapters, plain Node), `workers` (the Worker and Durable
// Object in workerd, against the real local stack started by test/global-setup.ts) and `browser` (the web app in
// Debian's Chromium via playwright-core, against the app under `wrangler dev` as `npm start` runs it).
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
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          // One app + one Chromium per file; the steps of a file build on each other, in order.
          fileParallelism: false,
          sequence: { concurrent: false },
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

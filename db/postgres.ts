// Postgres through Neon's serverless driver (WebSocket Pool) + drizzle. One pool per request or
// DO call, closed by the caller (ctx.waitUntil) — never a connection in module scope.
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonDatabase } from 'drizzle-orm/neon-serverless';
import * as schema from './schema';

export type Db = NeonDatabase<typeof schema>;

export interface PostgresEnv {
  DATABASE_URL: string;
  /** Local development only: "127.0.0.1:PORT/v1", the WebSocket→TCP relay of the local stack. */
  NEON_WS_PROXY?: string;
}

function configureLocalProxy(proxy: string | undefined): void {
  if (!proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

export interface DbHandle {
  db: Db;
  pool: Pool;
  close(): Promise<void>;
}

export function openDb(env: PostgresEnv): DbHandle {
  configureLocalProxy(env.NEON_WS_PROXY);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4, connectionTimeoutMillis: 5_000 });
  // A failing idle client must not surface as an unhandled error.
  pool.on('error', () => {});
  return { db: drizzle({ client: pool, schema }), pool, close: () => pool.end().catch(() => {}) };
}

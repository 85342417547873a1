// Per-request access to the data stores, opened lazily on first use and closed after the response.
import type { Context, MiddlewareHandler } from 'hono';
import { openClickHouse, type ClickHouseClient } from '../../db/clickhouse';
import { openDb, type Db, type DbHandle } from '../../db/postgres';
import { openRedis } from '../../db/redis';
import type { OrgRole } from '../../db/schema';
import type { Redis } from '../../db/redis';

export interface Services {
  db(): Db;
  clickhouse(): ClickHouseClient;
  redis(): Redis;
}

/** close(): null when nothing needing a close was opened (Redis is plain HTTP). */
export function createServices(env: Env): Services & { close(): Promise<void> | null } {
  let pg: DbHandle | undefined;
  let ch: ClickHouseClient | undefined;
  let redis: Redis | undefined;
  return {
    db: () => (pg ??= openDb(env)).db,
    clickhouse: () => (ch ??= openClickHouse(env)),
    redis: () => (redis ??= openRedis(env)),
    close() {
      if (!pg && !ch) return null;
      return Promise.all([pg?.close(), ch?.close().catch(() => {})]).then(() => {});
    },
  };
}

export function services(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const s = createServices(c.env);
    c.set('services', s);
    try {
      await next();
    } finally {
      const closing = s.close();
      if (closing) waitUntil(c, closing);
    }
  };
}

/** ctx.waitUntil when running in a request, else just let the promise run (tests calling handlers directly). */
export function waitUntil(c: Context, promise: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    void promise;
  }
}

/**
 * Work for after the response is written: a timer turn later (microtasks would still run before the runtime
 * writes it), kept alive by waitUntil. For what the answer does not need: logs, settling, recording.
 */
export function afterResponse(c: Context, work: () => unknown): void {
  waitUntil(c, new Promise((resolve) => setTimeout(resolve, 0)).then(work));
}

export type Tier = 'free' | 'early' | 'mid' | 'enterprise';
export type ApiKeyScope = 'ingest' | 'read' | 'gateway';

/** The verified caller, set by the auth middleware (workers/auth). Never holds a raw token. */
export interface Auth {
  kind: 'user' | 'key';
  org_id: string;
  /** The signed-in user, or the user who created the API key (null if that user is gone). */
  user_id: string | null;
  key_id: string | null;
  /** The role the access token was issued with; routes that manage the org re-read it (workers/orgs/membership.ts). */
  role: OrgRole | null;
  tier: Tier;
  /** JWT callers hold every scope; API keys hold the scopes they were created with. */
  scopes: ApiKeyScope[];
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    services: Services;
    auth: Auth;
  };
}

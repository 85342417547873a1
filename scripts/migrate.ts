// Applies the Postgres (drizzle) and ClickHouse (.sql) migrations, recording what was applied;
// safe to run twice. `npm run migrate` uses DATABASE_URL / CLICKHOUSE_URL (or the local stack's).
import { createClient } from '@clickhouse/client-web';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface MigrationTargets {
  databaseUrl: string;
  clickhouseUrl: string;
  clickhouseUser?: string;
  clickhousePassword?: string;
}

export async function migratePostgres(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // drizzle's migrator takes an advisory-free path; serialize concurrent runs ourselves.
    await client.query('select pg_advisory_lock(727001)');
    await migrate(drizzle(client), { migrationsFolder: `${root}migrations/postgres` });
  } finally {
    await client.query('select pg_advisory_unlock(727001)').catch(() => {});
    await client.end();
  }
}

/** Applies migrations/clickhouse/*.sql in name order, each once, recorded in `schema_migrations`. Returns the names applied now. */
export async function migrateClickHouse(url: string, user = 'default', password = ''): Promise<string[]> {
  const ch = createClient({ url, username: user, password });
  try {
    await ch.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
              ENGINE = ReplacingMergeTree ORDER BY name`,
    });
    const done = new Set(
      (await (await ch.query({ query: 'SELECT name FROM schema_migrations FINAL', format: 'JSONEachRow' })).json<{ name: string }>()).map(
        (r) => r.name,
      ),
    );
    const dir = `${root}migrations/clickhouse`;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const text = await readFile(`${dir}/${file}`, 'utf8');
      for (const statement of splitStatements(text)) await ch.command({ query: statement });
      await ch.insert({ table: 'schema_migrations', values: [{ name: file }], format: 'JSONEachRow' });
      applied.push(file);
    }
    return applied;
  } finally {
    await ch.close();
  }
}

/** Splits a .sql file on semicolons at line ends, dropping comment-only chunks. */
function splitStatements(text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}

export async function migrateAll(t: MigrationTargets): Promise<void> {
  await migratePostgres(t.databaseUrl);
  await migrateClickHouse(t.clickhouseUrl, t.clickhouseUser, t.clickhousePassword);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const databaseUrl = process.env.DATABASE_URL;
  const clickhouseUrl = process.env.CLICKHOUSE_URL;
  if (!databaseUrl || !clickhouseUrl) {
    console.error('set DATABASE_URL and CLICKHOUSE_URL (npm start sets them for the local stack)');
    process.exit(2);
  }
  await migrateAll({ databaseUrl, clickhouseUrl, clickhouseUser: process.env.CLICKHOUSE_USER, clickhousePassword: process.env.CLICKHOUSE_PASSWORD });
  console.log('migrations applied');
}

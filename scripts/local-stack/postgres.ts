// Finds a PostgreSQL server for local development and tests, starting (or, as root, installing) the Debian
// cluster when needed: DATABASE_URL if reachable, else postgres@127.0.0.1:<port> with trust auth.
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { aptInstall, isRoot, run, waitFor, which } from './util';

export interface PostgresHandle {
  /** postgres://… of the server's `postgres` database. */
  url: string;
  /** Present when this call started the server: stops it again. */
  stop?: () => Promise<void>;
}

interface Cluster {
  version: string;
  name: string;
  port: number;
  online: boolean;
}

/** Connects once; resolves with the error, or undefined when the server answered. */
async function probe(url: string): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await client.end().catch(() => {});
  }
}

async function clusters(): Promise<Cluster[]> {
  if (!(await which('pg_lsclusters'))) return [];
  const { stdout } = await run('pg_lsclusters', ['-h']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4)
    .map(([version = '', name = '', port = '', status = '']) => ({ version, name, port: Number(port), online: status.startsWith('online') }));
}

/** Lets any local user connect over 127.0.0.1 without a password: only for a cluster this module installed. */
async function trustLocalhost(c: Cluster): Promise<void> {
  const hba = `/etc/postgresql/${c.version}/${c.name}/pg_hba.conf`;
  await writeFile(hba, `host all all 127.0.0.1/32 trust # local-stack\n${await readFile(hba, 'utf8')}`);
  if (c.online) await run('pg_ctlcluster', ['--skip-systemctl-redirect', c.version, c.name, 'reload']);
}

export async function ensurePostgres(opts: { port?: number } = {}): Promise<PostgresHandle> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv && !(await probe(fromEnv))) return { url: fromEnv };
  const port = opts.port ?? 5432;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  if (!(await probe(url))) return { url };

  const installed = !(await which('pg_lsclusters')) && isRoot();
  if (installed) await aptInstall('postgresql');
  const candidates = (await clusters()).filter((c) => c.port === port);
  const cluster = candidates.find((c) => c.name === 'main') ?? candidates[0];
  if (!cluster) {
    throw new Error(
      `No PostgreSQL found: ${fromEnv ? 'DATABASE_URL is unreachable, ' : ''}nothing answers on 127.0.0.1:${port} and no local cluster uses that port. ` +
        `Install PostgreSQL (Debian: apt-get install -y postgresql, with "host all all 127.0.0.1/32 trust" in pg_hba.conf) or set DATABASE_URL.`,
    );
  }
  const unreachable = (cause: Error | undefined) =>
    new Error(
      `PostgreSQL ${cluster.version}/${cluster.name} runs on port ${port} but ${url} fails: ${cause?.message}. ` +
        `Allow trust auth for 127.0.0.1 in /etc/postgresql/${cluster.version}/${cluster.name}/pg_hba.conf, or set DATABASE_URL.`,
    );
  if (installed) await trustLocalhost(cluster);
  else if (cluster.online) throw unreachable(await probe(url));
  const ctl = (action: string) => run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, action]);
  if (!cluster.online) await ctl('start');
  let last: Error | undefined;
  await waitFor(async () => !(last = await probe(url)), 10_000, 'PostgreSQL').catch(() => {
    throw unreachable(last);
  });
  return cluster.online ? { url } : { url, stop: async () => void (await ctl('stop')) };
}

/** Creates database `name` on the server of `url` unless it exists; resolves with the URL of that database. */
export async function ensureDatabase(url: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        // 42P04 duplicate_database / 23505 unique_violation: created concurrently by someone else.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${encodeURIComponent(name)}`;
  return dbUrl.toString();
}

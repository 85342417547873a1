// scripts/preview.ts against a local stand-in of the Neon API (node:http, the API's wire shapes, Bearer key
// checked, requests recorded) whose branches connect to a fresh database on the local Postgres; wrangler runs
// for real with `--dry-run` (PREVIEW_DRY_RUN=1), its secret and delete commands printed, not run.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slugBranch } from '../../../scripts/preview';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const API_KEY = 'neon-test-key-5f2c9a';
const PROJECT = 'proj-stand-in';
const database = `netra_preview_test_${process.pid}`;
const adminUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';
const branchUri = `postgresql://postgres@127.0.0.1:5432/${database}`;

interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** The Neon API stand-in: branches in memory, every request recorded. */
function neonStandIn(): { server: Server; seen: Seen[]; branches: Map<string, string> } {
  const seen: Seen[] = [];
  const branches = new Map<string, string>(); // id -> name
  let next = 1;
  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? JSON.parse(text) : undefined;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://stand-in');
    const body = await readBody(req);
    seen.push({ method: req.method!, path: url.pathname + url.search, auth: req.headers.authorization, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return send(401, { code: '', message: 'authorization failed' });
    const base = `/api/v2/projects/${PROJECT}`;
    const list = () => [...branches].map(([id, name]) => ({ id, name, project_id: PROJECT }));
    if (req.method === 'GET' && url.pathname === `${base}/branches`) return send(200, { branches: list() });
    if (req.method === 'POST' && url.pathname === `${base}/branches`) {
      const id = `br-stand-in-${next++}`;
      const name = (body as { branch: { name: string } }).branch.name;
      branches.set(id, name);
      return send(201, {
        branch: { id, name, project_id: PROJECT },
        endpoints: [{ id: `ep-${id}`, type: 'read_write', branch_id: id }],
        connection_uris: [
          {
            connection_uri: branchUri,
            connection_parameters: { database, role: 'postgres', password: '', host: '127.0.0.1', pooler_host: '127.0.0.1' },
          },
        ],
      });
    }
    if (req.method === 'GET' && url.pathname === `${base}/connection_uri`) {
      if (!branches.has(url.searchParams.get('branch_id') ?? '')) return send(404, { code: '', message: 'branch not found' });
      return send(200, { uri: branchUri });
    }
    const del = new RegExp(`^${base}/branches/([\\w-]+)$`).exec(url.pathname);
    if (req.method === 'DELETE' && del && branches.has(del[1]!)) {
      const name = branches.get(del[1]!)!;
      branches.delete(del[1]!);
      return send(200, { branch: { id: del[1], name, project_id: PROJECT } });
    }
    send(404, { code: '', message: 'not found' });
  });
  return { server, seen, branches };
}

function runPreview(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, ['scripts/preview.ts', ...args], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', PREVIEW_DRY_RUN: '1', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('preview script against the Neon API stand-in', () => {
  const stand = neonStandIn();
  let env: Record<string, string>;
  const gitBranch = 'Feature/Preview_Test!';
  const worker = 'netra-apex-pr-feature-preview-test';
  const neonBranch = 'preview-feature-preview-test';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    await new Promise<void>((r) => stand.server.listen(0, '127.0.0.1', r));
    const port = (stand.server.address() as AddressInfo).port;
    env = { NEON_API_KEY: API_KEY, NEON_PROJECT_ID: PROJECT, NEON_API_URL: `http://127.0.0.1:${port}/api/v2/` };
  });

  afterAll(async () => {
    await new Promise((r) => stand.server.close(r));
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('slugs branch names to [a-z0-9-], at most 40 characters', () => {
    expect(slugBranch('Feature/Preview_Test!')).toBe('feature-preview-test');
    expect(slugBranch('--dependabot/npm_and_yarn/Some.Package-1.2.3--')).toBe('dependabot-npm-and-yarn-some-package-1-2');
    expect(slugBranch('a'.repeat(39) + '/b')).toBe('a'.repeat(39));
    expect(() => slugBranch('///')).toThrow(/no letter or digit/);
  });

  it('up creates the Neon branch, migrates it and dry-runs the deploy', async () => {
    const sharedClickHouse = 'https://shared-preview-ch.example:8443';
    const { code, out } = await runPreview(['up', '--branch', gitBranch], { ...env, CLICKHOUSE_URL: sharedClickHouse });
    expect(code, out).toBe(0);
    const posts = stand.seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe(`/api/v2/projects/${PROJECT}/branches`);
    expect(posts[0]!.body).toEqual({ branch: { name: neonBranch }, endpoints: [{ type: 'read_write' }] });
    expect(stand.seen.every((s) => s.auth === `Bearer ${API_KEY}`)).toBe(true);
    expect([...stand.branches.values()]).toEqual([neonBranch]);

    const db = new pg.Client({ connectionString: branchUri });
    await db.connect();
    const tables = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('orgs', 'api_keys', 'threads')`,
    );
    const orgs = await db.query('SELECT count(*) FROM orgs');
    await db.end();
    expect(Number(tables.rows[0]!.n)).toBe(3);
    expect(orgs.rowCount).toBe(1);

    expect(out).toContain(worker);
    expect(out).toContain('--dry-run: exiting now.'); // wrangler's own line: it built the bundle
    expect(out).toContain(`dry run: wrangler secret put DATABASE_URL --env preview --name ${worker}`);
    // The shared ClickHouse reaches the preview Worker as a secret too; a value is never printed.
    expect(out).toContain(`dry run: wrangler secret put CLICKHOUSE_URL --env preview --name ${worker}`);
    expect(out).not.toContain(sharedClickHouse);
    expect(out).not.toContain(branchUri);
    expect(out).not.toContain(API_KEY);
  }, 240_000);

  it('up again reuses the branch by name and asks Neon for its connection URI', async () => {
    const before = stand.seen.length;
    const { code, out } = await runPreview(['up', '--branch', gitBranch], env);
    expect(code, out).toBe(0);
    const now = stand.seen.slice(before);
    expect(now.filter((s) => s.method === 'POST')).toHaveLength(0);
    const id = [...stand.branches.keys()][0]!;
    const uriCall = now.find((s) => s.path.startsWith(`/api/v2/projects/${PROJECT}/connection_uri?`));
    expect(uriCall).toBeDefined();
    expect(new URL(uriCall!.path, 'http://x').searchParams.get('branch_id')).toBe(id);
    expect(out).toContain(`reusing Neon branch ${neonBranch} (${id})`);
  }, 240_000);

  it('down deletes the Worker (printed in a dry run) and the Neon branch', async () => {
    const id = [...stand.branches.keys()][0]!;
    const { code, out } = await runPreview(['down', '--branch', gitBranch], env);
    expect(code, out).toBe(0);
    expect(out).toContain(`dry run: wrangler delete --name ${worker} --force`);
    expect(stand.seen.some((s) => s.method === 'DELETE' && s.path === `/api/v2/projects/${PROJECT}/branches/${id}`)).toBe(true);
    expect(stand.branches.size).toBe(0);
  }, 120_000);

  it('a wrong API key is a clear error with the status, a non-zero exit and no key in the output', async () => {
    const wrongKey = 'wrong-key-93d1e7';
    const { code, out } = await runPreview(['up', '--branch', gitBranch], { ...env, NEON_API_KEY: wrongKey });
    expect(code).toBe(1);
    expect(out).toMatch(/Neon API GET \/branches failed: 401 authorization failed/);
    expect(out).not.toContain(wrongKey);
    expect(stand.seen.at(-1)!.auth).toBe(`Bearer ${wrongKey}`);
    expect(stand.branches.size).toBe(0);
  }, 120_000);
});

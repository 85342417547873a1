// A preview deployment per git branch: `up` creates (or reuses) a Neon branch through the Neon API, applies
// the Postgres migrations to it, deploys the Worker `netra-apex-pr-<slug>` (`--env preview`) and sets that
// branch's DATABASE_URL as its secret, then prints the URL; `down` deletes the Worker and the Neon branch.
//   tsx scripts/preview.ts up|down --branch <git branch>
// Env: NEON_API_KEY, NEON_PROJECT_ID, NEON_API_URL (default https://console.neon.tech/api/v2),
// NEON_PARENT_BRANCH_ID (optional), NEON_DATABASE_NAME / NEON_ROLE_NAME (a reused branch's URI; default
// neondb / neondb_owner), PREVIEW_DRY_RUN=1 (`wrangler deploy --dry-run`; secret and delete commands printed,
// not run). ClickHouse and Redis are shared by the previews: the names in SHARED_SECRETS present in the
// environment are set on the preview Worker as they are; ClickHouse migrations are not applied from here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migratePostgres } from './migrate';

const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerBin = `${root}node_modules/.bin/wrangler`;

/** Secrets the previews share with each other, copied from the environment when set there. */
const SHARED_SECRETS = [
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'JWT_SECRET',
  'GATEWAY_ENCRYPTION_KEY',
] as const;

export class PreviewError extends Error {}

/** A git branch name as [a-z0-9-], at most 40 characters, no leading or trailing dash. */
export function slugBranch(branch: string): string {
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  if (!slug) throw new PreviewError(`branch name "${branch}" has no letter or digit`);
  return slug;
}

export interface PreviewNames {
  slug: string;
  /** The Neon branch: prefixed so a git branch called "main" can never name (and delete) the project's own. */
  neonBranch: string;
  worker: string;
}

export function previewNames(branch: string): PreviewNames {
  const slug = slugBranch(branch);
  return { slug, neonBranch: `preview-${slug}`, worker: `netra-apex-pr-${slug}` };
}

interface NeonConfig {
  apiUrl: string;
  apiKey: string;
  projectId: string;
}

interface NeonBranch {
  id: string;
  name: string;
}

/** One Neon API call; a non-2xx answer becomes a PreviewError with the status and Neon's message (never the key). */
async function neon<T>(cfg: NeonConfig, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${cfg.apiUrl}/projects/${encodeURIComponent(cfg.projectId)}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cfg.apiKey}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new PreviewError(`Neon API ${method} ${path}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { message?: string; code?: string };
      if (parsed.message) message = parsed.code ? `${parsed.message} (${parsed.code})` : parsed.message;
    } catch {
      // not JSON: the raw text is the message
    }
    throw new PreviewError(`Neon API ${method} ${path} failed: ${res.status} ${message.replaceAll(cfg.apiKey, '***')}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

async function findBranch(cfg: NeonConfig, name: string): Promise<NeonBranch | undefined> {
  const { branches } = await neon<{ branches: NeonBranch[] }>(cfg, 'GET', '/branches');
  return branches.find((b) => b.name === name);
}

/** Creates the Neon branch with a read-write compute, or reuses one of that name; returns its connection URI. */
export async function ensureNeonBranch(cfg: NeonConfig, name: string, parentId?: string): Promise<{ branch: NeonBranch; uri: string; created: boolean }> {
  const existing = await findBranch(cfg, name);
  if (existing) {
    const query = new URLSearchParams({
      branch_id: existing.id,
      database_name: process.env.NEON_DATABASE_NAME ?? 'neondb',
      role_name: process.env.NEON_ROLE_NAME ?? 'neondb_owner',
    });
    const { uri } = await neon<{ uri: string }>(cfg, 'GET', `/connection_uri?${query}`);
    return { branch: existing, uri, created: false };
  }
  const answer = await neon<{ branch: NeonBranch; connection_uris?: { connection_uri: string }[] }>(cfg, 'POST', '/branches', {
    branch: { name, ...(parentId ? { parent_id: parentId } : {}) },
    endpoints: [{ type: 'read_write' }],
  });
  const uri = answer.connection_uris?.[0]?.connection_uri;
  if (!uri) throw new PreviewError(`Neon created branch ${answer.branch.id} but returned no connection URI`);
  return { branch: answer.branch, uri, created: true };
}

const dryRun = () => process.env.PREVIEW_DRY_RUN === '1';

/** Runs wrangler (stdin given as text, never echoed); in a dry run a command that changes Cloudflare is printed instead. */
function wrangler(args: string[], opts: { input?: string; mutating: boolean }): string {
  if (opts.mutating && dryRun()) {
    console.log(`dry run: wrangler ${args.join(' ')}`);
    return '';
  }
  const run = spawnSync(wranglerBin, args, { cwd: root, input: opts.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) throw new PreviewError(`wrangler ${args.slice(0, 2).join(' ')} failed (exit ${run.status ?? run.signal})`);
  return run.stdout ?? '';
}

function neonConfig(): NeonConfig {
  const apiKey = process.env.NEON_API_KEY;
  const projectId = process.env.NEON_PROJECT_ID;
  if (!apiKey || !projectId) throw new PreviewError('set NEON_API_KEY and NEON_PROJECT_ID');
  return { apiKey, projectId, apiUrl: (process.env.NEON_API_URL ?? 'https://console.neon.tech/api/v2').replace(/\/+$/, '') };
}

export async function up(branch: string): Promise<void> {
  const names = previewNames(branch);
  const cfg = neonConfig();
  const { branch: nb, uri, created } = await ensureNeonBranch(cfg, names.neonBranch, process.env.NEON_PARENT_BRANCH_ID);
  console.log(`${created ? 'created' : 'reusing'} Neon branch ${nb.name} (${nb.id})`);
  await migratePostgres(uri);
  console.log('Postgres migrations applied');
  const deployArgs = ['deploy', '--env', 'preview', '--name', names.worker, ...(dryRun() ? ['--dry-run'] : [])];
  const out = wrangler(deployArgs, { mutating: false });
  const secrets: [string, string][] = [['DATABASE_URL', uri]];
  for (const name of SHARED_SECRETS) {
    const value = process.env[name];
    if (value) secrets.push([name, value]);
  }
  for (const [name, value] of secrets) wrangler(['secret', 'put', name, '--env', 'preview', '--name', names.worker], { input: value, mutating: true });
  const url = /https:\/\/\S+\.workers\.dev/.exec(out)?.[0];
  console.log(dryRun() ? `dry run: preview Worker ${names.worker} built, not uploaded` : `preview: ${url ?? names.worker}`);
}

export async function down(branch: string): Promise<void> {
  const names = previewNames(branch);
  const cfg = neonConfig();
  // A failed Worker delete (say an `up` that stopped before deploying) still lets the Neon branch go.
  let workerError: unknown;
  try {
    wrangler(['delete', '--name', names.worker, '--force'], { mutating: true });
  } catch (err) {
    workerError = err;
  }
  const nb = await findBranch(cfg, names.neonBranch);
  if (nb) {
    await neon(cfg, 'DELETE', `/branches/${encodeURIComponent(nb.id)}`);
    console.log(`deleted Neon branch ${nb.name} (${nb.id})`);
  } else {
    console.log(`no Neon branch ${names.neonBranch}: nothing to delete`);
  }
  if (workerError) throw workerError;
  if (!dryRun()) console.log(`deleted Worker ${names.worker}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [command, flag, branch] = process.argv.slice(2);
  if ((command !== 'up' && command !== 'down') || flag !== '--branch' || !branch) {
    console.error('usage: tsx scripts/preview.ts up|down --branch <name>');
    process.exit(2);
  }
  try {
    await (command === 'up' ? up(branch) : down(branch));
  } catch (err) {
    if (!(err instanceof PreviewError)) throw err;
    console.error(`preview ${command}: ${err.message}`);
    process.exit(1);
  }
}

// `wrangler deploy --dry-run` for every environment of wrangler.toml (the top level and each [env.*]): proves each
// one bundles and prints its size, then the heaviest packages/folders of the production bundle (from esbuild's
// metafile) so a new heavy dependency shows up here. Fails above LIMIT_KIB gzip (every module of the upload
// counted), so a regression stops `npm test`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// Issue 14's target. The Worker carries no OpenAPI generator, no document-only schemas (OPENAPI_DOCUMENT,
// workers/lib/openapi.ts) and a lean zod entry; a new dependency or a heavy module stops `npm test`.
const LIMIT_KIB = 300;
const metafile = 'dist/worker-meta.json';

/** The environments of wrangler.toml: null for the top level, then every `[env.NAME…]` table in order. */
function environments(): (string | null)[] {
  const names = [...readFileSync('wrangler.toml', 'utf8').matchAll(/^\[\[?env\.([\w-]+)[.\]]/gm)].map((m) => m[1]!);
  return [null, ...new Set(names)];
}

/** Bundles one environment into `outdir` (the production one with its metafile); raw and gzip bytes of the upload. */
function dryRun(env: string | null, outdir: string): { raw: number; gzip: number } {
  const args = ['deploy', '--dry-run', '--outdir', outdir, '--env', env ?? '', ...(env === 'production' ? ['--metafile', metafile] : [])];
  execFileSync('node_modules/.bin/wrangler', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  let raw = 0;
  let gzip = 0;
  for (const f of readdirSync(outdir)) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    const path = join(outdir, f);
    const bytes = readFileSync(path);
    // Left in, the name would be an undefined global: the Worker would throw at startup.
    if (bytes.includes('OPENAPI_DOCUMENT')) throw new Error(`${env ? `[env.${env}]` : 'the top level'} of wrangler.toml lacks define = { OPENAPI_DOCUMENT = "false" }`);
    raw += statSync(path).size;
    gzip += gzipSync(bytes).length;
  }
  return { raw, gzip };
}

const envs = environments();
if (!envs.includes('production')) throw new Error('wrangler.toml has no [env.production]');
const over: string[] = [];
for (const env of envs) {
  const label = env ?? 'top level';
  const { raw, gzip } = dryRun(env, env === 'production' ? 'dist/worker' : `dist/worker-${env ?? 'top'}`);
  console.log(`worker bundle (${label}): ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);
  if (gzip / 1024 > LIMIT_KIB) over.push(label);
}

type Meta = { outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }> };
const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Meta;
const bytesBy = new Map<string, number>();
for (const [name, out] of Object.entries(meta.outputs)) {
  if (!name.endsWith('.js')) continue;
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs ?? {})) {
    // A package (node_modules/@scope/name) or the repo's top two path segments (engine/catalog).
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const key = pkg ?? input.split('/').slice(0, 2).join('/');
    bytesBy.set(key, (bytesBy.get(key) ?? 0) + bytesInOutput);
  }
}
const heaviest = [...bytesBy].sort((a, b) => b[1] - a[1]).slice(0, 8);
console.log(`heaviest of production (minified KiB): ${heaviest.map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`).join(', ')}`);
if (over.length > 0) {
  console.error(`worker bundle over ${LIMIT_KIB} KiB gzip (${over.join(', ')}): find the new weight in the list above`);
  process.exit(1);
}

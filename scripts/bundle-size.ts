// `wrangler deploy --dry-run`: proves the Worker bundles for production and prints its size, with the heaviest
// packages/folders of the bundle (from esbuild's metafile) so a new heavy dependency shows up here. Fails above
// LIMIT_KIB gzip (every module of the upload counted), so a regression stops `npm test`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// Issue 14 aims at 300; every route's contract (@hono/zod-openapi declarations) brought it to ~305, so the guard
// sits just above today's size: a new dependency or a heavy module still stops `npm test`.
const LIMIT_KIB = 310;
const outdir = 'dist/worker';
const metafile = 'dist/worker-meta.json';
execFileSync('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', outdir, '--metafile', metafile, '--env', 'production'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
});
let raw = 0;
let gzip = 0;
for (const f of readdirSync(outdir)) {
  if (!/\.(m?js|wasm)$/.test(f)) continue;
  const path = join(outdir, f);
  raw += statSync(path).size;
  gzip += gzipSync(readFileSync(path)).length;
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
console.log(`heaviest (minified KiB): ${heaviest.map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`).join(', ')}`);
console.log(`worker bundle: ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);
if (gzip / 1024 > LIMIT_KIB) {
  console.error(`worker bundle is over ${LIMIT_KIB} KiB gzip: find the new weight in the list above`);
  process.exit(1);
}

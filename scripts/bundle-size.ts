// `wrangler deploy --dry-run`: proves the Worker bundles for production and prints its size.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const outdir = 'dist/worker';
execFileSync('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', outdir, '--env', 'production'], {
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
console.log(`worker bundle: ${(raw / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip`);

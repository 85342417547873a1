// Portkey's open-source AI gateway (npm @portkey-ai/gateway, its Node server build) on a free port, for
// bench/gateway.ts: a request names its upstream with x-portkey-provider + x-portkey-custom-host and passes the
// upstream's key as its Authorization, so it can front the same local fake upstream as our gateway.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from '../../scripts/local-stack/util';

export interface RunningPortkey {
  url: string;
  version: string;
  stop(): Promise<void>;
}

export async function startPortkey(): Promise<RunningPortkey> {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@portkey-ai/gateway/package.json');
  const { version, bin } = require(pkgJson) as { version: string; bin: string };
  const port = await freePort();
  const child = spawn(process.execPath, [join(dirname(pkgJson), bin), `--port=${port}`, '--headless'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portkey gateway exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) throw new Error(`portkey gateway not up after 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    version,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

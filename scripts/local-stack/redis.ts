// Finds a Redis server for local development and tests: REDIS_URL if reachable, else 127.0.0.1:<port>,
// else a `redis-server` child process of ours (installing Debian's redis-server first when root).
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { aptInstall, isRoot, portOpen, waitFor, which } from './util';

export interface RedisHandle {
  /** redis://… */
  url: string;
  /** Present when this call started redis-server: stops it (it saves its data to dataDir on the way out). */
  stop?: () => Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return portOpen(hostname, Number(port || 6379));
}

export async function ensureRedis(opts: { port?: number; dataDir?: string } = {}): Promise<RedisHandle> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv && (await reachable(fromEnv))) return { url: fromEnv };
  const port = opts.port ?? 6379;
  const url = `redis://127.0.0.1:${port}`;
  if (await reachable(url)) return { url };

  if (!(await which('redis-server')) && isRoot()) await aptInstall('redis-server');
  const bin = await which('redis-server');
  if (!bin) {
    throw new Error(
      `No Redis found: ${fromEnv ? 'REDIS_URL is unreachable, ' : ''}nothing answers on 127.0.0.1:${port} and redis-server is not installed. ` +
        'Install it (Debian: apt-get install -y redis-server) or set REDIS_URL.',
    );
  }
  const dir = opts.dataDir ?? tmpdir();
  await mkdir(dir, { recursive: true });
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (err) => (failed = err));
  await waitFor(async () => {
    if (failed || child.exitCode !== null) throw new Error(`redis-server failed to start on port ${port}: ${failed?.message ?? `exit ${child.exitCode}`}`);
    return reachable(url);
  }, 10_000, `redis-server on port ${port}`).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

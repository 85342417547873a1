// The app on workerd through Miniflare's API, the way it runs in production: no `wrangler dev` in front (no
// proxy worker, no inspector proxy). The client talks to the Worker itself on a socket of its own
// (unsafeDirectSockets), as a client of Portkey talks to its Node server: not through Miniflare's entry worker
// (which would add a JS hop and the CF-Connecting-IP header), and without the static-assets layer (its asset
// proxy and router workers, two more JS hops inside workerd; the bench calls only API paths, which never
// reach ASSETS, and Portkey runs --headless, without its console). The Worker's own fetches (upstreams, the
// local stack's HTTP endpoints) go straight to the network (stripCfConnectingIp off: not through Miniflare's
// outbound worker). The same bundle as bench/lib/app.ts (`wrangler deploy --dry-run`), the bindings wrangler
// derives from wrangler.toml (unstable_getMiniflareWorkerOptions: the Durable Objects with their SQLite
// storage, [vars]) and the bench env on top (appVars: the local stack's endpoints, fresh secrets; never a
// .dev.vars). Miniflare runs in a child Node process (this file, `serve-workerd` mode) in its own process
// group, so the benchmark client's event loop does not also carry workerd's log pipes; cpuSeconds() counts the
// workerd process alone.
//  - startWorkerdApp(): local stack + bundle + workerd, ready on /health/ready.
//  - serveBundle(): a bundle + env file on either runtime (workerd, or `wrangler dev --no-bundle`).
//  - startFloor(): that, in a temp dir of its own, for a short /health probe of the other runtime.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { appVars, bundleOnce, procCpuSeconds, repoRoot, startStackChild, startWrangler, writeEnvFile, type RunningApp, type StackInfo } from './app';

const THIS_FILE = fileURLToPath(import.meta.url);
const CONFIG = join(repoRoot, 'wrangler.toml');
const KEEP = process.env.BENCH_KEEP === '1';

export type Runtime = 'workerd' | 'wrangler';

export interface Served {
  url: string;
  logFile: string;
  /** CPU seconds used so far: workerd alone, or wrangler dev's process group (wrangler + its workerds). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export type ServedApp = Pick<RunningApp, 'url' | 'dir' | 'logFile' | 'databaseUrl' | 'stack' | 'cpuSeconds' | 'stackCpuSeconds' | 'stop'> & {
  runtime: Runtime;
  /** The bundle being served (for a second runtime on the same code), when this module built it. */
  bundle?: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Process groups of the Miniflare children, SIGKILLed if this process exits without stopping them.
const groups = new Set<number>();
process.on('exit', () => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function waitReady(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd host exited (${child.exitCode}) before ${url} was ready:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs / 1000}s:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    await sleep(250);
  }
}

async function startMiniflare(o: { bundle: string; envFile: string; dir: string; label: string; readyPath: string; timeoutMs?: number }): Promise<Served> {
  const logFile = join(o.dir, `workerd-${o.label}.log`);
  const fd = openSync(logFile, 'a');
  const cfg = { bundle: o.bundle, envFile: o.envFile, persistDir: join(o.dir, `workerd-${o.label}-state`), logFile };
  const child = fork(THIS_FILE, ['serve-workerd', JSON.stringify(cfg)], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', fd, fd, 'ipc'], detached: true });
  closeSync(fd);
  const pgid = child.pid!;
  groups.add(pgid);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (!groups.has(pgid)) return;
    if (child.connected) child.disconnect(); // the child disposes Miniflare (and workerd) on disconnect
    await Promise.race([exited, sleep(8_000)]);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
    groups.delete(pgid);
  };
  try {
    const ready = await Promise.race([
      new Promise<{ url: string; workerdPid: number }>((r) => child.once('message', (m) => r(m as { url: string; workerdPid: number }))),
      exited.then(() => {
        throw new Error(`workerd host exited before it was up:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      }),
    ]);
    const url = ready.url.replace(/\/$/, '');
    await waitReady(url + o.readyPath, child, logFile, o.timeoutMs ?? 90_000);
    return { url, logFile, cpuSeconds: () => procCpuSeconds({ pid: ready.workerdPid }), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The bundle with the env file's values on `runtime`, ready when GET readyPath answers 2xx. */
export async function serveBundle(runtime: Runtime, o: { bundle: string; envFile: string; dir: string; label: string; readyPath: string; timeoutMs?: number }): Promise<Served> {
  if (runtime === 'workerd') return startMiniflare(o);
  const w = await startWrangler({ label: o.label, config: CONFIG, dir: o.dir, envFile: o.envFile, prebuilt: o.bundle, readyPath: o.readyPath, timeoutMs: o.timeoutMs });
  return { url: w.url, logFile: w.logFile, cpuSeconds: () => procCpuSeconds({ pgid: w.pgid }), stop: w.stop };
}

/** The app on workerd against a fresh local stack (see the header). */
export async function startWorkerdApp(opts: { timeoutMs?: number } = {}): Promise<ServedApp> {
  const dir = await mkdtemp(join(tmpdir(), 'netra-bench-workerd-'));
  const pgDatabase = `netra_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  let stack: Awaited<ReturnType<typeof startStackChild>> | undefined;
  let served: Served | undefined;
  const stop = async () => {
    await served?.stop();
    await stack?.stop();
    if (KEEP) console.error(`BENCH_KEEP=1: logs and state kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    // Bundle while the stack starts; whichever fails, the other is stopped by stop().
    const [stackResult, bundled] = await Promise.allSettled([startStackChild(dir, pgDatabase, false), bundleOnce(CONFIG, join(dir, 'bundle'))]);
    if (stackResult.status === 'fulfilled') stack = stackResult.value;
    if (stackResult.status === 'rejected') throw stackResult.reason;
    if (bundled.status === 'rejected') throw bundled.reason;
    const bundle = bundled.value;
    const info = stack!.info;
    const envFile = join(dir, 'bench.env');
    await writeEnvFile(envFile, appVars(info));
    served = await serveBundle('workerd', { bundle, envFile, dir, label: 'app', readyPath: '/health/ready', timeoutMs: opts.timeoutMs });
    const stackPid = stack!.pid;
    return {
      runtime: 'workerd',
      bundle,
      url: served.url,
      dir,
      logFile: served.logFile,
      databaseUrl: info.databaseUrl,
      stack: info,
      cpuSeconds: served.cpuSeconds,
      stackCpuSeconds: () => procCpuSeconds({ pid: stackPid }),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** `runtime` serving the app's bundle (bundled anew when not given) with the same stack, in a temp dir of its
 *  own, ready on the no-I/O GET /health: the runtime's floor. */
export async function startFloor(runtime: Runtime, o: { stack: StackInfo; bundle?: string }): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), `netra-bench-floor-${runtime}-`));
  let served: Served | undefined;
  const stop = async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bundle = o.bundle ?? (await bundleOnce(CONFIG, join(dir, 'bundle')));
    const envFile = join(dir, 'floor.env');
    await writeEnvFile(envFile, appVars(o.stack));
    served = await serveBundle(runtime, { bundle, envFile, dir, label: 'floor', readyPath: '/health' });
    return { ...served, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

// ---------- the Miniflare host (child process) ----------

/** The pid of this process's workerd child (Miniflare spawns one per instance). */
function workerdChildPid(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === process.pid && comm === 'workerd') return Number(pid);
  }
  throw new Error('no workerd child process found');
}

async function serveWorkerd(cfg: { bundle: string; envFile: string; persistDir: string; logFile: string }): Promise<void> {
  const { Miniflare, Log, LogLevel } = await import('miniflare');
  const { unstable_readConfig, unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const config = unstable_readConfig({ config: CONFIG });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const env = Object.fromEntries(
    readFileSync(cfg.envFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const log = createWriteStream(cfg.logFile, { flags: 'a' });
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    cf: false,
    logRequests: false,
    log: new Log(LogLevel.WARN),
    defaultPersistRoot: cfg.persistDir,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.pipe(log);
      stderr.pipe(log);
    },
    workers: [
      {
        ...workerOptions,
        // See the header: no assets layer, a socket of the Worker's own, outbound fetches straight out.
        assets: undefined,
        unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
        stripCfConnectingIp: false,
        name: config.name,
        modules: true,
        scriptPath: cfg.bundle,
        modulesRoot: dirname(cfg.bundle),
        // wrangler.toml's [vars] and the env file only (workerOptions' also hold any .dev.vars).
        bindings: { ...config.vars, ...env },
      },
    ],
  });
  await mf.ready;
  const url = await mf.unsafeGetDirectURL();
  process.once('disconnect', () => void mf.dispose().finally(() => process.exit(0)));
  process.send!({ url: url.href, workerdPid: workerdChildPid() });
}

if (process.argv[1] === THIS_FILE && process.argv[2] === 'serve-workerd') {
  await serveWorkerd(JSON.parse(process.argv[3] ?? '{}') as { bundle: string; envFile: string; persistDir: string; logFile: string });
}

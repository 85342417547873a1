// Shared launcher of the benchmarks that talk to a running app (bench/health.ts, bench/ws.ts):
//  - startApp(): the local data stack (Postgres, ClickHouse on chdb, Redis + their adapters) on free ports in a
//    temp data dir with its own Postgres database, migrated; then `wrangler dev --local` of the app on a free
//    port with a temp env file (the developer's .dev.vars is neither read nor written: `--env-file` makes
//    wrangler skip .dev.vars), its state persisted in the temp dir. Waits for GET /health/ready.
//    By default the Worker is bundled once (`wrangler deploy --dry-run`) and run with `--no-bundle`: plain
//    `wrangler dev` watches the sources and hot-reloads on every edit in the repo, which drops all WebSockets
//    (1006) mid-run; BENCH_WATCH=1 runs plain `wrangler dev` anyway. reloads() counts reloads during a run.
//  - startEcho(): `wrangler dev` of the bare echo Worker (bench/ws-echo/wrangler.toml), the baseline of bench/ws.ts.
// The stack runs in a child Node process (this file, `serve-stack` mode) so the benchmark client's event loop
// does not also serve the ClickHouse/Neon/Upstash adapters. Each wrangler runs detached in its own process
// group and is stopped by group (wrangler + its workerd children). stop() drops the database and removes
// the temp dir; SIGINT/SIGTERM and process exit stop whatever is still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/local-stack/util';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WRANGLER = join(repoRoot, 'node_modules/.bin/wrangler');
const THIS_FILE = fileURLToPath(import.meta.url);
/** Redis database index behind the bench stack's Upstash adapter (0: npm start, 1: tests, 2: bench/auth, 3 here);
 *  NETRA_TEST_REDIS_DB picks another, so two checkouts (or the browser tests next to a bench) can run at once. */
const BENCH_REDIS_DB = Number(process.env.NETRA_TEST_REDIS_DB ?? 3);
/** BENCH_KEEP=1 keeps each temp dir (wrangler logs, state) instead of removing it; its path is printed. */
const KEEP = process.env.BENCH_KEEP === '1';

export interface Running {
  url: string;
  /** Temp directory holding state and logs (removed by stop()). */
  dir: string;
  /** wrangler's combined stdout/stderr (inside dir). */
  logFile: string;
  /** CPU seconds used so far by wrangler dev's process group (wrangler + workerd). */
  cpuSeconds(): number;
  /** Hot reloads of the Worker since it was ready (source edits; each one drops every WebSocket). */
  reloads(): number;
  stop(): Promise<void>;
}

export interface RunningApp extends Running {
  databaseUrl: string;
  /** 'frozen': one bundle built at start, run with --no-bundle (edits to the repo during the run change nothing);
   *  'watch': plain `wrangler dev` bundling and watching the sources (BENCH_WATCH=1). */
  mode: 'frozen' | 'watch';
  /** CPU seconds used so far by the local stack's process (the Neon/ClickHouse/Upstash adapters, chdb). */
  stackCpuSeconds(): number;
  /** The stores' endpoints (what the Worker was given). */
  stack: StackInfo;
  /** Values that must never appear in a log: the JWT secret, the gateway key, the Upstash token. */
  secrets: string[];
  /** Outage drills: stops / starts a store as the Worker sees it (see LocalStack.postgres/redis/clickhouse). */
  outage(store: Store, action: 'stop' | 'start'): Promise<void>;
  /** kill -9 of the Worker process (wrangler dev + workerd); its Durable Object state stays on disk. */
  killWorker(): Promise<void>;
  /** Starts the Worker again on the same port with the same state, and waits until it is ready. */
  startWorker(): Promise<void>;
}

export type Store = 'postgres' | 'clickhouse' | 'redis';

// ---------- small helpers ----------

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime+stime (seconds) of live processes in process group `pgid` (or of the one process `pid`), from /proc. */
export function procCpuSeconds(sel: { pgid?: number; pid?: number }): number {
  let ticks = 0;
  const pids = sel.pid !== undefined ? [String(sel.pid)] : readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] = state (field 3)
    if (sel.pgid !== undefined && Number(f[2]) !== sel.pgid) continue;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLOCK_TICKS;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for races against an exit). */
const unrefSleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Everything still running, stopped on SIGINT/SIGTERM (async) or at process exit (sync, best effort).
const cleanups = new Set<() => Promise<void>>();
const groups = new Set<number>();
const children = new Set<ChildProcess>();
let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping the bench app(s)…`);
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const c of children) c.kill('SIGTERM');
  });
}

// ---------- wrangler dev ----------

export interface WranglerOptions {
  label: string;
  /** Wrangler config file (absolute). */
  config: string;
  dir: string;
  envFile?: string;
  /** A pre-built bundle to run with --no-bundle (no source watching) instead of bundling `main` with a watcher. */
  prebuilt?: string;
  readyPath: string;
  timeoutMs?: number;
  /** The port to listen on (a restart keeps its URL); default a free one. */
  port?: number;
}

const RELOAD_LINE = /Reloading local server/g;

interface StartedWrangler {
  url: string;
  logFile: string;
  pgid: number;
  /** Hot reloads since ready (each one drops every WebSocket and resets the isolate). */
  reloads(): number;
  stop(): Promise<void>;
  /** SIGKILL of the whole process group (wrangler + workerd), as a crash would. */
  kill(): Promise<void>;
}

export async function startWrangler(o: WranglerOptions): Promise<StartedWrangler> {
  installHandlers();
  const port = o.port ?? (await freePort());
  const inspectorPort = await freePort();
  const logFile = join(o.dir, `wrangler-${o.label}.log`);
  const fd = openSync(logFile, 'a');
  const args = [
    'dev',
    '--config', o.config,
    '--local',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--inspector-port', String(inspectorPort),
    '--persist-to', join(o.dir, `wrangler-${o.label}-state`),
    '--show-interactive-dev-session=false',
    ...(o.envFile ? ['--env-file', o.envFile] : []),
    ...(o.prebuilt ? ['--no-bundle', o.prebuilt] : []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
  if (o.prebuilt) env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = 'true';
  delete env.CLOUDFLARE_INCLUDE_PROCESS_ENV; // only the env file's values reach the Worker
  const child = spawn(WRANGLER, args, { cwd: dirname(o.config), stdio: ['ignore', fd, fd], detached: true, env });
  closeSync(fd);
  const pgid = child.pid!;
  groups.add(pgid);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((r) => child.once('exit', (code) => ((exited = code), r())));

  const stop = async () => {
    if (!groups.has(pgid)) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      // gone
    }
    const deadline = Date.now() + 8_000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
      await Promise.race([exitPromise, unrefSleep(2_000)]);
    }
    groups.delete(pgid);
  };

  const kill = async () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
    await Promise.race([exitPromise, unrefSleep(5_000)]);
    while (groupAlive(pgid)) await sleep(50);
    groups.delete(pgid);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 90_000);
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`wrangler dev (${o.label}) exited with code ${exited} before it was ready:\n${tail(logFile)}`);
    }
    const log = tail(logFile, 200);
    if (/Build failed|Could not resolve|\[ERROR\]/.test(log)) {
      await stop();
      throw new Error(`wrangler dev (${o.label}) failed to build/start:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url + o.readyPath, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev (${o.label}) not ready at ${url}${o.readyPath} within ${(o.timeoutMs ?? 90_000) / 1000}s:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
  const reloadsAtReady = (readFileSync(logFile, 'utf8').match(RELOAD_LINE) ?? []).length;
  const reloads = () => {
    try {
      return (readFileSync(logFile, 'utf8').match(RELOAD_LINE) ?? []).length - reloadsAtReady;
    } catch {
      return 0;
    }
  };
  return { url, logFile, pgid, reloads, stop, kill };
}

/** `wrangler deploy --dry-run --outdir <outDir>`: the Worker bundled once, as it would be deployed. */
export async function bundleOnce(config: string, outDir: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
  const child = spawn(WRANGLER, ['deploy', '--dry-run', '--config', config, '--outdir', outDir], { cwd: dirname(config), stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bundling the app failed (wrangler deploy --dry-run, exit ${code}):\n${out.split('\n').slice(-40).join('\n')}`);
  return join(outDir, 'index.js');
}

// ---------- the local stack, in a child process ----------

export interface StackInfo {
  databaseUrl: string;
  neonWsProxy: string;
  neonHttpEndpoint: string;
  clickhouseUrl: string;
  upstashUrl: string;
  upstashToken: string;
}

export async function startStackChild(dir: string, pgDatabase: string, ownRedis: boolean): Promise<{ info: StackInfo; pid: number; control(store: Store, action: 'stop' | 'start'): Promise<void>; stop(): Promise<void> }> {
  installHandlers();
  const logFile = join(dir, 'stack.log');
  const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, 'serve-stack', JSON.stringify({ dataDir: join(dir, 'stack'), pgDatabase, ownRedis })], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exitPromise = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const info = await new Promise<StackInfo>((resolveInfo, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`local stack not up within 120s:\n${err.slice(-3000)}`));
    }, 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"stack":'));
      if (line) {
        clearTimeout(timer);
        resolveInfo((JSON.parse(line) as { stack: StackInfo }).stack);
      }
    });
    void exitPromise.then((code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited (code ${code}) before it was up:\n${err.slice(-3000)}`));
    });
  });
  // Control lines to the child's stdin, each answered by an {"ack":id} line on its stdout.
  let nextId = 0;
  const acks = new Map<number, (error?: string) => void>();
  child.stdout!.on('data', () => {
    for (const line of out.split('\n')) {
      if (!line.startsWith('{"ack":')) continue;
      const { ack, error } = JSON.parse(line) as { ack: number; error?: string };
      acks.get(ack)?.(error);
      acks.delete(ack);
    }
    out = out.slice(out.lastIndexOf('\n') + 1);
  });
  const control = (store: Store, action: 'stop' | 'start') =>
    new Promise<void>((resolveAck, reject) => {
      const id = ++nextId;
      acks.set(id, (error) => (error ? reject(new Error(`${action} ${store}: ${error}`)) : resolveAck()));
      child.stdin!.write(JSON.stringify({ id, store, action }) + '\n');
    });
  const stop = async () => {
    if (!children.has(child)) return;
    child.stdin!.end(); // the child stops the stack and drops its database when stdin closes
    const code = await Promise.race([exitPromise, unrefSleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      child.kill('SIGKILL');
      await exitPromise;
    }
    children.delete(child);
    await writeFile(logFile, err).catch(() => {});
    if (code !== 0) console.error(`local stack child exited with ${code}:\n${err.slice(-2000)}`);
  };
  return { info, pid: child.pid!, control, stop };
}

/** `node --import tsx bench/lib/app.ts serve-stack '{"dataDir":…,"pgDatabase":…}'`: runs until stdin closes. */
async function serveStack(cfg: { dataDir: string; pgDatabase: string; ownRedis?: boolean }): Promise<void> {
  const { startStack } = await import('../../scripts/local-stack/stack');
  const { migrateAll } = await import('../../scripts/migrate');
  const pg = (await import('pg')).default;
  const stack = await startStack({ dataDir: cfg.dataDir, pgDatabase: cfg.pgDatabase, redisDb: BENCH_REDIS_DB, redisToken: randomBytes(24).toString('hex'), ownRedis: cfg.ownRedis });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    let code = 0;
    await stack.stop().catch((e: unknown) => {
      console.error('stack.stop failed:', e);
      code = 1;
    });
    const admin = new URL(stack.databaseUrl);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${cfg.pgDatabase.replace(/"/g, '""')}" WITH (FORCE)`);
    } catch (e) {
      console.error('dropping the bench database failed:', e);
      code = 1;
    } finally {
      await client.end().catch(() => {});
    }
    process.exit(code);
  };
  let buffered = '';
  process.stdin.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const { id, store, action } = JSON.parse(line) as { id: number; store: Store; action: 'stop' | 'start' };
      stack[store][action]().then(
        () => process.stdout.write(JSON.stringify({ ack: id }) + '\n'),
        (e: unknown) => process.stdout.write(JSON.stringify({ ack: id, error: String(e) }) + '\n'),
      );
    }
  });
  process.stdin.on('end', () => void shutdown());
  process.stdin.on('close', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => {}); // the parent decides when to stop (it closes stdin)
  process.stdin.resume();
  try {
    await migrateAll({ databaseUrl: stack.databaseUrl, clickhouseUrl: stack.clickhouseUrl });
  } catch (e) {
    console.error('migrations failed:', e);
    await shutdown();
    return;
  }
  const info: StackInfo = {
    databaseUrl: stack.databaseUrl,
    neonWsProxy: stack.neonWsProxy,
    neonHttpEndpoint: stack.neonHttpEndpoint,
    clickhouseUrl: stack.clickhouseUrl,
    upstashUrl: stack.upstashUrl,
    upstashToken: stack.upstashToken,
  };
  process.stdout.write(JSON.stringify({ stack: info }) + '\n');
}

// ---------- public API ----------

/** The Worker's env on top of wrangler.toml's [vars]: the stack's endpoints and fresh secrets. */
export function appVars(s: StackInfo): Record<string, string> {
  return {
    ENVIRONMENT: 'development',
    DATABASE_URL: s.databaseUrl,
    NEON_WS_PROXY: s.neonWsProxy,
    NEON_HTTP_ENDPOINT: s.neonHttpEndpoint,
    CLICKHOUSE_URL: s.clickhouseUrl,
    UPSTASH_REDIS_REST_URL: s.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: s.upstashToken,
    JWT_SECRET: randomBytes(32).toString('hex'),
    GATEWAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CORS_ORIGINS: 'http://127.0.0.1',
  };
}

/** KEY=value lines (values are URLs, hex and base64: no newlines), readable by the owner only. */
export const writeEnvFile = (file: string, vars: Record<string, string>) => writeFile(file, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });

/** The app under wrangler dev against a fresh local stack (`ownRedis`: with a redis-server of its own, which
 *  outage('redis', …) restarts; else the shared one, behind an adapter outage() stops). By default the Worker is bundled once and run with
 *  --no-bundle, so that other people's edits in the repo during a run do not hot-reload it (a reload drops every
 *  WebSocket with 1006 and resets the isolate); BENCH_WATCH=1 (or opts.watch) runs plain `wrangler dev` instead. */
export async function startApp(opts: { timeoutMs?: number; watch?: boolean; ownRedis?: boolean } = {}): Promise<RunningApp> {
  const watch = opts.watch ?? process.env.BENCH_WATCH === '1';
  installHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'netra-bench-app-'));
  const pgDatabase = `netra_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  let stack: Awaited<ReturnType<typeof startStackChild>> | undefined;
  let wrangler: Awaited<ReturnType<typeof startWrangler>> | undefined;
  const stop = async () => {
    cleanups.delete(stop);
    await wrangler?.stop();
    await stack?.stop();
    if (KEEP) console.error(`BENCH_KEEP=1: logs and state kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
  cleanups.add(stop);
  try {
    const config = join(repoRoot, 'wrangler.toml');
    // Bundle while the stack starts; a failed bundle (e.g. a missing module) fails fast.
    const bundling = watch ? Promise.resolve(undefined) : bundleOnce(config, join(dir, 'bundle'));
    bundling.catch(() => {}); // awaited below
    const [stackResult, bundleResult] = await Promise.allSettled([startStackChild(dir, pgDatabase, opts.ownRedis ?? false), bundling]);
    if (stackResult.status === 'fulfilled') stack = stackResult.value;
    if (stackResult.status === 'rejected') throw stackResult.reason;
    if (bundleResult.status === 'rejected') throw bundleResult.reason;
    const prebuilt = bundleResult.value;
    const s = stack!.info;
    const envFile = join(dir, 'bench.env');
    const vars = appVars(s);
    await writeEnvFile(envFile, vars);
    const wranglerOptions: WranglerOptions = { label: 'app', config, dir, envFile, prebuilt, readyPath: '/health/ready', timeoutMs: opts.timeoutMs };
    wrangler = await startWrangler(wranglerOptions);
    const port = Number(new URL(wrangler.url).port);
    const stackPid = stack!.pid;
    const st = stack!;
    return {
      url: wrangler.url,
      dir,
      logFile: wrangler.logFile,
      databaseUrl: s.databaseUrl,
      mode: watch ? 'watch' : 'frozen',
      reloads: () => wrangler?.reloads() ?? 0,
      cpuSeconds: () => (wrangler ? procCpuSeconds({ pgid: wrangler.pgid }) : 0),
      stackCpuSeconds: () => procCpuSeconds({ pid: stackPid }),
      stack: s,
      secrets: [vars.JWT_SECRET!, vars.GATEWAY_ENCRYPTION_KEY!, s.upstashToken],
      outage: (store, action) => st.control(store, action),
      killWorker: async () => {
        await wrangler?.kill();
        wrangler = undefined;
      },
      startWorker: async () => {
        wrangler ??= await startWrangler({ ...wranglerOptions, port });
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** The bare echo Worker + DO (bench/ws-echo) under its own wrangler dev. */
export async function startEcho(opts: { timeoutMs?: number } = {}): Promise<Running> {
  installHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'netra-bench-echo-'));
  let wrangler: Awaited<ReturnType<typeof startWrangler>> | undefined;
  const stop = async () => {
    cleanups.delete(stop);
    await wrangler?.stop();
    if (KEEP) console.error(`BENCH_KEEP=1: logs and state kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(stop);
  try {
    wrangler = await startWrangler({ label: 'echo', config: join(repoRoot, 'bench/ws-echo/wrangler.toml'), dir, readyPath: '/health', timeoutMs: opts.timeoutMs });
    const pgid = wrangler.pgid;
    const w = wrangler;
    return { url: w.url, dir, logFile: w.logFile, cpuSeconds: () => procCpuSeconds({ pgid }), reloads: () => w.reloads(), stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

if (process.argv[1] === THIS_FILE && process.argv[2] === 'serve-stack') {
  await serveStack(JSON.parse(process.argv[3] ?? '{}') as { dataDir: string; pgDatabase: string; ownRedis?: boolean });
}

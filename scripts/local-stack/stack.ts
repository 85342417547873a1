// Starts the local data stack behind production wire protocols: Postgres (direct + Neon WebSocket/HTTP
// relay), ClickHouse HTTP on chdb (data in dataDir/clickhouse) and Redis (+ Upstash REST). A pid file in
// dataDir keeps a second process off the same data. A Postgres cluster it had to start keeps running.
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startClickHouseHttp, type ClickHouseServer } from './clickhouse-http';
import { freePort, type RunningServer } from './util';
import { startNeonRelay } from './neon-relay';
import { ensureDatabase, ensurePostgres } from './postgres';
import { ensureRedis } from './redis';
import { startUpstashRest } from './upstash-rest';

export interface StackOptions {
  dataDir: string;
  /** Ports of the adapters on 127.0.0.1; 0 or absent: a free one. */
  ports?: { neon?: number; clickhouse?: number; upstash?: number };
  /** Postgres database of the app, created when missing. */
  pgDatabase: string;
  /** Redis database index behind the Upstash REST adapter. */
  redisDb: number;
  /** Bearer token the Upstash REST adapter requires. */
  redisToken: string;
  /** A redis-server of this stack's own on a free port (data in dataDir/redis), which `redis` then restarts. */
  ownRedis?: boolean;
}

export interface Restartable {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A server that can be stopped and started again on the port it first got. */
async function restartable(start: (port: number | undefined) => Promise<RunningServer>, port: number | undefined): Promise<Restartable & { port: number }> {
  let running: RunningServer | undefined = await start(port);
  const bound = running.port;
  return {
    port: bound,
    async stop() {
      const r = running;
      running = undefined;
      await r?.close();
    },
    async start() {
      running ??= await start(bound);
    },
  };
}

export interface LocalStack {
  /** postgres://… of pgDatabase, direct (migrations, scripts). */
  databaseUrl: string;
  /** `127.0.0.1:PORT/v1`: neonConfig.wsProxy = (host, port) => `${neonWsProxy}?address=${host}:${port}`. */
  neonWsProxy: string;
  /** http://127.0.0.1:PORT/sql: neonConfig.fetchEndpoint for neon()'s SQL over HTTP. */
  neonHttpEndpoint: string;
  clickhouseUrl: string;
  upstashUrl: string;
  upstashToken: string;
  /** Stops / restarts the ClickHouse server on the same port with the same data, or holds its queries (outage drills). */
  clickhouse: Restartable & { hold(): void; release(): void };
  /** Outage drills. Postgres, shared: stops / restarts the Neon relay the app reaches it through, on the same
   *  port (the server keeps running). Redis: the redis-server itself with `ownRedis` (SIGTERM, so it saves its
   *  data, then started again on its port), else the Upstash REST adapter in front of the shared one. */
  postgres: Restartable;
  redis: Restartable;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes dataDir/stack.pid (created atomically with our pid in it); resolves with its release. */
async function lock(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'stack.pid');
  const mine = `${path}.${process.pid}`;
  await writeFile(mine, String(process.pid));
  try {
    for (;;) {
      try {
        await link(mine, path);
        return () => rm(path, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (pid && alive(pid)) {
          throw new Error(`local stack already running (pid ${pid}) with its data in ${dataDir}: stop it first (Ctrl-C in its terminal), or use another data dir`);
        }
        await rm(path, { force: true }); // left behind by a process that is gone
      }
    }
  } finally {
    await rm(mine, { force: true });
  }
}

export async function startStack(opts: StackOptions): Promise<LocalStack> {
  await mkdir(opts.dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [await lock(opts.dataDir)];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  };
  try {
    const pg = await ensurePostgres();
    const databaseUrl = await ensureDatabase(pg.url, opts.pgDatabase);
    const redisDir = join(opts.dataDir, 'redis');
    const redisPort = opts.ownRedis ? await freePort() : undefined;
    let redis = await ensureRedis({ dataDir: redisDir, port: redisPort });
    if (redisPort && !redis.stop) throw new Error(`ownRedis: REDIS_URL (${process.env.REDIS_URL}) answers instead of a redis-server of this stack; unset it`);
    const ownRedis: Restartable | undefined = redisPort
      ? {
          async stop() {
            await redis.stop?.();
            redis = { url: redis.url };
          },
          async start() {
            if (!redis.stop) redis = await ensureRedis({ dataDir: redisDir, port: redisPort });
          },
        }
      : undefined;
    stops.push(async () => redis.stop?.());
    const neon = await restartable((port) => startNeonRelay({ port }), opts.ports?.neon);
    stops.push(neon.stop);

    const chDataDir = join(opts.dataDir, 'clickhouse');
    await mkdir(chDataDir, { recursive: true });
    let ch: ClickHouseServer | undefined = await startClickHouseHttp({ port: opts.ports?.clickhouse, dataDir: chDataDir });
    const chPort = ch.port;
    let releaseHeld: (() => void) | undefined;
    const clickhouse = {
      hold() {
        releaseHeld ??= ch?.hold();
      },
      release() {
        releaseHeld?.();
        releaseHeld = undefined;
      },
      async stop() {
        clickhouse.release();
        const running = ch;
        ch = undefined;
        await running?.close();
      },
      async start() {
        ch ??= await startClickHouseHttp({ port: chPort, dataDir: chDataDir });
      },
    };
    stops.push(clickhouse.stop);

    const upstash = await restartable((port) => startUpstashRest({ port, redisUrl: redis.url, token: opts.redisToken, db: opts.redisDb }), opts.ports?.upstash);
    stops.push(upstash.stop);
    return {
      databaseUrl,
      neonWsProxy: `127.0.0.1:${neon.port}/v1`,
      neonHttpEndpoint: `http://127.0.0.1:${neon.port}/sql`,
      clickhouseUrl: `http://127.0.0.1:${chPort}`,
      upstashUrl: `http://127.0.0.1:${upstash.port}`,
      upstashToken: opts.redisToken,
      clickhouse,
      postgres: { stop: neon.stop, start: neon.start },
      redis: ownRedis ?? { stop: upstash.stop, start: upstash.start },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

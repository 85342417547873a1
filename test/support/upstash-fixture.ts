// An Upstash REST adapter over real Redis (database 2) for node tests, and the clean-up of the keys a test
// wrote under its prefix when it stops.
import { createClient } from 'redis';
import { ensureRedis } from '../../scripts/local-stack/redis';
import { startUpstashRest } from '../../scripts/local-stack/upstash-rest';

const DB = 2;

export interface UpstashFixture {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startUpstashFixture(token: string, keyPrefix: string): Promise<UpstashFixture> {
  const redisServer = await ensureRedis();
  const server = await startUpstashRest({ redisUrl: redisServer.url, token, db: DB });
  return {
    url: `http://127.0.0.1:${server.port}`,
    token,
    async stop() {
      await server.close();
      const direct = createClient({ url: redisServer.url, database: DB });
      await direct.connect();
      for await (const keys of direct.scanIterator({ MATCH: `${keyPrefix}*` })) if (keys.length) await direct.del(keys);
      await direct.close();
      await redisServer.stop?.();
    },
  };
}

// A ClickHouse of a test file's own (chdb behind its HTTP interface, in a temp dir) with the real
// migrations applied, and the app's client to it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse, type ClickHouseClient } from '../../db/clickhouse';
import { startClickHouseHttp } from '../../scripts/local-stack/clickhouse-http';
import { migrateClickHouse } from '../../scripts/migrate';

export async function migratedClickHouse(name: string): Promise<{ ch: ClickHouseClient; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-`));
  const server = await startClickHouseHttp({ dataDir });
  const url = `http://127.0.0.1:${server.port}`;
  await migrateClickHouse(url);
  const ch = openClickHouse({ CLICKHOUSE_URL: url }, 60_000);
  return {
    ch,
    stop: async () => {
      await ch.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

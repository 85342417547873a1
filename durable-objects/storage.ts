// The ThreadAgent's SQLite schema, versioned: each entry runs once, in order, inside the constructor.
const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS events (
     seq INTEGER PRIMARY KEY,
     type TEXT NOT NULL,
     run_id TEXT,
     agent_name TEXT,
     timestamp TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS timers (name TEXT PRIMARY KEY, due_at INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS outbox (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT
   );
   CREATE TABLE IF NOT EXISTS runs (
     run_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     status TEXT NOT NULL,
     state TEXT NOT NULL,
     checkpoint TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // Larger step outputs a later step of the same run reads (the workload profile), kept out of the checkpoint.
  `CREATE TABLE IF NOT EXISTS run_artifacts (run_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, name));`,
  // A step's events carry a key (run, stage, attempt, what), so re-running an interrupted step logs nothing
  // twice; the step in flight holds a lease naming the instance running it, so a new instance sees it orphaned.
  `ALTER TABLE events ADD COLUMN event_key TEXT;
   CREATE UNIQUE INDEX IF NOT EXISTS events_by_key ON events (event_key);
   CREATE TABLE IF NOT EXISTS step_leases (
     run_id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     stage TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL
   );`,
  // A run is now written only once admitted (its reservation lives in memory): drop the checkpoint-less
  // 'admitting' rows that admissions cut off under the older version left behind.
  `DELETE FROM runs WHERE status = 'admitting';`,
];

export function migrateStorage(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM schema_version').toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec('INSERT INTO schema_version (version) VALUES (0)');
  while (version < MIGRATIONS.length) {
    sql.exec(MIGRATIONS[version]!);
    version++;
    sql.exec('UPDATE schema_version SET version = ?', version);
  }
}

export function getMeta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value);
}

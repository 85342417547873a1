// The data stores auth code uses, as lazily opened handles. `Services` (workers/lib/services.ts) is one;
// Node scripts (bench/) build their own, so these modules stay free of Worker-only types.
import type { Redis } from '../../db/redis';
import type { Db } from '../../db/postgres';

export interface Stores {
  db(): Db;
  redis(): Redis;
}

// The thread's `meta` rows (thread_id, org_id, owner_user_id, tier, deleted) read through an in-memory copy:
// every frame and every event needs some of them, and only this object writes them, so the copy stays true
// for as long as the instance lives (a new instance starts empty and reads them again).
import { getMeta, setMeta } from './storage';

export type ThreadMetaKey = 'thread_id' | 'org_id' | 'owner_user_id' | 'tier' | 'deleted';

export class ThreadMeta {
  private readonly values = new Map<ThreadMetaKey, string | undefined>();

  constructor(private readonly sql: SqlStorage) {}

  get(key: ThreadMetaKey): string | undefined {
    if (!this.values.has(key)) this.values.set(key, getMeta(this.sql, key));
    return this.values.get(key);
  }

  /** Writes only a change: an unchanged value costs no storage write (nor the output gate's wait for it). */
  set(key: ThreadMetaKey, value: string): void {
    if (this.get(key) === value) return;
    setMeta(this.sql, key, value);
    this.values.set(key, value);
  }

  /** After the storage was cleared. */
  forget(): void {
    this.values.clear();
  }
}

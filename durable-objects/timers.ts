// One alarm drives many timers: due times live in SQLite and the alarm is armed for the earliest.
export class Timers {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
  ) {}

  async set(name: string, dueAt: number): Promise<void> {
    this.sql.exec('INSERT INTO timers (name, due_at) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET due_at = excluded.due_at', name, dueAt);
    await this.rearm();
  }

  async clear(name: string): Promise<void> {
    this.sql.exec('DELETE FROM timers WHERE name = ?', name);
    await this.rearm();
  }

  /** Removes and returns the timers due at `now`. */
  takeDue(now: number): string[] {
    const names = this.sql.exec<{ name: string }>('SELECT name FROM timers WHERE due_at <= ? ORDER BY due_at', now).toArray().map((r) => r.name);
    for (const n of names) this.sql.exec('DELETE FROM timers WHERE name = ?', n);
    return names;
  }

  async rearm(): Promise<void> {
    const next = this.sql.exec<{ d: number | null }>('SELECT min(due_at) AS d FROM timers').one().d;
    if (next === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(next);
  }
}

// Items of one key queued within `ms` of their batch's first item are handled together, in one flush after
// `ms` (a batch holds at most `max`; the next item opens another). Every caller gets the promise of its batch's
// flush to hand to ctx.waitUntil, so each request that queued an item stays alive until that item is handled:
// none is dropped with the request that opened the batch. `flush` handles (and logs) its own failures.
export function batcher<T>(ms: number, max: number, flush: (items: T[]) => Promise<void>): (key: string, item: T) => Promise<void> {
  const open = new Map<string, { items: T[]; done: Promise<void> }>();
  return (key, item) => {
    let batch = open.get(key);
    if (!batch || batch.items.length >= max) {
      const items: T[] = [];
      const done = new Promise((resolve) => setTimeout(resolve, ms)).then(() => {
        if (open.get(key)?.items === items) open.delete(key);
        return flush(items);
      });
      batch = { items, done };
      open.set(key, batch);
    }
    batch.items.push(item);
    return batch.done;
  };
}

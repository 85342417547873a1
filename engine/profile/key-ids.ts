// Dense ids for (integer, string) keys: an open-addressing table on typed arrays. Millions of prompt and
// prefix-block hashes go through it; a Map of that size spends most of its time in the garbage collector.
// Exact: a slot matches only when both parts of the key are equal.

const EMPTY = -1;

function hashKey(group: number, s: string): number {
  let h = Math.imul(group ^ 0x9e3779b9, 0x85ebca6b) ^ 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

export class KeyIds {
  private slots: Int32Array = new Int32Array(1024).fill(EMPTY);
  private slotHashes: Int32Array = new Int32Array(1024);
  private groups: Int32Array = new Int32Array(512);
  private readonly strings: string[] = [];

  get size(): number {
    return this.strings.length;
  }

  /** The string part of the key of `id`. */
  stringOf(id: number): string {
    return this.strings[id]!;
  }

  /** The id of (group, s), assigning the next one when new. */
  id(group: number, s: string): number {
    const h = hashKey(group, s);
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (let id = this.slots[i]!; id !== EMPTY; id = this.slots[i]!) {
      if (this.slotHashes[i] === h && this.groups[id] === group && this.strings[id] === s) return id;
      i = (i + 1) & mask;
    }
    const id = this.strings.length;
    this.strings.push(s);
    if (id >= this.groups.length) this.groups = grown(this.groups);
    this.groups[id] = group;
    this.slots[i] = id;
    this.slotHashes[i] = h;
    if (this.strings.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const oldSlots = this.slots;
    const oldHashes = this.slotHashes;
    this.slots = new Int32Array(oldSlots.length * 2).fill(EMPTY);
    this.slotHashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const id = oldSlots[j]!;
      if (id === EMPTY) continue;
      let i = oldHashes[j]! & mask;
      while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
      this.slots[i] = id;
      this.slotHashes[i] = oldHashes[j]!;
    }
  }
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

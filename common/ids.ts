// Opaque, time-ordered ids with a type prefix (`usr_…`, `thr_…`): a UUIDv7 without dashes,
// so ids sort by creation time as strings.
import { hex } from './hex';

export type IdPrefix = 'org' | 'usr' | 'key' | 'thr' | 'msg' | 'run' | 'rep' | 'imp' | 'req' | 'rtk' | 'job' | 'doc' | 'conn' | 'evt' | 'prc' | 'rcp' | 'inv';

export function uuidv7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ts = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ts % 256;
    ts = Math.floor(ts / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return hex(bytes);
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${uuidv7()}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && id.length <= 64;
}

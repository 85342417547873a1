// Bytes as lowercase hex, by a table: ids and digests are formatted on every request.
const BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += BYTE[b];
  return out;
}

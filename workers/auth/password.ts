// Password hashing: PBKDF2-SHA256 (WebCrypto) with a per-user salt, stored as
// "pbkdf2$<iterations>$<salt b64url>$<hash b64url>", compared in constant time.
import { base64url, fromBase64url } from './secrets';

/**
 * Production Workers refuse PBKDF2 above 100 000 iterations (workerd's limit enforcer; local workerd has no
 * cap, so tests cannot show it): that is both our cost and the ceiling a stored hash may ask for.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2$${PBKDF2_ITERATIONS}$${base64url(salt)}$${base64url(hash)}`;
}

interface Parsed {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parse(stored: string): Parsed | null {
  const [scheme, iter, salt, hash] = stored.split('$');
  const iterations = Number(iter);
  if (scheme !== 'pbkdf2' || !salt || !hash || !Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) {
    return null;
  }
  return { iterations, salt: fromBase64url(salt), hash: fromBase64url(hash) };
}

// Used when there is no hash to check (unknown email, Google-only account): the same work is done,
// so response time does not tell which emails have a password.
const DUMMY: Parsed = { iterations: PBKDF2_ITERATIONS, salt: new Uint8Array(SALT_BYTES), hash: new Uint8Array(HASH_BITS / 8) };

/** Constant-time check of `password` against a stored hash; a null or unreadable hash never matches. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = (stored && parse(stored)) || null;
  const target = parsed ?? DUMMY;
  const candidate = await derive(password, target.salt, target.iterations);
  const same = candidate.byteLength === target.hash.byteLength && crypto.subtle.timingSafeEqual(candidate, target.hash);
  return parsed !== null && same;
}

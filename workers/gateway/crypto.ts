// AES-256-GCM (WebCrypto) for the org's upstream provider keys, under the secret GATEWAY_ENCRYPTION_KEY
// (32 bytes, base64 or base64url). The org id is the additional data: a ciphertext copied to another
// org's row does not decrypt. Without a valid secret every gateway route answers a configuration error.
import { base64url, fromBase64url } from '../auth/secrets';
import { ApiError } from '../lib/errors';

const imported = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

export function missingEncryptionKey(): ApiError {
  return new ApiError('dependency_unavailable', 'the gateway is not configured: set the secret GATEWAY_ENCRYPTION_KEY (32 random bytes, base64)', { missing_secret: 'GATEWAY_ENCRYPTION_KEY' });
}

function keyBytes(secret: string | undefined): Uint8Array | null {
  if (!secret) return null;
  try {
    const bytes = fromBase64url(secret.trim().replace(/=+$/, ''));
    return bytes.byteLength === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/** The secret last found valid: every gateway request asks, and the answer changes only with the secret. */
let validSecret: string | undefined;

/** True when the secret is present and decodes to 32 bytes. */
export function hasEncryptionKey(secret: string | undefined): boolean {
  if (secret !== undefined && secret === validSecret) return true;
  const valid = keyBytes(secret) !== null;
  if (valid) validSecret = secret;
  return valid;
}

function cryptoKey(secret: string | undefined): Promise<CryptoKey> {
  const bytes = keyBytes(secret);
  if (!bytes) throw missingEncryptionKey();
  let key = imported.get(secret!);
  if (!key) {
    key = crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
    imported.set(secret!, key);
  }
  return key;
}

export async function encryptSecret(secret: string | undefined, orgId: string, plaintext: string): Promise<{ ciphertext: string; iv: string }> {
  const key = await cryptoKey(secret);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(orgId) }, key, encoder.encode(plaintext));
  return { ciphertext: base64url(new Uint8Array(sealed)), iv: base64url(iv) };
}

export async function decryptSecret(secret: string | undefined, orgId: string, sealed: { ciphertext: string; iv: string }): Promise<string> {
  const key = await cryptoKey(secret);
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64url(sealed.iv), additionalData: encoder.encode(orgId) }, key, fromBase64url(sealed.ciphertext));
    return new TextDecoder().decode(plain);
  } catch {
    // A rotated secret or a tampered row: the key cannot be used; the owner must store it again.
    throw new ApiError('dependency_unavailable', 'a stored provider key cannot be decrypted (was GATEWAY_ENCRYPTION_KEY rotated?); store the provider key again');
  }
}

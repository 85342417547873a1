// Random secrets and digests shared by passwords, refresh tokens, API keys and the OIDC flow (WebCrypto only).
import { hex } from '../../common/hex';

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** `bytes` random bytes as base64url (32 bytes → 43 characters). */
export function randomSecret(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** SHA-256 as lowercase hex: how refresh tokens and API keys are stored and looked up. */
export async function sha256Hex(text: string): Promise<string> {
  return hex(await sha256(text));
}

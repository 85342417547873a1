// Which upstream serves a model name: "provider/model" naming one of the org's provider keys, else the
// catalog's provider of the model; plus the plaintext key (decrypted once per isolate and ciphertext).
import { findModel, normalizeProvider } from '../../engine/catalog/index';
import type { ModelRef } from '../../engine/tools/policy/policy';
import type { UpstreamKey } from './config';
import { decryptSecret } from './crypto';
import { GatewayError } from './errors';

export interface Target {
  provider: string;
  model: string;
  key: UpstreamKey;
}

export function targetFor(ref: ModelRef, keys: UpstreamKey[]): Target | null {
  const provider = normalizeProvider(ref.provider);
  const key = keys.find((k) => k.provider === provider);
  return key ? { provider, model: ref.model, key } : null;
}

/** The upstream of a requested model name; 404 model_not_found or 400 when the org has no key for it. */
export function resolveRequested(name: string, keys: UpstreamKey[]): Target {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const prefixed = targetFor({ provider: name.slice(0, slash), model: name.slice(slash + 1) }, keys);
    if (prefixed) return prefixed;
  }
  const known = findModel(name);
  if (!known) {
    throw new GatewayError(404, 'invalid_request_error', 'model_not_found', `The model \`${name.slice(0, 200)}\` is unknown and no route names it: prefix it with a provider you have a key for ("openai/${name.slice(0, 100)}")`, 'model');
  }
  const target = targetFor({ provider: known.provider, model: name }, keys);
  if (!target) {
    throw new GatewayError(400, 'invalid_request_error', 'provider_key_missing', `no provider key for ${known.provider}: add one with POST /api/gateway/provider-keys`, 'model');
  }
  return target;
}

const plaintext = new Map<string, string>();
const MAX_PLAINTEXT = 1_000;

export async function upstreamKey(secret: string | undefined, orgId: string, key: UpstreamKey): Promise<string> {
  const cacheKey = `${orgId}\u0000${key.ciphertext}`;
  const hit = plaintext.get(cacheKey);
  if (hit) return hit;
  const plain = await decryptSecret(secret, orgId, key);
  if (plaintext.size >= MAX_PLAINTEXT) plaintext.clear();
  plaintext.set(cacheKey, plain);
  return plain;
}

// Prompt identity for synthetic calls: a prompt hash and cumulative 512-token prefix block hashes
// (entry i stands for the first (i+1)·512 tokens, as in the Mooncake traces).
import { PREFIX_BLOCK_TOKENS } from '../telemetry/record.js';
import type { Rng } from './prng.js';

export interface Prompt {
  prompt_hash: string;
  prefix_hashes: string[];
}

function blockCount(inputTokens: number): number {
  return Math.ceil(inputTokens / PREFIX_BLOCK_TOKENS);
}

/** Whole blocks a prompt shares with a stored prefix of `prefixTokens` tokens. */
export function fullBlocks(prefixTokens: number): number {
  return Math.floor(prefixTokens / PREFIX_BLOCK_TOKENS);
}

/**
 * A new prompt of `inputTokens` tokens whose first `shared.length` blocks equal `shared` (a reused prefix) and
 * whose remaining blocks are fresh.
 */
export function promptWithPrefix(rng: Rng, shared: readonly string[], inputTokens: number): Prompt {
  const root = rng.hex();
  const blocks = blockCount(inputTokens);
  const prefix_hashes = shared.slice(0, blocks);
  for (let i = prefix_hashes.length; i < blocks; i++) prefix_hashes.push(`${root}.${i}`);
  return { prompt_hash: `ph_${root}`, prefix_hashes };
}

export function freshPrompt(rng: Rng, inputTokens: number): Prompt {
  return promptWithPrefix(rng, [], inputTokens);
}

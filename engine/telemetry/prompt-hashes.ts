// Prompt identity from stored messages (LiteLLM with store_prompts_in_spend_logs, Helicone bodies): the prompt
// hash and the cumulative prefix block hashes, without keeping the prompt itself.
import { canonicalJson, fnv1a64 } from './hash';
import { PREFIX_BLOCK_TOKENS } from './record';

/** Without the provider's tokenizer, a block is its usual share of text: ~4 characters per token. */
const CHARS_PER_TOKEN = 4;
const BLOCK_CHARS = PREFIX_BLOCK_TOKENS * CHARS_PER_TOKEN;

export interface PromptHashes {
  prompt_hash: string;
  prefix_hashes: string[];
}

/**
 * Hashes of a chat prompt (messages array or prompt text) with its model: equal prompts, equal hash. Block i of
 * `prefix_hashes` hashes the first (i+1)·2048 characters of the prompt text; a partial last block is not a block.
 * Undefined when there is no prompt (empty, "{}", or not messages).
 */
export function promptHashes(model: string | undefined, messages: unknown): PromptHashes | undefined {
  const textOf = promptText(messages);
  if (textOf === undefined) return undefined;
  const prefix_hashes: string[] = [];
  for (let end = BLOCK_CHARS; end <= textOf.length; end += BLOCK_CHARS) prefix_hashes.push(fnv1a64(textOf.slice(0, end)));
  return { prompt_hash: fnv1a64(`${model ?? ''}\n${textOf}`), prefix_hashes };
}

function promptText(messages: unknown): string | undefined {
  if (typeof messages === 'string') return messages.trim() === '' || messages.trim() === '{}' ? undefined : messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  // messages in order, each with its keys sorted: a stable rendering whose prefixes are the conversation's prefixes
  return messages.map((m) => canonicalJson(m)).join('\n');
}

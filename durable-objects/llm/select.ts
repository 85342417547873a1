// Picks the configured provider: the first key set wins (OpenAI-compatible, Anthropic, Gemini), then a
// Workers AI binding; null means the deterministic offline reasoner does the work.
import { Anthropic } from './anthropic';
import { Gemini } from './gemini';
import { OpenAiCompatible } from './openai';
import type { LlmProvider } from './types';
import { WorkersAi, type AiBinding } from './workers-ai';

/** The settings the provider layer reads (a subset of the Worker's env, so it also runs in Node). */
export interface LlmEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  GEMINI_API_KEY?: string;
  GEMINI_BASE_URL?: string;
  AI?: AiBinding;
}

export function selectProvider(env: LlmEnv): LlmProvider | null {
  if (env.OPENAI_API_KEY) return new OpenAiCompatible(env.OPENAI_API_KEY, env.OPENAI_BASE_URL || undefined);
  if (env.ANTHROPIC_API_KEY) return new Anthropic(env.ANTHROPIC_API_KEY, env.ANTHROPIC_BASE_URL || undefined);
  if (env.GEMINI_API_KEY) return new Gemini(env.GEMINI_API_KEY, env.GEMINI_BASE_URL || undefined);
  if (env.AI) return new WorkersAi(env.AI);
  return null;
}

// Picks the configured provider: the first key set wins (OpenAI-compatible, Anthropic, Gemini), then a
// Workers AI binding; null means the deterministic offline reasoner does the work.
import { Anthropic } from './anthropic';
import { Gemini } from './gemini';
import { OpenAiCompatible } from './openai';
import type { LlmProvider } from './types';
import { WorkersAi, type AiBinding } from './workers-ai';

export type LlmEnv = Partial<Pick<Env, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL' | 'GEMINI_API_KEY' | 'GEMINI_BASE_URL'>> & { AI?: AiBinding };

export function selectProvider(env: LlmEnv): LlmProvider | null {
  if (env.OPENAI_API_KEY) return new OpenAiCompatible(env.OPENAI_API_KEY, env.OPENAI_BASE_URL || undefined);
  if (env.ANTHROPIC_API_KEY) return new Anthropic(env.ANTHROPIC_API_KEY, env.ANTHROPIC_BASE_URL || undefined);
  if (env.GEMINI_API_KEY) return new Gemini(env.GEMINI_API_KEY, env.GEMINI_BASE_URL || undefined);
  if (env.AI) return new WorkersAi(env.AI);
  return null;
}

// Phrasing of answers: the offline reasoner writes them from templates; when an LLM is configured it may
// rephrase, but its text is kept only if every number in it appears in the facts the tools produced —
// otherwise the offline text stands. Every LLM call is metered.
import { selectProvider, type LlmEnv } from '../llm/select';
import type { ChatResult } from '../llm/types';

// Digits inside a name or label (p95, gpt-4o, claude-sonnet-4-5) are not figures: a number counts only
// when no letter-led word runs into it.
const NUMBER = /(?<![A-Za-z_][\w-]*)\d[\d,]*(?:\.\d+)?/g;

/** Numbers written in a text, normalised (commas dropped, trailing zeros of decimals ignored). */
export function numbersIn(text: string): Set<string> {
  return new Set((text.match(NUMBER) ?? []).map((n) => String(Number(n.replace(/,/g, '')))));
}

/** True when every number of `candidate` also appears in `facts` (the tools' figures as text). */
export function usesOnlyFactNumbers(candidate: string, facts: string): boolean {
  const allowed = numbersIn(facts);
  return [...numbersIn(candidate)].every((n) => allowed.has(n));
}

export interface Phrased {
  text: string;
  by: 'offline' | 'llm';
  llm?: Pick<ChatResult, 'provider' | 'model' | 'input_tokens' | 'output_tokens' | 'latency_ms'>;
}

/** True when `candidate` keeps every number of `keep` (the answer's lead: the figure that answers the question). */
function keepsNumbersOf(candidate: string, keep: string): boolean {
  const kept = numbersIn(candidate);
  return [...numbersIn(keep)].every((n) => kept.has(n));
}

/**
 * Returns `offlineText`, or an LLM rephrasing of it that introduces no number of its own and keeps every
 * figure of `lead` (a rephrasing that loses the answer's key figure is not an answer).
 * `onLlmCall` meters each call (tokens, latency), whether or not its text is used.
 */
export async function phrase(env: LlmEnv, offlineText: string, onLlmCall: (call: ChatResult) => void, lead = ''): Promise<Phrased> {
  const provider = selectProvider(env);
  if (!provider) return { text: offlineText, by: 'offline' };
  try {
    const out = await provider.complete(
      {
        model: provider.defaultModel,
        max_tokens: 800,
        messages: [
          {
            role: 'system',
            content:
              'You rewrite an analysis of LLM spend for a busy engineer. Keep every figure exactly as given, add no number, no claim and no model name that is not in the text. Markdown, at most 200 words.',
          },
          { role: 'user', content: offlineText },
        ],
      },
      { timeoutMs: 20_000, retries: 1 },
    );
    onLlmCall(out);
    const text = out.text.trim();
    if (text && usesOnlyFactNumbers(text, offlineText) && keepsNumbersOf(text, lead)) {
      return { text, by: 'llm', llm: { provider: out.provider, model: out.model, input_tokens: out.input_tokens, output_tokens: out.output_tokens, latency_ms: out.latency_ms } };
    }
  } catch {
    // The offline text is always a complete answer.
  }
  return { text: offlineText, by: 'offline' };
}

// Data helper step: says exactly which telemetry is missing and how to send it, plus the quick wins that
// need no data. Its advice follows the sufficiency inputs that scored lowest.
import { INGEST_SNIPPET } from '../../engine/agent/answer';
import type { RunContext, StepOutput } from '../supervisor/contract';
import type { TriageStepResult } from './triage-agent';
import type { SufficiencyInput } from './triage';

export interface DataRequest {
  input: string;
  what: string;
  how: string;
}

export interface DataHelperResult {
  requests: DataRequest[];
  quick_wins: string[];
  example: string;
}

const ADVICE: Record<string, Omit<DataRequest, 'input'>> = {
  volume: { what: 'more calls: at least 1,000 recent LLM calls', how: 'send every call (not a sample) to POST /api/ingest/calls, or import a usage export with POST /api/ingest/import' },
  history: { what: 'at least 7 days of history', how: 'import past usage (OpenAI usage export, LiteLLM spend logs, Helicone export) with POST /api/ingest/import' },
  latency: { what: 'latency_ms per call', how: 'measure wall time around each provider call and send it as latency_ms' },
  feature: { what: 'a feature/route tag per call', how: 'set feature (e.g. "summarize", "chat") so savings can be scoped to what each part of your product spends' },
  prompt_hash: { what: 'a hash of each full prompt', how: 'send prompt_hash = sha256 of the request messages (never the text itself) to find duplicate requests' },
  prefix_or_cache: { what: 'cached-token counts or prompt prefix block hashes', how: 'send cached_input_tokens from the provider usage, and prefix_hashes (a hash per 512-token block of the prompt) for prompt-caching analysis' },
  user: { what: 'an end-user id per call', how: 'send user (an opaque id) to find per-user quotas and abuse' },
  ttft: { what: 'time to first token', how: 'for streamed calls send ttft_ms, the time to the first streamed chunk' },
};

export const QUICK_WINS = [
  'Set max_tokens on every call to about the 95th percentile of the output you actually need: output tokens cost 4–8× input tokens.',
  'Put static content (system prompt, tools, documents) first and variable content last so provider prompt caching can apply (OpenAI ≥1,024 tokens, automatic; Anthropic needs cache_control).',
  'Send non-interactive jobs (evals, backfills, nightly classification) through the provider batch API: 50% off at OpenAI, Anthropic and Gemini.',
  'Retry with exponential backoff and jitter: 429 storms without backoff waste quota and add latency.',
  'Stream user-facing responses so perceived latency becomes time to first token.',
];


export function dataRequests(inputs: SufficiencyInput[]): DataRequest[] {
  return inputs
    .filter((i) => i.share < 0.8)
    .sort((a, b) => b.weight * (1 - b.share) - a.weight * (1 - a.share))
    .flatMap((i) => (ADVICE[i.name] ? [{ input: i.name, ...ADVICE[i.name]! }] : []));
}

export async function dataHelperStep(ctx: RunContext): Promise<StepOutput> {
  const triage = ctx.results.triage as TriageStepResult;
  const requests = dataRequests(triage.sufficiency.inputs);
  ctx.emit('agent_log', { level: 'info', message: requests.length ? `missing: ${requests.map((r) => r.input).join(', ')}` : 'telemetry covers every input' }, 'data_helper');
  const result: DataHelperResult = { requests, quick_wins: QUICK_WINS, example: INGEST_SNIPPET };
  return { result };
}

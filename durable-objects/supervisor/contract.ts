// The contract between the supervisor and its sub-agents: what a step receives (RunContext), what it
// returns (StepOutput) and how it fails (StepError). A leaf module: it imports nothing of either side, so
// the orchestrators (run-manager, steps) and the agents both depend on it and never on each other.
import type { ServerEventData, ServerEventType, WsErrorCode } from '../../protocol/messages';
import type { Pipeline, StepStage } from './machine';

export interface ThreadInfo {
  thread_id: string;
  org_id: string;
  owner_user_id: string;
  tier: string;
}

export interface Refusal {
  code: WsErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface PreviousRun {
  message: string;
  /** The feature the previous answer was about: the one the user named, else its top saving's. */
  feature: string | null;
  /** The previous run's parsed request (follow-ups reuse its scope), null for runs before requests existed. */
  request: unknown;
  /** The previous run's plan steps (for "apply the second one"). */
  steps: unknown[];
}

export interface RunContext {
  env: Env;
  run_id: string;
  user_id: string;
  thread: ThreadInfo;
  message: string;
  results: Partial<Record<StepStage, unknown>>;
  pipeline: Pipeline | null;
  /** The thread's previous completed run, for follow-up questions ("what if only that feature…"). */
  previous: PreviousRun | null;
  /** Logs an event of the step; a re-run of an interrupted step does not log again what the first run did. */
  emit: <T extends ServerEventType>(type: T, data: ServerEventData<T>, agent: string) => void;
  /** A tool call's id: run, stage, attempt, tool and its ordinal in the step, so the same when an interrupted step is re-run. */
  callId: (tool: string) => string;
  /** Step outputs too large for the checkpoint (the profile), stored in the DO for later steps of this run. */
  artifacts: { put(name: string, value: unknown): void; get<T>(name: string): T | undefined };
  /** Meters a usage event; `id` (default: a new one) makes a re-run's event the same row. */
  usage: (eventType: string, data: Record<string, unknown>, id?: string) => void;
}

export interface StepOutput {
  result: unknown;
  /** Only triage sets it: it picks the pipeline. */
  sufficiency?: number;
  /** Only triage sets it: a request that needs no telemetry (greeting, catalog, how to send data) goes straight to the report. */
  pipeline?: Pipeline;
}

/** A step failure with a code the user sees; `retryable` when a retry may succeed (a store was down). */
export class StepError extends Error {
  constructor(
    readonly code: 'dependency_unavailable' | 'run_failed',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

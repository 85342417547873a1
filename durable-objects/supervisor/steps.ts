// Dispatches a supervisor stage to its sub-agent. Sub-agents report progress through `emit`
// (tool_call / tool_result / agent_log) and return a small JSON result that is checkpointed.
import type { ServerEvent, ServerEventData, ServerEventType } from '../../protocol/messages';
import { dataHelperStep } from '../agents/data-helper';
import { dataStep } from '../agents/data-intelligence';
import { optimizeStep } from '../agents/optimizer';
import { planActionsStep } from '../agents/actions';
import { reportStep } from '../agents/reporting';
import { triageStep } from '../agents/triage-agent';
import type { Pipeline, StepStage } from './machine';
import type { ThreadInfo } from './run-manager';

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
  emit: <T extends ServerEventType>(type: T, data: ServerEventData<T>, agent: string) => ServerEvent;
  /** Step outputs too large for the checkpoint (the profile), stored in the DO for later steps of this run. */
  artifacts: { put(name: string, value: unknown): void; get<T>(name: string): T | undefined };
  usage: (eventType: string, data: Record<string, unknown>) => void;
}

export interface PreviousRun {
  message: string;
  /** The feature the previous answer was about: the one the user named, else its top saving's. */
  feature: string | null;
}

export interface StepOutput {
  result: unknown;
  /** Only triage sets it: it picks the pipeline. */
  sufficiency?: number;
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

const STEPS: Record<StepStage, (ctx: RunContext) => Promise<StepOutput>> = {
  triage: triageStep,
  data: dataStep,
  data_helper: dataHelperStep,
  optimize: optimizeStep,
  plan_actions: planActionsStep,
  report: reportStep,
};

export function runStep(stage: StepStage, ctx: RunContext): Promise<StepOutput> {
  return STEPS[stage](ctx);
}

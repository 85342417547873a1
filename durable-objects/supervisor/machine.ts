// The supervisor as a pure state machine: (state, event) → (state, effects). The ThreadAgent DO performs
// the effects (runs a sub-agent step, emits events, schedules retries) and checkpoints the state after
// every transition, so a run resumes after eviction and completes exactly once.
import type { ServerEventData, ServerEventType } from '../../protocol/messages';
import { backoffDelay } from '../../common/backoff';

export type Stage =
  | 'received'
  | 'triage'
  | 'data'
  | 'data_helper'
  | 'optimize'
  | 'plan_actions'
  | 'report'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** Stages whose work is a sub-agent step. */
export type StepStage = 'triage' | 'data' | 'data_helper' | 'optimize' | 'plan_actions' | 'report';

export const TERMINAL: ReadonlySet<Stage> = new Set(['completed', 'failed', 'cancelled']);

export const SUB_AGENT: Record<StepStage, string> = {
  triage: 'triage',
  data: 'data_intelligence',
  data_helper: 'data_helper',
  optimize: 'optimizations_core',
  plan_actions: 'actions_to_meet_goals',
  report: 'reporting',
};

export const MAX_ATTEMPTS = 3;
export const STEP_TIMEOUT_MS = 120_000;

/** `answer`: a request that needs no telemetry (greeting, catalog, how to send data): triage → report. */
export type Pipeline = 'full' | 'partial' | 'data_helper' | 'answer';

/**
 * Sufficiency thresholds of the adaptive workflow (DESIGN.md):
 * full = triage → data → optimize → plan_actions → report;
 * partial = triage → data → optimize → data_helper → report (with caveats);
 * data_helper = triage → data_helper → report (what to send, plus quick wins that need no data).
 */
export function pipelineFor(sufficiency: number): Pipeline {
  if (sufficiency >= 80) return 'full';
  if (sufficiency >= 40) return 'partial';
  return 'data_helper';
}

export interface RunState {
  run_id: string;
  stage: Stage;
  pipeline: Pipeline | null;
  attempt: number;
  steps: number;
  /** Short results of finished steps (what later steps and the final answer need). */
  results: Partial<Record<StepStage, unknown>>;
  error: { code: string; message: string } | null;
}

export type MachineEvent =
  | { type: 'start' }
  | { type: 'step_succeeded'; stage: StepStage; result: unknown; sufficiency?: number; pipeline?: Pipeline }
  | { type: 'step_failed'; stage: StepStage; code: string; message: string; retryable: boolean }
  | { type: 'cancel' };

export type Effect =
  | { kind: 'emit'; type: ServerEventType; data: ServerEventData<ServerEventType>; agent: string }
  | { kind: 'run_step'; stage: StepStage; attempt: number }
  | { kind: 'retry_later'; stage: StepStage; delay_ms: number }
  | { kind: 'finish'; status: 'completed' | 'failed' | 'cancelled' };

export function initialState(run_id: string): RunState {
  return { run_id, stage: 'received', pipeline: null, attempt: 0, steps: 0, results: {}, error: null };
}

function nextStage(from: StepStage, pipeline: Pipeline): StepStage | 'completed' {
  switch (from) {
    case 'triage':
      return pipeline === 'answer' ? 'report' : pipeline === 'data_helper' ? 'data_helper' : 'data';
    case 'data':
      return 'optimize';
    case 'optimize':
      // Partial data: the data helper names what to send next before the report (seeds' modified pipeline).
      return pipeline === 'full' ? 'plan_actions' : 'data_helper';
    case 'plan_actions':
    case 'data_helper':
      return 'report';
    case 'report':
      return 'completed';
  }
}

const emit = <T extends ServerEventType>(type: T, data: ServerEventData<T>, agent = 'supervisor'): Effect => ({ kind: 'emit', type, data, agent });

function enter(state: RunState, stage: StepStage): { state: RunState; effects: Effect[] } {
  return {
    state: { ...state, stage, attempt: 1 },
    effects: [emit('sub_agent_update', { sub_agent: SUB_AGENT[stage], status: 'started' }, SUB_AGENT[stage]), { kind: 'run_step', stage, attempt: 1 }],
  };
}

/** Delay before re-running a failed step (attempt 2 waits 1 s, then 2 s, …): no jitter, the machine replays exactly. */
export function retryDelay(attempt: number): number {
  return backoffDelay(attempt - 1, { baseMs: 1_000, maxMs: Number.POSITIVE_INFINITY, jitter: false });
}

export function transition(state: RunState, event: MachineEvent): { state: RunState; effects: Effect[] } {
  if (TERMINAL.has(state.stage)) return { state, effects: [] };
  const steps = state.steps + 1;
  switch (event.type) {
    case 'start': {
      if (state.stage !== 'received') return { state, effects: [] };
      return enter({ ...state, steps }, 'triage');
    }
    case 'cancel':
      return {
        state: { ...state, stage: 'cancelled', steps },
        effects: [emit('agent_completed', { run_id: state.run_id, status: 'cancelled' }), { kind: 'finish', status: 'cancelled' }],
      };
    case 'step_succeeded': {
      if (event.stage !== state.stage) return { state, effects: [] }; // a late result of a step already retried
      const pipeline = event.stage === 'triage' ? event.pipeline ?? pipelineFor(event.sufficiency ?? 0) : state.pipeline ?? 'full';
      const done: RunState = { ...state, steps, pipeline, results: { ...state.results, [event.stage]: event.result } };
      const agent = SUB_AGENT[event.stage];
      const completed = emit('sub_agent_update', { sub_agent: agent, status: 'completed' }, agent);
      const next = nextStage(event.stage, pipeline);
      if (next === 'completed') {
        return { state: { ...done, stage: 'completed' }, effects: [completed, { kind: 'finish', status: 'completed' }] };
      }
      const entered = enter(done, next);
      return { state: entered.state, effects: [completed, ...entered.effects] };
    }
    case 'step_failed': {
      if (event.stage !== state.stage) return { state, effects: [] };
      const agent = SUB_AGENT[event.stage];
      if (event.retryable && state.attempt < MAX_ATTEMPTS) {
        const delay = retryDelay(state.attempt);
        return {
          state: { ...state, steps, attempt: state.attempt + 1 },
          effects: [
            emit('agent_log', { level: 'warn', message: `${agent} failed (${event.code}); retrying in ${delay / 1000}s` }, agent),
            { kind: 'retry_later', stage: event.stage, delay_ms: delay },
          ],
        };
      }
      const error = { code: event.code, message: event.message };
      return {
        state: { ...state, steps, stage: 'failed', error },
        effects: [
          emit('sub_agent_update', { sub_agent: agent, status: 'failed', message: event.message }, agent),
          emit('error', { code: event.code, message: event.message }),
          emit('agent_completed', { run_id: state.run_id, status: 'failed' }),
          { kind: 'finish', status: 'failed' },
        ],
      };
    }
  }
}

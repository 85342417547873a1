import { describe, expect, it } from 'vitest';
import { initialState, MAX_ATTEMPTS, pipelineFor, transition, type Effect, type Pipeline, type RunState, type StepStage } from '../../../durable-objects/supervisor/machine';

/** Drives the machine through successful steps, returning the stages it ran in order. */
function runToEnd(sufficiency: number, pipeline?: Pipeline): { stages: StepStage[]; state: RunState; effects: Effect[] } {
  let { state, effects } = transition(initialState('run_1'), { type: 'start' });
  const all = [...effects];
  const stages: StepStage[] = [];
  for (let guard = 0; guard < 20; guard++) {
    const step = effects.find((e) => e.kind === 'run_step');
    if (!step || step.kind !== 'run_step') break;
    stages.push(step.stage);
    ({ state, effects } = transition(state, { type: 'step_succeeded', stage: step.stage, result: { ok: step.stage }, sufficiency, ...(pipeline ? { pipeline } : {}) }));
    all.push(...effects);
  }
  return { stages, state, effects: all };
}

describe('supervisor machine', () => {
  it('picks the pipeline from the sufficiency score', () => {
    expect(pipelineFor(100)).toBe('full');
    expect(pipelineFor(80)).toBe('full');
    expect(pipelineFor(79)).toBe('partial');
    expect(pipelineFor(40)).toBe('partial');
    expect(pipelineFor(39)).toBe('data_helper');
  });

  it('full pipeline: triage → data → optimize → plan_actions → report, then completes once', () => {
    const { stages, state, effects } = runToEnd(92);
    expect(stages).toEqual(['triage', 'data', 'optimize', 'plan_actions', 'report']);
    expect(state.stage).toBe('completed');
    expect(effects.filter((e) => e.kind === 'finish')).toEqual([{ kind: 'finish', status: 'completed' }]);
  });

  it('partial pipeline runs the data helper after the optimizer', () => {
    expect(runToEnd(55).stages).toEqual(['triage', 'data', 'optimize', 'data_helper', 'report']);
  });

  it('a request that needs no telemetry (greeting, catalog): triage → report', () => {
    const { stages, state } = runToEnd(0, 'answer');
    expect(stages).toEqual(['triage', 'report']);
    expect(state.pipeline).toBe('answer');
    expect(state.stage).toBe('completed');
  });

  it('insufficient data: only the data helper and the report', () => {
    expect(runToEnd(10).stages).toEqual(['triage', 'data_helper', 'report']);
  });

  it('retries a retryable failure with backoff, then fails after MAX_ATTEMPTS', () => {
    let { state } = transition(initialState('run_2'), { type: 'start' });
    const delays: number[] = [];
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      const out = transition(state, { type: 'step_failed', stage: 'triage', code: 'dependency_unavailable', message: 'down', retryable: true });
      state = out.state;
      const retry = out.effects.find((e) => e.kind === 'retry_later');
      expect(retry).toBeDefined();
      if (retry?.kind === 'retry_later') delays.push(retry.delay_ms);
    }
    expect(delays).toEqual([1000, 2000]);
    const last = transition(state, { type: 'step_failed', stage: 'triage', code: 'dependency_unavailable', message: 'down', retryable: true });
    expect(last.state.stage).toBe('failed');
    expect(last.effects.some((e) => e.kind === 'emit' && e.type === 'error')).toBe(true);
    expect(last.effects.at(-1)).toEqual({ kind: 'finish', status: 'failed' });
  });

  it('a non-retryable failure fails at once', () => {
    const { state } = transition(initialState('run_3'), { type: 'start' });
    const out = transition(state, { type: 'step_failed', stage: 'triage', code: 'run_failed', message: 'bad', retryable: false });
    expect(out.state.stage).toBe('failed');
    expect(out.state.error).toEqual({ code: 'run_failed', message: 'bad' });
  });

  it('cancel ends the run; later step results and a second cancel change nothing', () => {
    const { state } = transition(initialState('run_4'), { type: 'start' });
    const cancelled = transition(state, { type: 'cancel' });
    expect(cancelled.state.stage).toBe('cancelled');
    expect(cancelled.effects.at(-1)).toEqual({ kind: 'finish', status: 'cancelled' });
    const late = transition(cancelled.state, { type: 'step_succeeded', stage: 'triage', result: {}, sufficiency: 90 });
    expect(late.state).toBe(cancelled.state);
    expect(late.effects).toEqual([]);
    expect(transition(cancelled.state, { type: 'cancel' }).effects).toEqual([]);
  });

  it('ignores a stale result for a stage the run has left', () => {
    let { state } = transition(initialState('run_5'), { type: 'start' });
    ({ state } = transition(state, { type: 'step_succeeded', stage: 'triage', result: {}, sufficiency: 90 }));
    const stale = transition(state, { type: 'step_succeeded', stage: 'triage', result: {}, sufficiency: 10 });
    expect(stale.effects).toEqual([]);
    expect(stale.state.pipeline).toBe('full');
  });
});

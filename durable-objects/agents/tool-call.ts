// Runs one tool inside a sub-agent step, streaming `tool_call` and `tool_result` events with its input
// and output and its real duration, and metering it as a usage event. Store failures become retryable step
// errors; a failing pure tool fails the step. The call id is the same when an interrupted step is re-run, so
// its events and its usage event are logged once.
import { StepError, type RunContext } from '../supervisor/contract';

export async function callTool<T>(
  ctx: RunContext,
  agent: string,
  tool: string,
  input: unknown,
  run: () => Promise<T>,
  summarize: (output: T) => unknown = (o) => o,
  /** 'store': a failure means a store is unreachable (retryable); 'pure': a failure is a bug (the step fails). */
  kind: 'store' | 'pure' = 'store',
): Promise<T> {
  const call_id = ctx.callId(tool);
  const usageId = `evt_${call_id}`;
  ctx.emit('tool_call', { call_id, tool, input }, agent);
  const started = performance.now();
  try {
    const output = await run();
    const duration_ms = Math.round(performance.now() - started);
    ctx.emit('tool_result', { call_id, tool, ok: true, output: summarize(output), duration_ms }, agent);
    ctx.usage('tool_call', { tool, agent, ok: true, duration_ms }, usageId);
    return output;
  } catch (err) {
    const duration_ms = Math.round(performance.now() - started);
    const stepError =
      err instanceof StepError
        ? err
        : kind === 'pure'
          ? new StepError('run_failed', `${tool} failed: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}`, false)
          : new StepError('dependency_unavailable', `${tool} could not reach the telemetry store`, true);
    ctx.emit('tool_result', { call_id, tool, ok: false, output: { error: stepError.code, message: stepError.message }, duration_ms }, agent);
    ctx.usage('tool_call', { tool, agent, ok: false, duration_ms }, usageId);
    throw stepError;
  }
}

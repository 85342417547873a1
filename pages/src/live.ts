// Folds the thread's server events (protocol/messages.ts) into a view of its runs: per run the sub-agents
// with their step lists, the tool calls with their results, the log, errors and the final answer.
// Pure: (state, event) → state, so replays after a reconnect rebuild exactly the same view.
import type { ServerEvent, ServerEventData } from '../../protocol/messages';

type SubAgentStatus = ServerEventData<'sub_agent_update'>['status'];
type LogLevel = ServerEventData<'agent_log'>['level'];
export type RunStatus = 'running' | ServerEventData<'agent_completed'>['status'];

export interface StepView {
  status: SubAgentStatus;
  message?: string;
  at: string;
}
export interface SubAgentView {
  name: string;
  status: SubAgentStatus;
  progress?: number;
  message?: string;
  steps: StepView[];
}
export interface ToolView {
  call_id: string;
  tool: string;
  agent: string | null;
  input: unknown;
  at: string;
  done: boolean;
  ok?: boolean;
  output?: unknown;
  duration_ms?: number;
}
export interface LogView {
  level: LogLevel;
  message: string;
  agent: string | null;
  at: string;
}
export interface ErrorView {
  code: string;
  message: string;
  at: string;
  run_id: string | null;
}
export interface RunView {
  run_id: string;
  message?: string;
  status: RunStatus;
  started_at: string;
  finished_at?: string;
  sub_agents: SubAgentView[];
  tools: ToolView[];
  logs: LogView[];
  errors: ErrorView[];
  answer?: string;
  report_id?: string | null;
  summary?: Record<string, unknown>;
}
export interface LiveState {
  runs: Record<string, RunView>;
  order: string[];
  /** Errors not tied to a run (refusals such as concurrency_limit, bad frames). */
  errors: ErrorView[];
  /** Thread high-water mark from connection_established / the last event. */
  seq: number;
  connection_id?: string;
}

export const initialLive: LiveState = { runs: {}, order: [], errors: [], seq: 0 };

function withRun(state: LiveState, runId: string, at: string, update: (run: RunView) => RunView): LiveState {
  const existing = state.runs[runId];
  const run = existing ?? { run_id: runId, status: 'running', started_at: at, sub_agents: [], tools: [], logs: [], errors: [] };
  return {
    ...state,
    runs: { ...state.runs, [runId]: update(run) },
    order: existing ? state.order : [...state.order, runId],
  };
}

export function applyEvent(state: LiveState, event: ServerEvent): LiveState {
  const at = event.metadata.timestamp;
  const runId = event.metadata.run_id;
  const agent = event.metadata.agent_name;
  const s: LiveState = event.metadata.seq > state.seq ? { ...state, seq: event.metadata.seq } : state;
  switch (event.type) {
    case 'connection_established':
      return { ...s, connection_id: event.data.connection_id, seq: Math.max(s.seq, event.data.last_seq) };
    case 'run_accepted':
      // The run is reserved, its limits not yet checked: agent_started or a refusal (error) follows.
      return s;
    case 'agent_started':
      return withRun(s, event.data.run_id, at, (r) => ({ ...r, message: event.data.message, started_at: at, status: r.finished_at ? r.status : 'running' }));
    case 'sub_agent_update': {
      if (!runId) return s;
      const d = event.data;
      return withRun(s, runId, at, (r) => {
        const idx = r.sub_agents.findIndex((a) => a.name === d.sub_agent);
        const step: StepView = { status: d.status, message: d.message, at };
        const prev = idx >= 0 ? r.sub_agents[idx]! : { name: d.sub_agent, status: d.status, steps: [] };
        const next: SubAgentView = {
          ...prev,
          status: d.status,
          progress: d.progress ?? (d.status === 'completed' ? 1 : prev.progress),
          message: d.message ?? prev.message,
          steps: [...prev.steps, step],
        };
        const sub_agents = idx >= 0 ? r.sub_agents.map((a, i) => (i === idx ? next : a)) : [...r.sub_agents, next];
        return { ...r, sub_agents };
      });
    }
    case 'tool_call': {
      if (!runId) return s;
      const d = event.data;
      return withRun(s, runId, at, (r) =>
        r.tools.some((t) => t.call_id === d.call_id)
          ? r
          : { ...r, tools: [...r.tools, { call_id: d.call_id, tool: d.tool, agent, input: d.input, at, done: false }] },
      );
    }
    case 'tool_result': {
      if (!runId) return s;
      const d = event.data;
      return withRun(s, runId, at, (r) => {
        const found = r.tools.some((t) => t.call_id === d.call_id);
        const done = { done: true, ok: d.ok, output: d.output, duration_ms: d.duration_ms };
        return {
          ...r,
          tools: found
            ? r.tools.map((t) => (t.call_id === d.call_id ? { ...t, ...done } : t))
            : [...r.tools, { call_id: d.call_id, tool: d.tool, agent, input: undefined, at, ...done }],
        };
      });
    }
    case 'agent_log': {
      const log: LogView = { level: event.data.level, message: event.data.message, agent, at };
      if (!runId) return s;
      return withRun(s, runId, at, (r) => ({ ...r, logs: [...r.logs, log] }));
    }
    case 'error': {
      const err: ErrorView = { code: event.data.code, message: event.data.message, at, run_id: runId };
      if (!runId) return { ...s, errors: [...s.errors, err] };
      return withRun(s, runId, at, (r) => ({ ...r, errors: [...r.errors, err] }));
    }
    case 'agent_completed': {
      const d = event.data;
      return withRun(s, d.run_id, at, (r) => ({
        ...r,
        status: d.status,
        finished_at: at,
        answer: d.answer ?? r.answer,
        report_id: d.report_id ?? r.report_id,
        summary: d.summary ?? r.summary,
        sub_agents: r.sub_agents.map((a) =>
          a.status === 'started' || a.status === 'progress' ? { ...a, status: d.status === 'completed' ? 'completed' : 'skipped' } : a,
        ),
      }));
    }
  }
}

export function activeRun(state: LiveState): RunView | undefined {
  for (let i = state.order.length - 1; i >= 0; i--) {
    const r = state.runs[state.order[i]!];
    if (r?.status === 'running') return r;
  }
  return undefined;
}

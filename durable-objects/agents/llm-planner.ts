// The LLM planning loop, when a tool-calling provider is configured: the model chooses tools from the typed
// registry (engine/agent/tools.ts, the same zod schemas the offline planner fills), the caller executes
// each call for real (the DO streams tool_call/tool_result around it), the results go back to the model,
// until it answers in text or a budget (steps, tokens) runs out. The loop's state is checkpointed after
// every model turn and every tool result, so a step resumed after eviction continues where it stopped and
// never runs a tool or asks the model twice. A provider error hands over to the offline planner; the
// model's final text is kept only if every number in it comes from a tool.
import * as z from 'zod';
import { composeAnswer, type ToolOutputs } from '../../engine/agent/answer';
import { planTools, type PlannedCall } from '../../engine/agent/plan';
import type { AgentRequest } from '../../engine/agent/request';
import { AGENT_TOOLS, AGENT_TOOL_NAMES, type AgentToolName } from '../../engine/agent/tools';
import { usesOnlyFactNumbers } from './reasoner';
import type { ChatResult, LoopMessage, ToolCallingProvider, ToolCallRequest, ToolSpec } from '../llm/types';

export interface LoopBudgets {
  /** Model turns per run. */
  max_steps: number;
  /** Input + output tokens per run. */
  max_tokens: number;
}

export const DEFAULT_BUDGETS: LoopBudgets = { max_steps: 8, max_tokens: 40_000 };

export interface LoopState {
  messages: LoopMessage[];
  /** Tool calls executed, in order, with their outputs. */
  executed: { call_id: string; call: PlannedCall; output: unknown }[];
  steps: number;
  tokens: number;
  /** The model's final text (before the number guard), once it answered. */
  final: string | null;
  done: boolean;
  /** Set when the provider failed and the offline planner took over. */
  fallback: string | null;
}

export interface LoopDeps {
  provider: ToolCallingProvider;
  model: string;
  message: string;
  request: AgentRequest;
  /** Features of the window's data (the offline planner resolves the user's words with them). */
  features: readonly string[];
  /** Executes one tool for real and returns its output. */
  runTool: (call: PlannedCall) => Promise<unknown>;
  /** Meters each model call (the org's usage event). */
  onLlmCall: (call: ChatResult) => void;
  log: (level: 'info' | 'warn', message: string) => void;
  state: { load(): LoopState | undefined; save(state: LoopState): void };
  budgets?: LoopBudgets;
  stream?: boolean;
}

export interface LoopResult {
  outputs: ToolOutputs;
  planned: PlannedCall[];
  /** The model's final text when it passed the number guard, else null. */
  text: string | null;
  by: 'llm' | 'offline';
}

const SYSTEM = `You are the planner of Netra Apex, which analyses a team's LLM call telemetry.
Call the tools that answer the user's question (a latency question needs the latency tools first; a spend change needs spend_change). The parsed request is given as JSON: pass its scope to the tools.
When the tool results answer the question, reply in at most 120 words of markdown. Use only numbers that appear in the tool results; never estimate or invent a figure.`;

/** The tools as the model sees them: name, description, JSON schema of the zod input. */
export function toolSpecs(): ToolSpec[] {
  return AGENT_TOOL_NAMES.map((name) => {
    const t = AGENT_TOOLS[name];
    const schema = z.toJSONSchema(t.input as z.ZodType, { io: 'input' }) as Record<string, unknown>;
    delete schema.$schema;
    return { name, description: t.description, parameters: schema };
  });
}

const MAX_TOOL_RESULT_CHARS = 6_000;

function pendingCalls(messages: LoopMessage[]): ToolCallRequest[] {
  const last = [...messages].reverse().find((m) => m.role === 'assistant');
  if (!last || !('tool_calls' in last)) return [];
  const answered = new Set(messages.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : [])));
  return last.tool_calls.filter((c) => !answered.has(c.id));
}

/** Validates a model's tool call against the registry; an error text for the model when it is not valid. */
function validate(call: ToolCallRequest): { ok: true; call: PlannedCall } | { ok: false; error: string } {
  if (!(AGENT_TOOL_NAMES as string[]).includes(call.name)) return { ok: false, error: `unknown tool "${call.name}"; use one of ${AGENT_TOOL_NAMES.join(', ')}` };
  let args: unknown;
  try {
    args = call.arguments ? JSON.parse(call.arguments) : {};
  } catch {
    return { ok: false, error: 'arguments are not valid JSON' };
  }
  const tool = AGENT_TOOLS[call.name as AgentToolName];
  const parsed = (tool.input as z.ZodType).safeParse(args);
  if (!parsed.success) return { ok: false, error: `invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  return { ok: true, call: { tool: call.name as AgentToolName, input: parsed.data as Record<string, unknown> } };
}

function outputsOf(state: LoopState): ToolOutputs {
  const out: Record<string, unknown> = {};
  for (const e of state.executed) out[e.call.tool] = e.output;
  return out as ToolOutputs;
}

export async function runLlmLoop(deps: LoopDeps): Promise<LoopResult> {
  const budgets = deps.budgets ?? DEFAULT_BUDGETS;
  const state: LoopState = deps.state.load() ?? {
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `${deps.message}\n\nParsed request: ${JSON.stringify(deps.request)}` },
    ],
    executed: [],
    steps: 0,
    tokens: 0,
    final: null,
    done: false,
    fallback: null,
  };
  const tools = toolSpecs();
  while (!state.done) {
    const pending = pendingCalls(state.messages);
    if (pending.length) {
      for (const c of pending) {
        const v = validate(c);
        let content: string;
        if (v.ok) {
          const output = await deps.runTool(v.call);
          state.executed.push({ call_id: c.id, call: v.call, output });
          content = JSON.stringify(output).slice(0, MAX_TOOL_RESULT_CHARS);
        } else {
          deps.log('warn', `the model's call to ${c.name} was refused: ${v.error}`);
          content = JSON.stringify({ error: v.error });
        }
        state.messages.push({ role: 'tool', tool_call_id: c.id, name: c.name, content });
        deps.state.save(state);
      }
      continue;
    }
    if (state.steps >= budgets.max_steps || state.tokens >= budgets.max_tokens) {
      deps.log('warn', `LLM planner stopped at its budget (${state.steps} steps, ${state.tokens} tokens)`);
      state.done = true;
      deps.state.save(state);
      break;
    }
    let out;
    try {
      out = await deps.provider.toolChat({ model: deps.model, max_tokens: 800, messages: state.messages, tools, stream: deps.stream ?? true }, { timeoutMs: 30_000, retries: 1 });
    } catch (err) {
      state.fallback = err instanceof Error ? err.message.slice(0, 200) : 'provider error';
      state.done = true;
      deps.log('warn', `LLM planner failed (${state.fallback}); the offline planner takes over`);
      deps.state.save(state);
      break;
    }
    deps.onLlmCall(out);
    state.steps++;
    state.tokens += out.input_tokens + out.output_tokens;
    if (out.tool_calls.length) state.messages.push({ role: 'assistant', content: out.text || null, tool_calls: out.tool_calls });
    else {
      state.final = out.text.trim();
      state.done = true;
    }
    deps.state.save(state);
  }

  // The tools the offline planner would run for this request and the model did not: the answer's lead
  // needs their figures (after a fallback, these are the rest of the plan).
  const ran = new Set(state.executed.map((e) => e.call.tool));
  for (const call of planTools(deps.request, deps.features)) {
    if (ran.has(call.tool)) continue;
    const output = await deps.runTool(call);
    state.executed.push({ call_id: `offline:${call.tool}`, call, output });
    ran.add(call.tool);
    deps.state.save(state);
  }
  const outputs = outputsOf(state);
  let text = state.fallback ? null : state.final || null;
  if (text) {
    const facts = `${JSON.stringify(outputs)}\n${composeAnswer(deps.request, outputs, null).text}`;
    if (!usesOnlyFactNumbers(text, facts)) {
      deps.log('warn', 'the model’s answer was dropped: it states a number no tool produced');
      text = null;
    }
  }
  return { outputs, planned: state.executed.map((e) => e.call), text, by: state.fallback ? 'offline' : 'llm' };
}

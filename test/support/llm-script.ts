// The script of test/support/fake-llm.ts: what the model answers next, shared with the workerd tests that
// send a script through test/global-setup-llm.ts's control endpoint (no Node types here).

/** One scripted answer of the model in a tool-calling conversation. */
export type ScriptedTurn = { tool_calls: { name: string; arguments: unknown }[] } | { text: string } | { status: number };

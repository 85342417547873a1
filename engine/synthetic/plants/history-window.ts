// Planted: a coding agent that resends its whole, ever-growing history every turn (prompt cache working,
// but no history window) → history_window.
import { catalogModel } from '../calls.js';
import { conversationCalls, conversationsFor } from '../conversations.js';
import { groupContext, inProfileOrder, plantCalls, scopeOf, type GroupWindow, type PlantedGroup } from '../groups.js';
import { cappedAtP90 } from '../params.js';
import { nanoPerToken, savingItem } from '../truth.js';
import { PLANT_TOOL } from '../types.js';

const FEATURE = 'agent-assistant';
const TURNS = { min: 6, max: 12 };
/** The contract's history window W and session gap. */
const HISTORY_WINDOW_TOKENS = 8192;
const SESSION_GAP_MS = 30 * 60_000;

export function plantHistoryWindow(seed: number, window: GroupWindow, total: number): PlantedGroup {
  const model = catalogModel('gpt-5.4-nano');
  const output = cappedAtP90({ kind: 'narrow', trace: 'azure_code', side: 'output', median: 900, spread: 0.35, min: 100, max: 4096 });
  const ctx = groupContext(seed, FEATURE, window, plantCalls(total));
  const sessions = conversationsFor(ctx.calls, (TURNS.min + TURNS.max) / 2);
  const calls = inProfileOrder(
    conversationCalls(
      ctx,
      {
        feature: FEATURE,
        model,
        firstInput: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 1.5, min: 1000, max: 4000 },
        message: { kind: 'trace', trace: 'azure_code', side: 'input', scale: 0.3, min: 50, max: 1500 },
        output,
        maxTokens: output.max,
        turns: (rng) => rng.int(TURNS.min, TURNS.max),
        maxInput: null,
        thinkMedianMs: 60_000,
        userPool: 5000,
      },
      sessions,
    ),
  );

  // Contract: a follow-up is a call ≤ 30 min after the same user's previous call (same feature/model);
  // growing when its input is larger; saving = Σ over growing calls of max(0, input − W) × P_in.
  const previous = new Map<string, { t: number; input: number }>();
  let excess = 0;
  let followups = 0;
  let growing = 0;
  for (const c of calls) {
    const prev = previous.get(c.user ?? '');
    if (prev && c.timestamp - prev.t <= SESSION_GAP_MS) {
      followups++;
      if (c.input_tokens > prev.input) {
        growing++;
        excess += Math.max(0, c.input_tokens - HISTORY_WINDOW_TOKENS);
      }
    }
    previous.set(c.user ?? '', { t: c.timestamp, input: c.input_tokens });
  }
  return {
    scope: scopeOf(FEATURE, model),
    calls,
    items: [
      savingItem(window, {
        tool: PLANT_TOOL.history_window,
        where: scopeOf(FEATURE, model),
        saving_nanousd: excess * nanoPerToken(model.input_per_m),
        planted_calls: calls.length,
        note: `${sessions} sessions of ${TURNS.min}–${TURNS.max} turns; ${growing}/${followups} follow-ups grow, ${excess} tokens beyond an 8k window`,
      }),
    ],
  };
}

// The WebSocket protocol of a thread, shared by the ThreadAgent DO and the web app.
// Server → client: {type, data, metadata: {thread_id, run_id, agent_name, timestamp, seq}}.
// Client → server: {action, data}.
// Thread events (runs and their steps) get a fresh per-thread `seq` and are logged before they are sent,
// so `resume {last_seq}` replays exactly what a client missed. Socket-local events (connection_established,
// run_accepted, and error replies to one socket's frame) are not logged: their `seq` is the thread's current
// high-water mark, which tells the client where it stands.
// start_agent is answered at once by a local `run_accepted {run_id}` (the run is reserved in this thread);
// then, once the run's limits are checked, either `agent_started` (logged: the run exists) or a local
// `error` with the refusal's code and `details.run_id` (nothing started).
// Keep-alive: the client sends PING_FRAME byte for byte and gets PONG_FRAME, a fixed frame that is not a thread
// event; the runtime answers it without waking the Durable Object (hibernation auto-response).
import * as z from 'zod';

/** The client's keep-alive frame, exactly (the auto-response matches the whole frame). */
export const PING_FRAME = '{"action":"ping"}';
/** The answer to a ping: fixed (no timestamp, no seq), never logged, not a ServerEvent. */
export const PONG_FRAME = '{"type":"pong"}';
/** How often a client pings (sent in connection_established as heartbeat_interval_ms). */
export const PING_INTERVAL_MS = 20_000;

/** Largest client frame the server reads (bytes of UTF-8). */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Largest user message in `start_agent`, in characters. */
export const MAX_AGENT_MESSAGE_CHARS = 8_000;

export const eventMetadata = z.object({
  thread_id: z.string(),
  run_id: z.string().nullable(),
  agent_name: z.string().nullable(),
  timestamp: z.string(),
  seq: z.number().int().min(0),
  /** Set on socket-local events (not logged, not replayed); their seq is the thread's high-water mark. */
  local: z.literal(true).optional(),
});
export type EventMetadata = z.infer<typeof eventMetadata>;

export const subAgentStatus = z.enum(['started', 'progress', 'completed', 'failed', 'skipped']);

const eventData = {
  connection_established: z.object({
    connection_id: z.string(),
    user_id: z.string(),
    thread_id: z.string(),
    last_seq: z.number().int(),
    server_time: z.string(),
    /** How often the client should send PING_FRAME. */
    heartbeat_interval_ms: z.number().int(),
  }),
  run_accepted: z.object({ run_id: z.string() }),
  agent_started: z.object({ run_id: z.string(), message: z.string() }),
  sub_agent_update: z.object({
    sub_agent: z.string(),
    status: subAgentStatus,
    message: z.string().optional(),
    progress: z.number().min(0).max(1).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  tool_call: z.object({ call_id: z.string(), tool: z.string(), input: z.unknown() }),
  tool_result: z.object({ call_id: z.string(), tool: z.string(), ok: z.boolean(), output: z.unknown(), duration_ms: z.number() }),
  agent_log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() }),
  agent_completed: z.object({
    run_id: z.string(),
    status: z.enum(['completed', 'failed', 'cancelled']),
    answer: z.string().optional(),
    report_id: z.string().nullable().optional(),
    summary: z.record(z.string(), z.unknown()).optional(),
  }),
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
} as const;

export type ServerEventType = keyof typeof eventData;
export type ServerEventData<T extends ServerEventType> = z.infer<(typeof eventData)[T]>;

const serverEventVariant = <T extends ServerEventType>(type: T) =>
  z.object({ type: z.literal(type), data: eventData[type], metadata: eventMetadata });

export const serverEvent = z.discriminatedUnion('type', [
  serverEventVariant('connection_established'),
  serverEventVariant('run_accepted'),
  serverEventVariant('agent_started'),
  serverEventVariant('sub_agent_update'),
  serverEventVariant('tool_call'),
  serverEventVariant('tool_result'),
  serverEventVariant('agent_log'),
  serverEventVariant('agent_completed'),
  serverEventVariant('error'),
]);
export type ServerEvent = z.infer<typeof serverEvent>;

/** True for events of the thread's log (replayed on resume), false for socket-local ones. */
export function isLoggedEvent(event: ServerEvent): boolean {
  return event.metadata.local !== true;
}

export const clientMessage = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('start_agent'),
      data: z.object({ message: z.string().trim().min(1).max(MAX_AGENT_MESSAGE_CHARS), thread_id: z.string().min(1).max(100) }).strict(),
    })
    .strict(),
  z.object({ action: z.literal('cancel'), data: z.object({ run_id: z.string().min(1).max(100) }).strict() }).strict(),
  z.object({ action: z.literal('ping'), data: z.object({}).strict().optional() }).strict(),
  z.object({ action: z.literal('resume'), data: z.object({ last_seq: z.number().int().min(0) }).strict() }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Error codes a client may receive in an `error` event. */
export const WS_ERROR_CODES = [
  'invalid_json',
  'invalid_message',
  'message_too_large',
  'thread_mismatch',
  'run_not_found',
  'run_already_active',
  'concurrency_limit',
  'daily_limit',
  'dependency_unavailable',
  'run_failed',
  'internal',
] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

// ThreadAgent: one Durable Object per chat thread. It holds the thread's hibernatable WebSockets, its
// event log (seq numbers, replay on resume), the supervisor runs (checkpointed after every step), and an
// outbox for writes to Postgres and ClickHouse. One alarm drives heartbeats, outbox flushes and runs.
import { DurableObject } from 'cloudflare:workers';
import { clientMessage, MAX_CLIENT_FRAME_BYTES, type ServerEvent, type ServerEventData, type ServerEventType, type WsErrorCode } from '../protocol/messages';
import { newId } from '../workers/lib/ids';
import { log } from '../workers/lib/logger';
import { outboxDelivery } from './delivery';
import { EventLog } from './event-log';
import { callerFromHeaders, type VerifiedCaller } from './identity';
import { Outbox } from './outbox';
import { identityOf, sendJson, touch, type SocketIdentity } from './sockets';
import { getMeta, migrateStorage, setMeta } from './storage';
import { RunManager } from './supervisor/run-manager';
import { Timers } from './timers';

export const HEARTBEAT_INTERVAL_MS = 25_000;
/** A socket silent for this long (no frame, no ping) is considered dead and closed. */
export const DEAD_SOCKET_MS = HEARTBEAT_INTERVAL_MS * 3;

const json = (status: number, code: string, message: string) =>
  new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json' } });

export class ThreadAgent extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly events: EventLog;
  private readonly timers: Timers;
  private readonly outbox: Outbox;
  private readonly runs: RunManager;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrateStorage(this.sql));
    this.events = new EventLog(this.sql, () => this.threadId());
    this.timers = new Timers(this.sql, ctx.storage);
    this.outbox = new Outbox(this.sql);
    this.runs = new RunManager({
      env,
      sql: this.sql,
      timers: this.timers,
      outbox: this.outbox,
      emit: (type, data, runId, agent) => this.emit(type, data, runId, agent),
      scheduleOutboxFlush: () => this.scheduleOutboxFlush(),
      thread: () => this.threadInfo(),
    });
  }

  // ---- WebSocket upgrade (the only HTTP entry; everything else is RPC) ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return json(426, 'invalid_request', 'expected a WebSocket upgrade');
    const caller = callerFromHeaders(request.headers);
    if (!caller) return json(401, 'unauthorized', 'missing verified identity');
    if (getMeta(this.sql, 'deleted') === '1') return json(404, 'not_found', 'thread not found');
    const owner = getMeta(this.sql, 'owner_user_id');
    if (owner && owner !== caller.user_id) return json(404, 'not_found', 'thread not found');
    this.remember(caller);

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const now = Date.now();
    const identity: SocketIdentity = { connection_id: newId('conn'), user_id: caller.user_id, org_id: caller.org_id, connected_at: now, last_seen: now };
    this.ctx.acceptWebSocket(server, [caller.user_id]);
    server.serializeAttachment(identity);
    this.sendLocal(server, 'connection_established', {
      connection_id: identity.connection_id,
      user_id: caller.user_id,
      thread_id: caller.thread_id,
      last_seq: this.events.lastSeq(),
      server_time: new Date(now).toISOString(),
      heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS,
    });
    if (!this.timers.has('heartbeat')) await this.timers.set('heartbeat', now + HEARTBEAT_INTERVAL_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const identity = identityOf(ws);
    if (!identity) return ws.close(1011, 'unknown socket');
    touch(ws);
    const size = typeof message === 'string' ? new TextEncoder().encode(message).byteLength : message.byteLength;
    if (size > MAX_CLIENT_FRAME_BYTES) return this.socketError(ws, 'message_too_large', `frames are limited to ${MAX_CLIENT_FRAME_BYTES} bytes`);
    if (typeof message !== 'string') return this.socketError(ws, 'invalid_message', 'binary frames are not supported; send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(message);
    } catch {
      return this.socketError(ws, 'invalid_json', 'frame is not valid JSON');
    }
    const parsed = clientMessage.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.socketError(ws, 'invalid_message', `invalid message: ${issue ? `${issue.path.join('.') || 'action'}: ${issue.message}` : 'unknown shape'}`);
    }
    const msg = parsed.data;
    switch (msg.action) {
      case 'ping':
        return this.sendLocal(ws, 'heartbeat', { server_time: new Date().toISOString(), reply_to: 'ping' });
      case 'resume':
        for (const event of this.events.since(msg.data.last_seq)) sendJson(ws, event);
        return;
      case 'start_agent': {
        if (msg.data.thread_id !== this.threadId()) return this.socketError(ws, 'thread_mismatch', 'thread_id does not match this connection');
        const refusal = await this.runs.start(identity, msg.data.message);
        if (refusal) this.socketError(ws, refusal.code, refusal.message, refusal.details);
        return;
      }
      case 'cancel': {
        const refusal = await this.runs.cancel(identity.user_id, msg.data.run_id);
        if (refusal) this.socketError(ws, refusal.code, refusal.message);
        return;
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closed');
    } catch {
      // already closed
    }
    await this.stopHeartbeatIfIdle();
  }

  override async webSocketError(): Promise<void> {
    await this.stopHeartbeatIfIdle();
  }

  // ---- alarm: heartbeats, outbox, runs ----

  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const name of this.timers.takeDue(now)) {
      if (name === 'heartbeat') await this.heartbeat(now);
      else if (name === 'outbox') await this.flushOutbox(now);
      else if (name.startsWith('run:')) await this.runs.onTimer(name.slice(4));
    }
    await this.timers.rearm();
  }

  // ---- RPC ----

  /** Thread deleted: close its sockets and clear all of its storage. */
  async destroy(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(4404, 'thread deleted');
      } catch {
        // already closed
      }
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrateStorage(this.sql);
    setMeta(this.sql, 'deleted', '1');
  }

  /** Run status as the DO knows it (the freshest source while a run is live). */
  async runStatus(runId: string, userId: string) {
    return this.runs.status(runId, userId);
  }

  /** Delivers pending outbox items now (tests and operators). Returns what is still pending. */
  async flushNow(): Promise<number> {
    await this.flushOutbox(Date.now(), true);
    return this.outbox.pending();
  }

  // ---- internals ----

  private threadId(): string {
    return getMeta(this.sql, 'thread_id') ?? '';
  }

  private threadInfo() {
    return {
      thread_id: this.threadId(),
      org_id: getMeta(this.sql, 'org_id') ?? '',
      owner_user_id: getMeta(this.sql, 'owner_user_id') ?? '',
      tier: getMeta(this.sql, 'tier') ?? 'free',
    };
  }

  private remember(caller: VerifiedCaller): void {
    if (!getMeta(this.sql, 'thread_id')) {
      setMeta(this.sql, 'thread_id', caller.thread_id);
      setMeta(this.sql, 'org_id', caller.org_id);
      setMeta(this.sql, 'owner_user_id', caller.user_id);
    }
    setMeta(this.sql, 'tier', caller.tier);
  }

  /** Logs a thread event (next seq) and sends it to the owner's sockets only. */
  private emit<T extends ServerEventType>(type: T, data: ServerEventData<T>, runId: string | null, agent: string | null): ServerEvent {
    const event = this.events.append(type, data, { run_id: runId, agent_name: agent });
    const owner = getMeta(this.sql, 'owner_user_id');
    if (owner) for (const ws of this.ctx.getWebSockets(owner)) sendJson(ws, event);
    return event;
  }

  private sendLocal<T extends ServerEventType>(ws: WebSocket, type: T, data: ServerEventData<T>): void {
    sendJson(ws, {
      type,
      data,
      metadata: { thread_id: this.threadId(), run_id: null, agent_name: null, timestamp: new Date().toISOString(), seq: this.events.lastSeq(), local: true },
    });
  }

  private socketError(ws: WebSocket, code: WsErrorCode, message: string, details?: Record<string, unknown>): void {
    this.sendLocal(ws, 'error', { code, message, ...(details ? { details } : {}) });
  }

  private async heartbeat(now: number): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      const lastSeen = identityOf(ws)?.last_seen ?? 0;
      if (now - lastSeen > DEAD_SOCKET_MS) {
        try {
          ws.close(4408, 'heartbeat timeout');
        } catch {
          // already gone
        }
        continue;
      }
      this.sendLocal(ws, 'heartbeat', { server_time: new Date(now).toISOString() });
    }
    if (this.ctx.getWebSockets().length > 0) await this.timers.set('heartbeat', now + HEARTBEAT_INTERVAL_MS);
  }

  private async stopHeartbeatIfIdle(): Promise<void> {
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
    if (open.length === 0) await this.timers.clear('heartbeat');
  }

  private async scheduleOutboxFlush(): Promise<void> {
    const next = this.outbox.nextAttemptAt();
    if (next !== null) await this.timers.set('outbox', next);
  }

  private async flushOutbox(now: number, force = false): Promise<void> {
    const result = await this.outbox.flush(outboxDelivery(this.env), now, force);
    if (result.failed > 0) log('warn', 'outbox delivery failed; will retry', { thread_id: this.threadId(), failed: result.failed });
    await this.scheduleOutboxFlush();
  }
}

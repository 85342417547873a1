// ThreadAgent: one Durable Object per chat thread. It holds the thread's hibernatable WebSockets, its
// event log (seq numbers, replay on resume), the supervisor runs (checkpointed after every step), and an
// outbox for writes to Postgres and ClickHouse. One alarm drives outbox flushes and runs; an idle thread has
// none set, and pings are answered by the runtime's auto-response, so an idle thread with open sockets sleeps.
import { DurableObject } from 'cloudflare:workers';
import { clientMessage, MAX_CLIENT_FRAME_BYTES, PING_FRAME, PING_INTERVAL_MS, PONG_FRAME, type ServerEventData, type ServerEventType, type WsErrorCode } from '../protocol/messages';
import { newId } from '../common/ids';
import { log } from '../common/logger';
import { outboxDelivery } from './delivery';
import { EventLog } from './event-log';
import { callerFromHeaders, MEMBERSHIP_ENDED, sameOrg, type VerifiedCaller } from './identity';
import { Outbox } from './outbox';
import { closeQuietly, identityOf, sendJson, sendText, type SocketIdentity } from './sockets';
import { migrateStorage } from './storage';
import { RunManager, type Refusal } from './supervisor/run-manager';
import { ThreadMeta } from './thread-meta';
import { Timers } from './timers';

/** A socket silent for this long (no ping, no frame) is considered dead; closed when the DO is next awake. */
export const DEAD_SOCKET_MS = PING_INTERVAL_MS * 3;

const json = (status: number, code: string, message: string) =>
  new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json' } });

export class ThreadAgent extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly meta: ThreadMeta;
  private readonly events: EventLog;
  private readonly timers: Timers;
  private readonly outbox: Outbox;
  private readonly runs: RunManager;
  /** Last frame per connection while this instance is awake (lost on hibernation; pings cover that time). */
  private readonly lastFrameAt = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    this.meta = new ThreadMeta(this.sql);
    this.events = new EventLog(this.sql, () => this.threadId());
    this.timers = new Timers(this.sql, ctx.storage);
    this.outbox = new Outbox(this.sql);
    this.runs = new RunManager({
      env,
      sql: this.sql,
      timers: this.timers,
      outbox: this.outbox,
      emit: (type, data, runId, agent, key) => this.emit(type, data, runId, agent, key),
      scheduleOutboxFlush: () => this.scheduleOutboxFlush(),
      thread: () => this.threadInfo(),
    });
    // A step that was in flight when the previous instance died is re-run at once, not at its deadline.
    void ctx.blockConcurrencyWhile(async () => {
      migrateStorage(this.sql);
      await this.runs.recoverOrphanedSteps();
    });
  }

  // ---- WebSocket upgrade (the only HTTP entry; everything else is RPC) ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return json(426, 'invalid_request', 'expected a WebSocket upgrade');
    const caller = callerFromHeaders(request.headers);
    if (!caller) return json(401, 'unauthorized', 'missing verified identity');
    if (this.meta.get('deleted') === '1') return json(404, 'not_found', 'thread not found');
    if (!sameOrg(this.meta.get('org_id'), caller)) return json(404, 'not_found', 'thread not found');
    this.remember(caller);

    const now = Date.now();
    this.closeDeadSockets(now);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const identity: SocketIdentity = { connection_id: newId('conn'), user_id: caller.user_id, org_id: caller.org_id, connected_at: now };
    this.ctx.acceptWebSocket(server, [caller.user_id]);
    server.serializeAttachment(identity);
    this.sendLocal(server, 'connection_established', {
      connection_id: identity.connection_id,
      user_id: caller.user_id,
      thread_id: caller.thread_id,
      last_seq: this.events.lastSeq(),
      server_time: new Date(now).toISOString(),
      heartbeat_interval_ms: PING_INTERVAL_MS,
    });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const identity = identityOf(ws);
    if (!identity) return ws.close(1011, 'unknown socket');
    this.lastFrameAt.set(identity.connection_id, Date.now());
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
        // Only a ping written differently from PING_FRAME (e.g. with `data: {}`) reaches the DO.
        return sendText(ws, PONG_FRAME);
      case 'resume':
        for (const event of this.events.since(msg.data.last_seq)) sendJson(ws, event);
        return;
      case 'start_agent': {
        if (msg.data.thread_id !== this.threadId()) return this.socketError(ws, 'thread_mismatch', 'thread_id does not match this connection');
        const refusal = await this.runs.start(identity, msg.data.message, (runId) => this.sendLocal(ws, 'run_accepted', { run_id: runId }));
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
    this.forget(ws);
    closeQuietly(ws, code === 1005 ? 1000 : code, 'closed');
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.forget(ws);
    closeQuietly(ws, 1011, 'socket error');
  }

  // ---- alarm: outbox, runs ----

  override async alarm(): Promise<void> {
    const now = Date.now();
    // A `heartbeat` timer left by an older version is simply dropped here.
    for (const name of this.timers.takeDue(now)) {
      if (name === 'outbox') await this.flushOutbox(now);
      else if (name.startsWith('run:')) await this.runs.onTimer(name.slice(4));
    }
    await this.timers.rearm();
  }

  // ---- RPC ----

  /** Thread deleted: close its sockets and clear all of its storage. */
  async destroy(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, 4404, 'thread deleted');
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.meta.forget();
    this.events.forget();
    this.runs.forget();
    migrateStorage(this.sql);
    this.meta.set('deleted', '1');
  }

  /** The user's membership of the org ended: close their sockets now (the others keep following the thread). */
  async endAccess(userId: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(userId);
    for (const ws of sockets) {
      this.forget(ws);
      closeQuietly(ws, MEMBERSHIP_ENDED.code, MEMBERSHIP_ENDED.reason);
    }
    return sockets.length;
  }

  /**
   * Starts a run without a socket (POST /api/tier/optimize, /api/enterprise/bulk-optimization): the Worker has
   * verified the caller as it does for an upgrade. The run streams to whoever follows the thread, and its
   * events stay in the log for a socket that connects later.
   */
  async startRun(caller: VerifiedCaller, message: string): Promise<{ run_id: string } | { refusal: Refusal }> {
    if (this.meta.get('deleted') === '1' || !sameOrg(this.meta.get('org_id'), caller)) return { refusal: { code: 'thread_mismatch', message: 'thread not found' } };
    this.remember(caller);
    let runId = '';
    const identity: SocketIdentity = { connection_id: 'rest', user_id: caller.user_id, org_id: caller.org_id, connected_at: Date.now() };
    const refusal = await this.runs.start(identity, message, (id) => {
      runId = id;
    });
    return refusal ? { refusal } : { run_id: runId };
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
    return this.meta.get('thread_id') ?? '';
  }

  private threadInfo() {
    return {
      thread_id: this.threadId(),
      org_id: this.meta.get('org_id') ?? '',
      owner_user_id: this.meta.get('owner_user_id') ?? '',
      tier: this.meta.get('tier') ?? 'free',
    };
  }

  private remember(caller: VerifiedCaller): void {
    if (!this.meta.get('thread_id')) {
      this.meta.set('thread_id', caller.thread_id);
      this.meta.set('org_id', caller.org_id);
      this.meta.set('owner_user_id', caller.user_id);
    }
    this.meta.set('tier', caller.tier);
  }

  /** Logs a thread event (next seq) and sends it to every socket (the org's members following the thread); an event whose key is logged already is neither. */
  private emit<T extends ServerEventType>(type: T, data: ServerEventData<T>, runId: string | null, agent: string | null, key?: string): void {
    const event = this.events.append(type, data, { run_id: runId, agent_name: agent }, key);
    if (event) for (const ws of this.ctx.getWebSockets()) sendJson(ws, event);
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

  /**
   * Closes sockets not heard from for DEAD_SOCKET_MS: no ping answered by the runtime, no frame seen by this
   * instance, since they connected. Runs when the DO is awake anyway (a new socket), never on a timer, so an
   * idle thread is not woken for it; sockets that really drop get webSocketClose/webSocketError.
   */
  private closeDeadSockets(now: number): void {
    for (const ws of this.ctx.getWebSockets()) {
      const identity = identityOf(ws);
      const lastPong = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      const lastFrame = identity ? (this.lastFrameAt.get(identity.connection_id) ?? 0) : 0;
      const lastHeard = Math.max(identity?.connected_at ?? 0, lastPong, lastFrame);
      if (now - lastHeard > DEAD_SOCKET_MS) {
        this.forget(ws);
        closeQuietly(ws, 4408, 'ping timeout');
      }
    }
  }

  private forget(ws: WebSocket): void {
    const identity = identityOf(ws);
    if (identity) this.lastFrameAt.delete(identity.connection_id);
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

// Client side of the thread protocol (web app, tests, integrators): connects, pings, and on a dropped
// socket reconnects with exponential backoff + jitter and resumes from the last seq it saw, so the
// caller sees every logged event exactly once and in order.
import { isLoggedEvent, PING_FRAME, PING_INTERVAL_MS, PONG_FRAME, serverEvent, type ClientMessage, type ServerEvent } from './messages';
import { backoffDelay } from '../common/backoff';

export interface ThreadSocketOptions {
  /** Returns a fresh URL to connect to (e.g. with a new single-use ticket). */
  url: () => Promise<string>;
  onEvent: (event: ServerEvent) => void;
  onStatus?: (status: 'connecting' | 'open' | 'closed') => void;
  /** Seq of the last logged event already seen (0 for a new view). */
  lastSeq?: number;
  pingIntervalMs?: number;
  maxBackoffMs?: number;
  WebSocketImpl?: typeof WebSocket;
}


export class ThreadSocket {
  private ws: WebSocket | null = null;
  private lastSeq: number;
  private attempt = 0;
  private stopped = false;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private readonly queue: ClientMessage[] = [];

  constructor(private readonly opts: ThreadSocketOptions) {
    this.lastSeq = opts.lastSeq ?? 0;
  }

  get seq(): number {
    return this.lastSeq;
  }

  async connect(): Promise<void> {
    if (this.stopped) return;
    this.opts.onStatus?.('connecting');
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    let ws: WebSocket;
    try {
      const url = await this.opts.url();
      // close() may have been called while the URL (a ticket) was being fetched.
      if (this.stopped) return;
      ws = new Impl(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.attempt = 0;
      this.opts.onStatus?.('open');
      ws.send(JSON.stringify({ action: 'resume', data: { last_seq: this.lastSeq } } satisfies ClientMessage));
      for (const m of this.queue.splice(0)) ws.send(JSON.stringify(m));
      this.pingTimer = setInterval(() => ws.readyState === 1 && ws.send(PING_FRAME), this.opts.pingIntervalMs ?? PING_INTERVAL_MS);
    });
    ws.addEventListener('message', (e) => this.receive(e.data));
    ws.addEventListener('close', () => {
      this.stopPing();
      this.opts.onStatus?.('closed');
      this.scheduleReconnect();
    });
  }

  send(message: ClientMessage): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(message));
    else this.queue.push(message);
  }

  close(): void {
    this.stopped = true;
    this.stopPing();
    this.ws?.close(1000, 'client closed');
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string' || raw === PONG_FRAME) return;
    let parsed: ServerEvent;
    try {
      parsed = serverEvent.parse(JSON.parse(raw));
    } catch {
      return;
    }
    if (isLoggedEvent(parsed)) {
      // Replays and live events can overlap around a reconnect: deliver each seq once.
      if (parsed.metadata.seq <= this.lastSeq) return;
      this.lastSeq = parsed.metadata.seq;
    }
    this.opts.onEvent(parsed);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, { baseMs: 250, maxMs: this.opts.maxBackoffMs ?? 15_000, jitter: true });
    setTimeout(() => void this.connect(), delay);
  }
}

// Threads sidebar + chat with the supervisor agent. History comes from REST; the live run view comes from
// the thread's WebSocket (ThreadSocket of protocol/client.ts, which reconnects and resumes by seq).
import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { ThreadSocket } from '../../../protocol/client';
import { MAX_AGENT_MESSAGE_CHARS, type ServerEvent } from '../../../protocol/messages';
import { ApiError, client, fetchReport, ok, wsUrl, type Body, type User } from '../api';
import { useAuth } from '../auth';
import { dateTime, json, relativeTime } from '../format';
import { activeRun, applyEvent, initialLive, type LiveState, type RunView, type SubAgentView, type ToolView } from '../live';
import { Markdown } from '../markdown';
import { AnswerChart, chartsOf } from '../report-charts';
import { Link, navigate } from '../router';
import { Badge, ErrorBox, Spinner, useAsync } from '../ui';

/** Threads are the org's: any member reads and posts; renaming and deleting is for its creator, owners and admins. */
type Thread = Body<typeof client.api.threads.$post>;
type Message = Body<(typeof client.api.threads)[':id']['messages']['$get']>['items'][number];
type ConnStatus = 'connecting' | 'open' | 'closed';
/** A message sent with start_agent whose agent_started has not arrived yet. */
interface Pending {
  text: string;
  at: number;
}

/** Drops the pending message an agent_started answers: same text, or else the oldest sent before it. */
function settlePending(pending: Pending[], message: string, timestamp: string): Pending[] {
  const i = pending.findIndex((p) => p.text.trim() === message.trim());
  if (i >= 0) return pending.filter((_, j) => j !== i);
  const t = Date.parse(timestamp);
  // Replays of older runs arrive too: only a run started after (or around) the send settles one.
  if (pending[0] && Number.isFinite(t) && t >= pending[0].at - 30_000) return pending.slice(1);
  return pending;
}

const SUGGESTIONS = [
  'Why did our LLM bill go up this month?',
  'Where can we cut cost without hurting quality?',
  'Which calls would benefit from prompt caching?',
  'What are our p95 latencies by model, and how do we lower them?',
];

const titleFrom = (text: string) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t || 'New thread';
};

/** A first message typed before its thread existed: sent once that thread's view mounts. */
let queuedFirstMessage: { threadId: string; text: string } | null = null;

export function ChatScreen({ threadId }: { threadId?: string }) {
  const [threads, setThreads] = useState<Thread[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [listError, setListError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const loadPage = useCallback(async (after: string | null) => {
    setLoading(true);
    setListError(null);
    try {
      const page = await ok(client.api.threads.$get({ query: { limit: '30', ...(after ? { cursor: after } : {}) } }));
      const items = page.items;
      setThreads((prev) => (after ? [...prev, ...items.filter((t) => !prev.some((p) => p.id === t.id))] : items));
      setCursor(page.next_cursor);
    } catch (err) {
      setListError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void loadPage(null);
  }, [loadPage]);

  useEffect(() => {
    if (!threadId) return;
    ok(client.api.threads[':id'].switch.$put({ param: { id: threadId } })).catch((err: unknown) => {
      // 404: the thread is gone or not ours — the view says so; other failures are worth showing.
      if (!(err instanceof ApiError && err.status === 404)) setActionError(err);
    });
  }, [threadId]);

  const create = async (title?: string): Promise<Thread | null> => {
    setActionError(null);
    try {
      const t = await ok(client.api.threads.$post({ json: title ? { title } : {} }));
      setThreads((prev) => [t, ...prev]);
      return t;
    } catch (err) {
      setActionError(err);
      return null;
    }
  };

  const rename = async (id: string, title: string) => {
    setActionError(null);
    try {
      const t = await ok(client.api.threads[':id'].$patch({ param: { id }, json: { title } }));
      setThreads((prev) => prev.map((p) => (p.id === id ? { ...p, ...t } : p)));
    } catch (err) {
      setActionError(err);
    }
  };

  const remove = async (id: string) => {
    setActionError(null);
    try {
      await ok(client.api.threads[':id'].$delete({ param: { id } }));
      setThreads((prev) => prev.filter((p) => p.id !== id));
      if (id === threadId) navigate('/chat', { replace: true });
    } catch (err) {
      setActionError(err);
    }
  };

  const startNew = async (text: string) => {
    const t = await create(titleFrom(text));
    if (!t) return false;
    queuedFirstMessage = { threadId: t.id, text };
    navigate(`/chat/${encodeURIComponent(t.id)}`);
    return true;
  };

  const current = threads.find((t) => t.id === threadId);

  return (
    <div className="chat-layout">
      <ThreadSidebar
        threads={threads}
        activeId={threadId}
        loading={loading}
        error={listError}
        hasMore={cursor !== null}
        onMore={() => void loadPage(cursor)}
        onRetry={() => void loadPage(null)}
        onNew={async () => {
          const t = await create('New thread');
          if (t) navigate(`/chat/${encodeURIComponent(t.id)}`);
        }}
        onRename={(id, title) => void rename(id, title)}
        onDelete={(id) => void remove(id)}
      />
      <section className="chat-main">
        <ErrorBox error={actionError} />
        {threadId ? (
          <ThreadView
            key={threadId}
            threadId={threadId}
            thread={current}
            onRename={(title) => void rename(threadId, title)}
            onActivity={() =>
              setThreads((prev) => {
                const t = prev.find((p) => p.id === threadId);
                return t ? [{ ...t, updated_at: new Date().toISOString() }, ...prev.filter((p) => p.id !== threadId)] : prev;
              })
            }
          />
        ) : (
          <NewChat onSend={startNew} />
        )}
      </section>
    </div>
  );
}

const mayManage = (t: Thread | undefined, user: User | null) => !!t && !!user && (t.created_by === user.id || user.role === 'owner' || user.role === 'admin');

function useSignedInUser(): User | null {
  const { state } = useAuth();
  return state.status === 'signed_in' ? state.user : null;
}

function ThreadSidebar(props: {
  threads: Thread[];
  activeId?: string;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  onMore: () => void;
  onRetry: () => void;
  onNew: () => void | Promise<void>;
  onRename: (id: string, title: string) => void;
  onDelete: (id: string) => void;
}) {
  const user = useSignedInUser();
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const commit = (id: string, old: string) => {
    const title = draft.trim();
    setEditing(null);
    if (title && title !== old) props.onRename(id, title.slice(0, 200));
  };
  return (
    <aside className="thread-list" aria-label="Threads">
      <button type="button" className="btn primary wide" onClick={() => void props.onNew()}>
        + New thread
      </button>
      <ErrorBox error={props.error} onRetry={props.onRetry} />
      <ul>
        {props.threads.map((t) => (
          <li key={t.id} className={t.id === props.activeId ? 'active' : undefined}>
            {editing === t.id ? (
              <input
                autoFocus
                className="rename"
                value={draft}
                maxLength={200}
                aria-label="Thread title"
                onChange={(e) => setDraft(e.target.value)}
                onBlur={() => commit(t.id, t.title)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') commit(t.id, t.title);
                  if (e.key === 'Escape') setEditing(null);
                }}
              />
            ) : (
              <Link href={`/chat/${encodeURIComponent(t.id)}`} className="thread-link" title={t.title}>
                <span className="thread-title">{t.title || 'Untitled'}</span>
                <span className="thread-time">{relativeTime(t.updated_at)}</span>
              </Link>
            )}
            {mayManage(t, user) && (
            <span className="thread-actions">
              <button
                type="button"
                className="icon-btn"
                title="Rename"
                aria-label={`Rename ${t.title}`}
                onClick={() => {
                  setEditing(t.id);
                  setDraft(t.title);
                }}
              >
                ✎
              </button>
              <button
                type="button"
                className="icon-btn danger"
                title="Delete"
                aria-label={`Delete ${t.title}`}
                onClick={() => {
                  if (confirm(`Delete the thread “${t.title}” and its history?`)) props.onDelete(t.id);
                }}
              >
                ×
              </button>
            </span>
            )}
          </li>
        ))}
      </ul>
      {props.loading && <Spinner />}
      {!props.loading && !props.error && props.threads.length === 0 && <p className="muted small pad">No threads yet. Ask a question to start one.</p>}
      {props.hasMore && !props.loading && (
        <button type="button" className="btn small wide" onClick={props.onMore}>
          Load more
        </button>
      )}
    </aside>
  );
}

function Composer({
  onSend,
  busy,
  running,
  onCancel,
  placeholder,
}: {
  onSend: (text: string) => boolean | Promise<boolean>;
  busy?: boolean;
  running?: boolean;
  onCancel?: () => void;
  placeholder?: string;
}) {
  const [text, setText] = useState('');
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const t = text.trim();
    if (!t || busy || t.length > MAX_AGENT_MESSAGE_CHARS) return;
    if (await onSend(t)) setText('');
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };
  const over = text.length > MAX_AGENT_MESSAGE_CHARS;
  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        rows={3}
        placeholder={placeholder ?? 'Ask about your LLM spend, latency or quality… (Enter to send, Shift+Enter for a new line)'}
        aria-label="Message"
      />
      <div className="composer-bar">
        <span className={over ? 'danger small' : 'muted small'}>
          {over ? `Too long: ${text.length.toLocaleString()} / ${MAX_AGENT_MESSAGE_CHARS.toLocaleString()} characters` : text.length > 0 ? `${text.length} chars` : ''}
        </span>
        <span className="row">
          {running && onCancel && (
            <button type="button" className="btn danger" onClick={onCancel}>
              Cancel run
            </button>
          )}
          <button type="submit" className="btn primary" disabled={busy || !text.trim() || over}>
            Send
          </button>
        </span>
      </div>
    </form>
  );
}

function NewChat({ onSend }: { onSend: (text: string) => Promise<boolean> }) {
  const [busy, setBusy] = useState(false);
  const send = async (text: string) => {
    setBusy(true);
    const ok = await onSend(text);
    setBusy(false);
    return ok;
  };
  return (
    <div className="thread-view">
      <div className="timeline welcome">
        <h1>What should we look at?</h1>
        <p className="muted">
          The supervisor agent reads your telemetry, runs the optimizer tools and answers with quantified savings — each with its evidence, confidence and risk.
        </p>
        <div className="suggestions">
          {SUGGESTIONS.map((s) => (
            <button key={s} type="button" className="suggestion" disabled={busy} onClick={() => void send(s)}>
              {s}
            </button>
          ))}
        </div>
      </div>
      <Composer onSend={send} busy={busy} />
    </div>
  );
}

async function loadAllMessages(threadId: string, signal: AbortSignal): Promise<{ items: Message[]; truncated: boolean }> {
  const items: Message[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await ok(client.api.threads[':id'].messages.$get({ param: { id: threadId }, query: { limit: '100', ...(cursor ? { cursor } : {}) } }, { init: { signal } }));
    items.push(...res.items);
    cursor = res.next_cursor;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

function ThreadView({ threadId, thread, onRename, onActivity }: { threadId: string; thread?: Thread; onRename: (title: string) => void; onActivity: () => void }) {
  const user = useSignedInUser();
  const [history, setHistory] = useState<Message[]>([]);
  const [historyState, setHistoryState] = useState<{ loading: boolean; error: unknown; truncated: boolean }>({ loading: true, error: null, truncated: false });
  const [historyTick, setHistoryTick] = useState(0);
  const [live, dispatch] = useReducer((s: LiveState, e: ServerEvent | 'dismiss') => (e === 'dismiss' ? { ...s, errors: [] } : applyEvent(s, e)), initialLive);
  const [conn, setConn] = useState<ConnStatus>('connecting');
  const [socketError, setSocketError] = useState<unknown>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const sockRef = useRef<ThreadSocket | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickRef = useRef(true);
  const onActivityRef = useRef(onActivity);
  onActivityRef.current = onActivity;
  /** Seq of the thread when the socket connected: events at or below it are replays, not news. */
  const liveFrom = useRef(Number.MAX_SAFE_INTEGER);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The thread may not be in the sidebar's loaded pages (deep link): fetch it for its title.
  const [fetched, setFetched] = useState<Thread | null>(null);
  const [threadError, setThreadError] = useState<unknown>(null);
  useEffect(() => {
    if (thread) return;
    const ctrl = new AbortController();
    ok(client.api.threads[':id'].$get({ param: { id: threadId } }, { init: { signal: ctrl.signal } })).then(setFetched, (err: unknown) => !ctrl.signal.aborted && setThreadError(err));
    return () => ctrl.abort();
  }, [threadId, thread]);
  const shownThread = thread ?? fetched ?? undefined;

  // History (REST), reloaded after each completed run so persisted messages replace live ones.
  useEffect(() => {
    const ctrl = new AbortController();
    setHistoryState((s) => ({ ...s, loading: true, error: null }));
    loadAllMessages(threadId, ctrl.signal).then(
      (r) => {
        setHistory(r.items);
        setHistoryState({ loading: false, error: null, truncated: r.truncated });
      },
      (error: unknown) => !ctrl.signal.aborted && setHistoryState({ loading: false, error, truncated: false }),
    );
    return () => ctrl.abort();
  }, [threadId, historyTick]);

  // Live socket: a fresh single-use ticket for every (re)connect.
  useEffect(() => {
    let alive = true;
    const sock = new ThreadSocket({
      url: async () => {
        try {
          const { ticket } = await ok(client.api.ws.ticket.$post({ json: { thread_id: threadId } }));
          if (!alive) throw new Error('view closed');
          setSocketError(null);
          return wsUrl(`/ws?ticket=${encodeURIComponent(ticket)}&thread_id=${encodeURIComponent(threadId)}`);
        } catch (err) {
          if (alive) {
            setSocketError(err);
            // Permanent refusals: stop retrying (a 401 ends the session and leaves this view anyway).
            if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
              sock.close();
              setConn('closed');
            }
          }
          throw err;
        }
      },
      onEvent: (event) => {
        if (!alive) return;
        dispatch(event);
        if (event.type === 'agent_started') setPending((p) => settlePending(p, event.data.message, event.metadata.timestamp));
        if (event.type === 'error' && !event.metadata.run_id) setPending([]);
        if (event.type === 'connection_established') liveFrom.current = event.data.last_seq;
        if (event.type === 'agent_completed') {
          // Coalesce: a resume replays many completions at once; reload the persisted history once after them.
          if (reloadTimer.current) clearTimeout(reloadTimer.current);
          reloadTimer.current = setTimeout(() => alive && setHistoryTick((t) => t + 1), 400);
          if (event.metadata.seq > liveFrom.current) onActivityRef.current();
        }
      },
      onStatus: (s) => alive && setConn(s),
    });
    sockRef.current = sock;
    void sock.connect();
    const first = queuedFirstMessage;
    if (first?.threadId === threadId) {
      queuedFirstMessage = null;
      setPending([{ text: first.text, at: Date.now() }]);
      sock.send({ action: 'start_agent', data: { message: first.text, thread_id: threadId } });
    }
    return () => {
      alive = false;
      sockRef.current = null;
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
      sock.close();
    };
  }, [threadId]);

  const running = activeRun(live);

  const send = (text: string): boolean => {
    const sock = sockRef.current;
    if (!sock) return false;
    dispatch('dismiss');
    setPending((p) => [...p, { text, at: Date.now() }]);
    sock.send({ action: 'start_agent', data: { message: text, thread_id: threadId } });
    stickRef.current = true;
    if (shownThread && mayManage(shownThread, user) && (shownThread.title === 'New thread' || !shownThread.title) && history.length === 0) onRename(titleFrom(text));
    onActivity();
    return true;
  };
  const cancel = () => {
    if (running) sockRef.current?.send({ action: 'cancel', data: { run_id: running.run_id } });
  };

  // Keep the view pinned to the bottom while the user is there.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && stickRef.current) el.scrollTop = el.scrollHeight;
  });
  const onScroll = () => {
    const el = scrollRef.current;
    if (el) stickRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const items = buildTimeline(history, live);
  const empty = !historyState.loading && items.length === 0 && pending.length === 0;

  return (
    <div className="thread-view">
      <header className="thread-head">
        <h1 title={shownThread?.title}>{shownThread?.title ?? 'Thread'}</h1>
        <ConnectionBadge status={conn} />
      </header>
      <div className="timeline" ref={scrollRef} onScroll={onScroll}>
        {!thread && <ErrorBox title="Thread" error={threadError} />}
        {socketError !== null && conn !== 'open' && <ErrorBox title="Live connection" error={socketError} />}
        <ErrorBox title="History" error={historyState.error} onRetry={() => setHistoryTick((t) => t + 1)} />
        {historyState.loading && history.length === 0 && <Spinner label="Loading conversation…" />}
        {historyState.truncated && <p className="muted small">Showing the first 2,000 messages of this thread.</p>}
        {empty && (
          <div className="welcome">
            <p className="muted">Ask the supervisor agent a question about this workload. Try one of these:</p>
            <div className="suggestions">
              {SUGGESTIONS.map((s) => (
                <button key={s} type="button" className="suggestion" onClick={() => send(s)}>
                  {s}
                </button>
              ))}
            </div>
          </div>
        )}
        {items}
        {pending.map((p) => (
          <div key={`pending-${p.at}`} className="msg user pending">
            <div className="bubble">{p.text}</div>
            <div className="msg-meta">{conn === 'open' ? 'sending…' : 'waiting for the connection…'}</div>
          </div>
        ))}
        {live.errors.map((e, i) => (
          <div key={`err-${i}`} className="error-box" role="alert">
            <div>
              <strong>{e.code}</strong>: {e.message}
            </div>
            <button type="button" className="btn small" onClick={() => dispatch('dismiss')}>
              Dismiss
            </button>
          </div>
        ))}
      </div>
      <Composer onSend={send} running={running !== undefined} onCancel={cancel} />
    </div>
  );
}

function ConnectionBadge({ status }: { status: ConnStatus }) {
  const label = status === 'open' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Disconnected — retrying';
  return (
    <span className={`conn ${status}`} role="status" title={`WebSocket: ${status}`}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** History messages with each run's live activity placed next to them; runs newer than the history last. */
function buildTimeline(history: Message[], live: LiveState): ReactNode[] {
  const out: ReactNode[] = [];
  const shown = new Set<string>();
  const answered = new Set(history.filter((m) => m.role === 'assistant' && m.run_id).map((m) => m.run_id!));
  const runPanel = (runId: string | null) => {
    if (!runId || shown.has(runId)) return;
    const run = live.runs[runId];
    if (!run) return;
    shown.add(runId);
    out.push(<RunPanel key={`run-${runId}`} run={run} />);
    if (!answered.has(runId)) {
      const answer = runAnswer(run);
      if (answer) out.push(answer);
    }
  };
  for (const m of history) {
    if (m.role === 'user') {
      out.push(<UserMessage key={m.id} text={m.content} at={m.created_at} />);
      runPanel(m.run_id);
    } else {
      runPanel(m.run_id);
      out.push(<AssistantMessage key={m.id} text={m.content} at={m.created_at} reportId={reportIdOf(m.metadata)} />);
    }
  }
  for (const runId of live.order) {
    if (shown.has(runId)) continue;
    const run = live.runs[runId]!;
    if (run.message) out.push(<UserMessage key={`u-${runId}`} text={run.message} at={run.started_at} />);
    runPanel(runId);
  }
  return out;
}

function reportIdOf(meta: Message['metadata']): string | null {
  const id = meta?.report_id;
  return typeof id === 'string' && id ? id : null;
}

function runAnswer(run: RunView): ReactNode {
  if (run.status === 'running') return null;
  if (run.answer) return <AssistantMessage key={`a-${run.run_id}`} text={run.answer} at={run.finished_at} reportId={run.report_id ?? null} />;
  return null;
}

function UserMessage({ text, at }: { text: string; at?: string }) {
  return (
    <div className="msg user">
      <div className="bubble">{text}</div>
      {at && <div className="msg-meta">{dateTime(at)}</div>}
    </div>
  );
}

function AssistantMessage({ text, at, reportId }: { text: string; at?: string; reportId: string | null }) {
  return (
    <div className="msg assistant">
      <div className="bubble">
        <Markdown text={text} />
        {reportId && <ReportAnswerChart reportId={reportId} />}
      </div>
      <div className="msg-meta">
        {at && dateTime(at)}
        {reportId && (
          <>
            {' · '}
            <Link href={`/reports/${encodeURIComponent(reportId)}`}>Open full report</Link>
          </>
        )}
      </div>
    </div>
  );
}

/** The answer's chart, drawn like the report page's charts, from the run's stored report. */
function ReportAnswerChart({ reportId }: { reportId: string }) {
  const r = useAsync((signal) => fetchReport(reportId, signal), [reportId]);
  const chart = chartsOf(r.data?.data)?.answer;
  return chart && chart.series.length > 0 ? <AnswerChart chart={chart} /> : null;
}

const STATUS_ICON: Record<string, string> = { started: '◌', progress: '◔', completed: '✓', failed: '✕', skipped: '–' };

function RunPanel({ run }: { run: RunView }) {
  const running = run.status === 'running';
  const elapsed = run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null;
  const otherTools = run.tools.filter((t) => !run.sub_agents.some((a) => a.name === t.agent));
  return (
    <details className={`run ${run.status}`} open={running || run.errors.length > 0}>
      <summary>
        <Badge kind={run.status}>{running ? 'Working' : run.status}</Badge>
        <span className="run-title">
          Agent run · {run.sub_agents.length} step{run.sub_agents.length === 1 ? '' : 's'} · {run.tools.length} tool call{run.tools.length === 1 ? '' : 's'}
          {elapsed !== null && Number.isFinite(elapsed) && ` · ${(elapsed / 1000).toFixed(1)} s`}
        </span>
        {running && <span className="spin" aria-hidden="true" />}
      </summary>
      <ol className="subagents">
        {run.sub_agents.map((a) => (
          <SubAgent key={a.name} agent={a} tools={run.tools.filter((t) => t.agent === a.name)} />
        ))}
      </ol>
      {otherTools.length > 0 && (
        <div className="tools">
          {otherTools.map((t) => (
            <ToolCall key={t.call_id} tool={t} />
          ))}
        </div>
      )}
      {run.errors.map((e, i) => (
        <div key={i} className="error-box" role="alert">
          <div>
            <strong>{e.code}</strong>: {e.message}
          </div>
        </div>
      ))}
      {run.logs.length > 0 && (
        <details className="logs">
          <summary>Log ({run.logs.length})</summary>
          <ul>
            {run.logs.map((l, i) => (
              <li key={i} className={`log ${l.level}`}>
                <span className="log-time">{new Date(l.at).toLocaleTimeString()}</span>
                <span className="log-level">{l.level}</span>
                {l.agent && <span className="log-agent">{l.agent}</span>}
                <span>{l.message}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {run.status === 'completed' && run.summary && Object.keys(run.summary).length > 0 && (
        <details className="logs">
          <summary>Run summary</summary>
          <pre className="json">{json(run.summary)}</pre>
        </details>
      )}
    </details>
  );
}

function SubAgent({ agent, tools }: { agent: SubAgentView; tools: ToolView[] }) {
  const steps = agent.steps.filter((s) => s.message);
  return (
    <li className={`subagent ${agent.status}`}>
      <div className="subagent-head">
        <span className="status-icon" aria-label={agent.status}>
          {STATUS_ICON[agent.status] ?? '•'}
        </span>
        <strong>{agent.name.replace(/_/g, ' ')}</strong>
        <span className="muted small">{agent.status}</span>
        {agent.progress !== undefined && agent.status !== 'completed' && (
          <span className="progress-bar" aria-label={`${Math.round(agent.progress * 100)}%`}>
            <span style={{ width: `${Math.round(agent.progress * 100)}%` }} />
          </span>
        )}
      </div>
      {steps.length > 0 && (
        <ul className="steps">
          {steps.map((s, i) => (
            <li key={i} className={`step-${s.status}`}>
              {s.message}
            </li>
          ))}
        </ul>
      )}
      {tools.length > 0 && (
        <div className="tools">
          {tools.map((t) => (
            <ToolCall key={t.call_id} tool={t} />
          ))}
        </div>
      )}
    </li>
  );
}

function ToolCall({ tool }: { tool: ToolView }) {
  return (
    <details className={`tool ${tool.done ? (tool.ok ? 'ok' : 'failed') : 'pending'}`}>
      <summary>
        <code>{tool.tool}</code>
        <span className="muted small">
          {tool.done ? (tool.ok ? 'ok' : 'failed') : 'running…'}
          {tool.duration_ms !== undefined && ` · ${Math.round(tool.duration_ms)} ms`}
        </span>
      </summary>
      <div className="tool-io">
        <div>
          <h4>Input</h4>
          <pre className="json">{tool.input === undefined ? '—' : json(tool.input)}</pre>
        </div>
        <div>
          <h4>Output</h4>
          <pre className="json">{tool.done ? json(tool.output) : 'waiting for the result…'}</pre>
        </div>
      </div>
    </details>
  );
}


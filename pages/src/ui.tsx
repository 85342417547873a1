// Small shared pieces: async loading hook, error and empty states, JSON view, copy button.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from './api';
import { json } from './format';
import { Link } from './router';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (aborting the previous run) and on `reload()`. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    loadRef.current(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ data, error: null, loading: false }),
      (error: unknown) => !ctrl.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ctrl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function ErrorBox({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <div>
        {title && <strong>{title}: </strong>}
        {errorMessage(error)}
      </div>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="spin" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** What to do when an org has no telemetry yet. */
export function NoTelemetry() {
  return (
    <Empty title="No telemetry yet">
      <p>
        Netra Apex analyzes the LLM calls your applications make. Send some in and this page fills up: create an API key with the{' '}
        <code>ingest</code> scope, then POST your calls to <code>/api/ingest/calls</code>, import a usage export (OpenAI, LiteLLM, Helicone,
        CSV/JSONL traces), or point your OpenAI client at the gateway.
      </p>
      <Link className="btn primary" href="/data">
        Set up data ingestion
      </Link>
    </Empty>
  );
}

export function JsonBlock({ value }: { value: unknown }) {
  return <pre className="json">{json(value)}</pre>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      // clipboard blocked (insecure context): the text stays selectable
    }
  };
  return (
    <button type="button" className="btn small" onClick={() => void copy()}>
      {done ? 'Copied' : label}
    </button>
  );
}

export function Badge({ kind, children }: { kind?: string; children: ReactNode }) {
  return <span className={`badge ${kind ?? ''}`}>{children}</span>;
}

// Data: API keys (the secret is shown once), file imports with status polling, and how to send calls.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { apiUrl, client, ok, uploadWithProgress, type Body } from '../api';
import { dateTime, int } from '../format';
import { Badge, CopyButton, ErrorBox, Spinner } from '../ui';

const SCOPES = ['ingest', 'read', 'gateway'] as const;
type Scope = (typeof SCOPES)[number];
const SCOPE_HELP: Record<Scope, string> = {
  ingest: 'send call telemetry',
  read: 'read analytics and reports',
  gateway: 'call the OpenAI-compatible gateway',
};

type ApiKey = Body<typeof client.api.keys.$get>['items'][number];

export function DataPage() {
  const [newKey, setNewKey] = useState<string | null>(null);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Data</h1>
      </header>
      <p className="muted lead">
        Send the telemetry of your LLM calls — one record per call with model, tokens, latency and status — and Netra Apex computes where money and time go.
      </p>
      <KeysPanel onCreated={setNewKey} />
      <div className="grid-2">
        <ImportPanel />
        <SnippetPanel apiKey={newKey} />
      </div>
    </div>
  );
}

function KeysPanel({ onCreated }: { onCreated: (key: string) => void }) {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['ingest']);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);

  const load = async (after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await ok(client.api.keys.$get({ query: { limit: '50', ...(after ? { cursor: after } : {}) } }));
      setKeys((prev) => (after ? [...prev, ...(page?.items ?? [])] : (page?.items ?? [])));
      setCursor(page?.next_cursor ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, []);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || scopes.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const created = await ok(client.api.keys.$post({ json: { name: name.trim(), scopes } }));
      const { key, ...pub } = created;
      setKeys((prev) => [pub, ...prev]);
      setSecret({ name: pub.name, key });
      onCreated(key);
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ApiKey) => {
    if (!confirm(`Revoke the API key “${k.name}”? Applications using it will stop working.`)) return;
    setError(null);
    try {
      await ok(client.api.keys[':id'].$delete({ param: { id: k.id } }));
      setKeys((prev) => prev.filter((p) => p.id !== k.id));
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>API keys</h2>
      </div>
      {secret && (
        <div className="secret" role="alert">
          <p>
            <strong>Copy the secret of “{secret.name}” now</strong> — it is shown only once and cannot be recovered.
          </p>
          <div className="secret-row">
            <code className="secret-value">{secret.key}</code>
            <CopyButton text={secret.key} />
          </div>
          <button type="button" className="btn small" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      <form className="key-form" onSubmit={(e) => void create(e)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. production backend" maxLength={100} required />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="check" title={SCOPE_HELP[s]}>
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes((prev) => (e.target.checked ? [...prev, s] : prev.filter((x) => x !== s)))}
              />
              {s} <span className="muted small">({SCOPE_HELP[s]})</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="btn primary" disabled={busy || !name.trim() || scopes.length === 0}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      <ErrorBox error={error} onRetry={keys.length === 0 ? () => void load(null) : undefined} />
      {loading && keys.length === 0 ? (
        <Spinner />
      ) : keys.length === 0 ? (
        !error && <p className="muted">No API keys yet. Create one with the ingest scope to send telemetry.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix ? `${k.prefix}…` : k.id}</code>
                  </td>
                  <td>
                    {(k.scopes ?? []).map((s) => (
                      <Badge key={s}>{s}</Badge>
                    ))}
                  </td>
                  <td className="small">{dateTime(k.created_at)}</td>
                  <td className="small">{k.last_used_at ? dateTime(k.last_used_at) : 'never'}</td>
                  <td className="num">
                    <button type="button" className="btn small danger" onClick={() => void revoke(k)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && !loading && (
        <button type="button" className="btn small" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

type ServerImport = Body<(typeof client.api.ingest.imports)[':id']['$get']>;
/** An import as the server reports it, or (status `uploading`) the file still being sent. */
type ImportStatus = Partial<Omit<ServerImport, 'status'>> & { id: string; status: ServerImport['status'] | 'uploading'; size?: number; sent?: number; poll_error?: unknown };

/** Percent done: upload progress while sending, then the bytes the server has imported. */
function importPercent(imp: ImportStatus): number | null {
  if (imp.status === 'uploading') return imp.size ? Math.floor(((imp.sent ?? 0) / imp.size) * 100) : null;
  if (imp.status === 'completed') return 100;
  if (imp.size && typeof imp.bytes === 'number') return Math.min(100, Math.floor((imp.bytes / imp.size) * 100));
  return null;
}

const ACTIVE_IMPORT = new Set<ImportStatus['status']>(['uploading', 'running']);
/** The server's import formats (engine/telemetry/formats); "" lets it detect the format from the file. */
const FORMATS: [string, string][] = [
  ['', 'Detect automatically'],
  ['native', 'Netra calls (JSON / NDJSON / CSV)'],
  ['openai_usage', 'OpenAI usage export'],
  ['litellm', 'LiteLLM spend logs'],
  ['helicone', 'Helicone export'],
  ['otlp', 'OpenTelemetry GenAI traces (OTLP JSON)'],
  ['burstgpt', 'BurstGPT trace'],
  ['azure_trace', 'Azure LLM inference trace'],
  ['mooncake', 'Mooncake trace'],
];

function ImportPanel() {
  const fileRef = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('');
  const [model, setModel] = useState('');
  const [provider, setProvider] = useState('');
  const [startTime, setStartTime] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [imports, setImports] = useState<ImportStatus[]>([]);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const poll = (id: string) => {
    let delay = 1000;
    let failures = 0;
    const tick = async () => {
      if (!alive.current) return;
      try {
        const s = await ok(client.api.ingest.imports[':id'].$get({ param: { id } }));
        failures = 0;
        setImports((prev) => prev.map((p) => (p.id === id ? { ...p, ...s, id } : p)));
        if (!s?.status || !ACTIVE_IMPORT.has(s.status)) return;
      } catch (err) {
        if (++failures >= 3) {
          setImports((prev) => prev.map((p) => (p.id === id ? { ...p, poll_error: err } : p)));
          return;
        }
      }
      delay = Math.min(5000, delay * 1.5);
      setTimeout(() => void tick(), delay);
    };
    setTimeout(() => void tick(), 500);
  };

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    const tempId = `upload-${Date.now()}`;
    const size = file.size;
    setImports((prev) => [{ id: tempId, status: 'uploading', filename: file.name, size, sent: 0 }, ...prev]);
    try {
      const start = startTime ? new Date(startTime) : null;
      // The file is the raw body (the format is detected from its bytes); its name goes in the query.
      const query = {
        filename: file.name,
        ...(format && { format }),
        ...(model.trim() && { model: model.trim() }),
        ...(provider.trim() && { provider: provider.trim() }),
        ...(start && !Number.isNaN(start.getTime()) && { start_time: start.toISOString() }),
      };
      const res = await uploadWithProgress(query, file, (sent) => setImports((prev) => prev.map((p) => (p.id === tempId ? { ...p, sent } : p))));
      const id = res.id;
      setImports((prev) => prev.map((p) => (p.id === tempId ? { ...res, size } : p)));
      if (ACTIVE_IMPORT.has(res.status)) poll(id);
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
    } catch (err) {
      setImports((prev) => prev.filter((p) => p.id !== tempId));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Import a file</h2>
      </div>
      <p className="muted small">
        CSV or JSONL: OpenAI usage exports, LiteLLM spend logs, Helicone exports, or public traces (BurstGPT, Azure LLM inference, Mooncake). The format is detected
        automatically; traces without a model need one below.
      </p>
      <form className="stack" onSubmit={(e) => void upload(e)}>
        <label>
          File
          <input ref={fileRef} type="file" accept=".csv,.jsonl,.ndjson,.json,.txt,text/csv,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </label>
        <div className="grid-2 tight">
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value)}>
              {FORMATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>
              Start time <span className="muted small">(for relative traces)</span>
            </span>
            <input type="datetime-local" value={startTime} onChange={(e) => setStartTime(e.target.value)} />
          </label>
          <label>
            <span>
              Model <span className="muted small">(if the file has none)</span>
            </span>
            <input value={model} onChange={(e) => setModel(e.target.value)} placeholder="e.g. gpt-4o-mini" />
          </label>
          <label>
            <span>
              Provider <span className="muted small">(optional)</span>
            </span>
            <input value={provider} onChange={(e) => setProvider(e.target.value)} placeholder="e.g. openai" />
          </label>
        </div>
        <ErrorBox error={error} />
        <button type="submit" className="btn primary" disabled={busy || !file}>
          {busy ? 'Uploading…' : 'Import'}
        </button>
      </form>
      {imports.length > 0 && (
        <ul className="imports">
          {imports.map((imp) => (
            <ImportRow key={imp.id} imp={imp} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ImportRow({ imp }: { imp: ImportStatus }) {
  const active = ACTIVE_IMPORT.has(imp.status);
  const failed = imp.status === 'failed';
  const errors = imp.errors ?? [];
  const percent = importPercent(imp);
  return (
    <li className="import">
      <div className="row spread">
        <span>
          <strong>{imp.filename ?? imp.id}</strong> {imp.format && <span className="muted small">({imp.format})</span>}
        </span>
        <Badge kind={failed ? 'bad' : active ? 'warn' : 'ok'}>{imp.status ?? 'submitted'}</Badge>
      </div>
      {percent !== null && (
        <progress className="import-progress" max={100} value={percent} aria-label={`Import of ${imp.filename ?? imp.id}: ${percent}%`} />
      )}
      <div className="small">
        {active && <span className="spin" aria-hidden="true" />} accepted <strong>{int(imp.accepted ?? 0)}</strong> · rejected <strong>{int(imp.rejected ?? 0)}</strong>
      </div>
      {imp.poll_error !== undefined && <ErrorBox title="Status" error={imp.poll_error} />}
      {errors.length > 0 && (
        <details>
          <summary>
            {errors.length} error{errors.length === 1 ? '' : 's'}
          </summary>
          <ul className="import-errors">
            {errors.slice(0, 100).map((e, i) => (
              <li key={i}>{importErrorText(e)}</li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function importErrorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const where = o.line ?? o.row ?? o.index;
    const msg = typeof o.message === 'string' ? o.message : JSON.stringify(o);
    return where !== undefined ? `line ${String(where)}: ${msg}` : msg;
  }
  return String(e);
}

function SnippetPanel({ apiKey }: { apiKey: string | null }) {
  const origin = new URL(apiUrl('/'), location.href).origin;
  const key = apiKey ?? '$NETRA_API_KEY';
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const curl = `curl -X POST ${origin}/api/ingest/calls \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -H "Idempotency-Key: batch-0001" \\
  -d '[{
    "request_id": "req_123",
    "timestamp": "${now}",
    "provider": "openai",
    "model": "gpt-4o-mini",
    "feature": "support-chat",
    "user": "user_42",
    "input_tokens": 1200,
    "output_tokens": 180,
    "cached_input_tokens": 0,
    "latency_ms": 950,
    "ttft_ms": 310,
    "status": "ok"
  }]'`;
  const gateway = `from openai import OpenAI
client = OpenAI(base_url="${origin}/v1", api_key="${key}")`;
  return (
    <section className="card panel">
      <div className="panel-head">
        <h2>Send calls from your app</h2>
      </div>
      <p className="muted small">
        POST a JSON array (or NDJSON, one call per line) with a key that has the <code>ingest</code> scope. Retries with the same <code>request_id</code> or{' '}
        <code>Idempotency-Key</code> are never double counted. Cost is computed from the price catalog when you do not send <code>cost_usd</code>.
      </p>
      <div className="snippet">
        <div className="snippet-head">
          <span>curl</span>
          <CopyButton text={curl} />
        </div>
        <pre>{curl}</pre>
      </div>
      <p className="muted small">
        Or route traffic through the OpenAI-compatible gateway (key with the <code>gateway</code> scope): every call is recorded and the org&apos;s policy applies.
      </p>
      <div className="snippet">
        <div className="snippet-head">
          <span>python</span>
          <CopyButton text={gateway} />
        </div>
        <pre>{gateway}</pre>
      </div>
      {apiKey && <p className="muted small">The snippets use the key you just created; it is not stored by this page.</p>}
    </section>
  );
}

// API reference: renders GET /api/openapi.json (generated from the routes' own schemas) — every operation
// with its parameters, request body, answers and whether it needs a session. Bundled; nothing from a CDN.
import type { OperationObject, ParameterObject, ReferenceObject, RequestBodyObject, ResponseObject } from 'openapi3-ts/oas31';
import { fetchOpenApiDocument } from '../api';
import { Badge, ErrorBox, JsonBlock, Spinner, useAsync } from '../ui';

// The document's own format (OpenAPI 3.1), typed by openapi3-ts — the types zod-to-openapi builds it with.
type Operation = OperationObject;

/** The object itself, or null for a `$ref` (the generated document inlines its schemas; a ref is not shown). */
function inline<T extends object>(x: T | ReferenceObject | undefined): T | null {
  return x && !('$ref' in x) ? (x as T) : null;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function schemaType(schema: unknown): string {
  const s = schema as { type?: string | string[]; enum?: unknown[]; format?: string } | undefined;
  if (!s) return '';
  if (s.enum) return s.enum.map(String).join(' | ');
  return [s.type].flat().filter(Boolean).join(' | ') + (s.format ? ` (${s.format})` : '');
}

function needsSession(op: Operation): string {
  if (!op.security || op.security.length === 0) return 'public';
  if (op.security.some((r) => Object.keys(r).length === 0)) return 'session optional';
  return Object.keys(op.security[0]!).join(', ');
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const requestBody = inline<RequestBodyObject>(op.requestBody);
  const body = requestBody?.content['application/json']?.schema;
  const parameters = (op.parameters ?? []).map((p) => inline<ParameterObject>(p)).filter((p) => p !== null);
  return (
    <details className="card" id={`${method}-${path}`}>
      <summary>
        <Badge kind={method === 'get' ? 'ok' : method === 'delete' ? 'warn' : undefined}>{method.toUpperCase()}</Badge> <code>{path}</code> — {op.summary}{' '}
        <span className="muted">({needsSession(op)})</span>
      </summary>
      {parameters.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>parameter</th>
              <th>in</th>
              <th>type</th>
              <th>required</th>
              <th>about</th>
            </tr>
          </thead>
          <tbody>
            {parameters.map((p) => (
              <tr key={`${p.in}-${p.name}`}>
                <td>
                  <code>{p.name}</code>
                </td>
                <td>{p.in}</td>
                <td>{schemaType(p.schema)}</td>
                <td>{p.required ? 'yes' : 'no'}</td>
                <td>{p.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {body !== undefined && (
        <>
          <h4>Request body (JSON{requestBody?.required ? '' : ', optional'})</h4>
          <JsonBlock value={body} />
        </>
      )}
      <h4>Answers</h4>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, ref]) => {
          const r = inline<ResponseObject>(ref as ResponseObject | ReferenceObject);
          const schema = r?.content?.['application/json']?.schema;
          return (
            <li key={status}>
              <strong>{status}</strong> {r?.description}
              {status.startsWith('2') && schema !== undefined && <JsonBlock value={schema} />}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

export function ApiReference() {
  const doc = useAsync((signal) => fetchOpenApiDocument(signal), []);
  if (doc.error) return <ErrorBox error={doc.error} onRetry={doc.reload} title="Could not load the API document" />;
  if (!doc.data) return <Spinner label="Loading the API reference…" />;
  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, item] of Object.entries(doc.data.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method as (typeof METHODS)[number]];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  return (
    <div className="page">
      <header className="page-head">
        <h1>{doc.data.info.title}</h1>
        <a className="btn small" href="/api/openapi.json">
          OpenAPI 3.1 document
        </a>
      </header>
      {doc.data.info.description && <p className="muted">{doc.data.info.description}</p>}
      {[...byTag].map(([tag, ops]) => (
        <section key={tag}>
          <h2>{tag}</h2>
          {ops.map((o) => (
            <OperationView key={`${o.method} ${o.path}`} {...o} />
          ))}
        </section>
      ))}
    </div>
  );
}

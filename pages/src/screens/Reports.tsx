// Reports: the list of the agents' final reports, and one report rendered from its markdown.
import { useState } from 'react';
import { client, fetchReport, ok, type Body } from '../api';
import { dateTime, json, usd } from '../format';
import { Markdown } from '../markdown';
import { chartsOf, ReportChartsView } from '../report-charts';
import { Link } from '../router';
import { Empty, ErrorBox, JsonBlock, Spinner, useAsync } from '../ui';
import { ReportPolicies, reportHasPolicy } from './Policies';

type ReportItem = Body<typeof client.api.reports.$get>['items'][number];

function monthlySaving(r: ReportItem): number | null {
  return r.monthly_saving_usd > 0 ? r.monthly_saving_usd : null;
}

function reportTitle(r: ReportItem): string {
  return r.title?.trim() || `Report ${r.id}`;
}

/** The markdown without its first line when that is the `# title` the page already shows as its heading. */
function withoutTitle(markdown: string, title: string): string {
  const [first, ...rest] = markdown.split('\n');
  return first?.replace(/^#\s+/, '').trim() === title.trim() ? rest.join('\n') : markdown;
}

export function ReportsList() {
  const [pages, setPages] = useState<string[]>([]);
  const [extra, setExtra] = useState<ReportItem[]>([]);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useAsync((signal) => ok(client.api.reports.$get({ query: { limit: '50' } }, { init: { signal } })), []);
  const nextCursor = pages.length ? pages[pages.length - 1]! : (first.data?.next_cursor ?? null);
  const [cursorDone, setCursorDone] = useState(false);

  const more = async () => {
    if (!nextCursor) return;
    setMoreError(null);
    try {
      const page = await ok(client.api.reports.$get({ query: { limit: '50', cursor: nextCursor } }));
      const next = page.next_cursor;
      setExtra((prev) => [...prev, ...page.items]);
      if (next) setPages((p) => [...p, next]);
      else setCursorDone(true);
    } catch (err) {
      setMoreError(err);
    }
  };

  const items = [...(first.data?.items ?? []), ...extra];
  return (
    <div className="page">
      <header className="page-head">
        <h1>Reports</h1>
      </header>
      <ErrorBox error={first.error} onRetry={first.reload} />
      {first.loading && !first.data && <Spinner />}
      {first.data && items.length === 0 && (
        <Empty title="No reports yet">
          <p className="muted">
            When the agent finishes an analysis it writes a report here. <Link href="/chat">Ask a question in Chat</Link> to produce one.
          </p>
        </Empty>
      )}
      {items.length > 0 && (
        <ul className="report-list">
          {items.map((r) => (
            <li key={r.id} className="card">
              <Link href={`/reports/${encodeURIComponent(r.id)}`} className="report-link">
                <strong>{reportTitle(r)}</strong>
                <span className="muted small">
                  {dateTime(r.created_at)}
                  {monthlySaving(r) !== null && ` · ${usd(monthlySaving(r))}/month potential saving`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={moreError} />
      {nextCursor && !cursorDone && (
        <button type="button" className="btn small" onClick={() => void more()}>
          Load more
        </button>
      )}
    </div>
  );
}

export function ReportView({ id }: { id: string }) {
  const r = useAsync((signal) => fetchReport(id, signal), [id]);
  const rep = r.data;
  const structured = rep?.data;
  const download = () => {
    if (!rep?.markdown) return;
    const url = URL.createObjectURL(new Blob([rep.markdown], { type: 'text/markdown;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${reportTitle(rep).replace(/[^\w.-]+/g, '_').slice(0, 80) || 'report'}.md`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="page narrow">
      <p>
        <Link href="/reports">← All reports</Link>
      </p>
      <ErrorBox error={r.error} onRetry={r.reload} />
      {r.loading && !rep && <Spinner />}
      {rep && (
        <article className="card report">
          <header className="page-head">
            <div>
              <h1>{reportTitle(rep)}</h1>
              <div className="muted small">
                {dateTime(rep.created_at)}
                {rep.thread_id && (
                  <>
                    {' · '}
                    <Link href={`/chat/${encodeURIComponent(rep.thread_id)}`}>Open thread</Link>
                  </>
                )}
              </div>
            </div>
            {rep.markdown && (
              <button type="button" className="btn small" onClick={download}>
                Download .md
              </button>
            )}
          </header>
          <ReportChartsView charts={chartsOf(structured)} />
          {rep.markdown ? <Markdown text={withoutTitle(rep.markdown, reportTitle(rep))} /> : <p className="muted">This report has no text body.</p>}
          {structured !== undefined && structured !== null && (
            <details>
              <summary>Structured data</summary>
              <JsonBlock value={structured} />
            </details>
          )}
          {!rep.markdown && structured === undefined && <pre className="json">{json(rep)}</pre>}
        </article>
      )}
      {rep && <ReportPolicies reportId={rep.id} hasPolicy={reportHasPolicy(structured)} />}
    </div>
  );
}

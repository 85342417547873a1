// App shell: session gate, top navigation, and the client-side routes.
import { lazy, Suspense, useEffect } from 'react';
import { errorMessage } from './api';
import { useAuth } from './auth';
import { Link, match, navigate, usePath } from './router';
import { ApiReference } from './screens/ApiReference';
import { Dashboard } from './screens/Dashboard';
import { DataPage } from './screens/Data';
import { Login } from './screens/Login';
import { Empty, Spinner } from './ui';

// The chat screen carries the WebSocket protocol (and zod), chat and reports the markdown renderer and the
// report charts: loaded on first use, not with the sign-in page.
const ChatScreen = lazy(() => import('./screens/Chat').then((m) => ({ default: m.ChatScreen })));
const ReportsList = lazy(() => import('./screens/Reports').then((m) => ({ default: m.ReportsList })));
const ReportView = lazy(() => import('./screens/Reports').then((m) => ({ default: m.ReportView })));

const NAV = [
  { href: '/chat', label: 'Chat' },
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/data', label: 'Data' },
  { href: '/reports', label: 'Reports' },
];

export function App() {
  const { state, signOut, retry } = useAuth();
  const path = usePath();

  useEffect(() => {
    if (state.status === 'signed_out' && path !== '/login' && path !== '/auth/callback') navigate('/login', { replace: true });
    if (state.status === 'signed_in' && (path === '/' || path === '/login' || path === '/auth/callback')) navigate('/chat', { replace: true });
  }, [state.status, path]);

  useEffect(() => {
    const section = NAV.find((n) => path.startsWith(n.href))?.label;
    document.title = section ? `${section} · Netra Apex` : 'Netra Apex';
  }, [path]);

  if (state.status === 'loading')
    return (
      <div className="center-page">
        <Spinner label="Signing you in…" />
      </div>
    );
  if (state.status === 'offline')
    return (
      <div className="center-page">
        <Empty title="Cannot reach Netra Apex">
          <p className="muted">{errorMessage(state.error)}</p>
          <button type="button" className="btn primary" onClick={retry}>
            Try again
          </button>
        </Empty>
      </div>
    );
  if (state.status === 'signed_out') return <Login initialError={state.error} />;

  const { user, org } = state;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="topbar" aria-label="Main">
        <Link href="/chat" className="brand">
          <span className="logo" aria-hidden="true">
            <svg viewBox="0 0 32 32" width="22" height="22">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <path d="M8 23 16 8l8 15" stroke="white" strokeWidth="3" fill="none" strokeLinejoin="round" />
            </svg>
          </span>
          Netra Apex
        </Link>
        <div className="nav-links">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} className={path.startsWith(n.href) ? 'active' : undefined} aria-current={path.startsWith(n.href) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </div>
        <div className="account">
          <span className="who" title={user.email}>
            {user.name || user.email}
            <span className="muted small">
              {' '}
              · {org.name} <span className="badge">{org.tier}</span>
            </span>
          </span>
          <button type="button" className="btn small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        <Suspense fallback={<Spinner />}>
          <Routes path={path} />
        </Suspense>
      </main>
    </div>
  );
}

function Routes({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/chat' || path === '/' || path === '/login' || path === '/auth/callback') return <ChatScreen />;
  if ((m = match('/chat/:id', path))) return <ChatScreen threadId={m.id} />;
  if (path === '/dashboard') return <Dashboard />;
  if (path === '/data') return <DataPage />;
  if (path === '/reports') return <ReportsList />;
  if ((m = match('/reports/:id', path))) return <ReportView id={m.id!} />;
  if (path === '/reference') return <ApiReference />;
  return (
    <div className="page">
      <Empty title="Page not found">
        <p className="muted">There is nothing at {path}.</p>
        <Link className="btn primary" href="/chat">
          Go to chat
        </Link>
      </Empty>
    </div>
  );
}

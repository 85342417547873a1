// Sign in / register, Google sign-in, and (on localhost) the development sign-in.
import { useState, type FormEvent } from 'react';
import { apiUrl } from '../api';
import { useAuth } from '../auth';
import { navigate } from '../router';
import { ErrorBox } from '../ui';

const isLocal = ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);

export function Login({ initialError }: { initialError?: unknown }) {
  const { signIn } = useAuth();
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [orgName, setOrgName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError ?? null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await signIn('login', { email, password });
      else
        await signIn('register', {
          email,
          password,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(orgName.trim() ? { org_name: orgName.trim() } : {}),
        });
      navigate(location.pathname === '/login' || location.pathname === '/' || location.pathname.startsWith('/auth') ? '/chat' : location.pathname, {
        replace: true,
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const devLogin = async () => {
    setBusy(true);
    setError(null);
    try {
      await signIn('dev-login', {});
      navigate('/chat', { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <section className="auth-card">
        <div className="brand large">
          <span className="logo" aria-hidden="true">
            <svg viewBox="0 0 32 32" width="28" height="28">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <path d="M8 23 16 8l8 15" stroke="white" strokeWidth="3" fill="none" strokeLinejoin="round" />
            </svg>
          </span>
          Netra Apex
        </div>
        <p className="muted tagline">See where your LLM money and time go — and what to change.</p>

        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'login'} className={mode === 'login' ? 'active' : ''} onClick={() => setMode('login')}>
            Sign in
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'register'}
            className={mode === 'register' ? 'active' : ''}
            onClick={() => setMode('register')}
          >
            Create account
          </button>
        </div>

        <form onSubmit={(e) => void submit(e)} className="stack">
          {mode === 'register' && (
            <>
              <label>
                Your name
                <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" maxLength={100} />
              </label>
              <label>
                Organization
                <input value={orgName} onChange={(e) => setOrgName(e.target.value)} autoComplete="organization" maxLength={100} />
              </label>
            </>
          )}
          <label>
            Email
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" maxLength={254} />
          </label>
          <label>
            Password
            <input
              type="password"
              required
              minLength={mode === 'register' ? 10 : 1}
              maxLength={256}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
            />
            {mode === 'register' && <small className="muted">At least 10 characters.</small>}
          </label>
          <ErrorBox error={error} />
          <button type="submit" className="btn primary wide" disabled={busy}>
            {busy ? 'Please wait…' : mode === 'login' ? 'Sign in' : 'Create account'}
          </button>
        </form>

        <div className="divider">
          <span>or</span>
        </div>
        <a className="btn wide google" href={apiUrl('/api/auth/google/authorize')}>
          <svg viewBox="0 0 48 48" width="18" height="18" aria-hidden="true">
            <path fill="#EA4335" d="M24 9.5c3.5 0 6.6 1.2 9.1 3.6l6.8-6.8C35.8 2.4 30.2 0 24 0 14.6 0 6.6 5.4 2.6 13.3l7.9 6.1C12.4 13.7 17.7 9.5 24 9.5z" />
            <path fill="#4285F4" d="M46.1 24.5c0-1.6-.1-3.1-.4-4.5H24v9h12.4c-.5 2.9-2.2 5.3-4.6 6.9l7.3 5.7c4.3-4 7-9.8 7-17.1z" />
            <path fill="#FBBC05" d="M10.5 28.6c-.5-1.4-.8-3-.8-4.6s.3-3.2.8-4.6l-7.9-6.1C.9 16.6 0 20.2 0 24s.9 7.4 2.6 10.7l7.9-6.1z" />
            <path fill="#34A853" d="M24 48c6.5 0 11.9-2.1 15.9-5.8l-7.3-5.7c-2 1.4-4.7 2.3-8.6 2.3-6.3 0-11.6-4.2-13.5-10l-7.9 6.1C6.6 42.6 14.6 48 24 48z" />
          </svg>
          Sign in with Google
        </a>
        {isLocal && (
          <button type="button" className="btn link wide" disabled={busy} onClick={() => void devLogin()}>
            Development sign-in (local only)
          </button>
        )}
      </section>
    </main>
  );
}

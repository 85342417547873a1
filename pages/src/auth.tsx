// Session state of the app: who is signed in, bootstrapped from the stored refresh token or from the
// Google sign-in redirect (`/auth/callback#access_token=…&refresh_token=…&expires_in=…`).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, me, session, signIn, signOut, type Org, type SignedIn, type SignInBodies, type User } from './api';
import { navigate } from './router';

type AuthState =
  | { status: 'loading' }
  | { status: 'signed_out'; error?: unknown }
  | { status: 'signed_in'; user: User; org: Org }
  | { status: 'offline'; error: unknown };

interface AuthApi {
  state: AuthState;
  signIn: <K extends keyof SignInBodies>(how: K, body: SignInBodies[K]) => Promise<SignedIn>;
  signOut: () => Promise<void>;
  retry: () => void;
}

const AuthContext = createContext<AuthApi | null>(null);

function takeCallbackTokens(): { access_token: string; refresh_token: string; expires_in: number } | null {
  if (location.pathname !== '/auth/callback') return null;
  const h = new URLSearchParams(location.hash.slice(1));
  const access = h.get('access_token');
  const refresh = h.get('refresh_token');
  // Tokens must not linger in the address bar or history.
  history.replaceState(null, '', '/auth/callback');
  if (!access || !refresh) return null;
  return { access_token: access, refresh_token: refresh, expires_in: Number(h.get('expires_in') ?? 900) };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let alive = true;
    const tokens = takeCallbackTokens();
    if (tokens) session.store(tokens);
    if (!tokens && !session.hasRefreshToken()) {
      if (location.pathname === '/auth/callback') setState({ status: 'signed_out', error: new Error('Google sign-in did not return a session; try again.') });
      else setState({ status: 'signed_out' });
      return;
    }
    me().then(
      (acct) => {
        if (!alive) return;
        setState({ status: 'signed_in', user: acct.user, org: acct.org });
        if (location.pathname === '/auth/callback' || location.pathname === '/login') navigate('/chat', { replace: true });
      },
      (error: unknown) => {
        if (!alive) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) setState({ status: 'signed_out', error: attempt === 0 && !tokens ? undefined : error });
        else setState({ status: 'offline', error });
      },
    );
    return () => {
      alive = false;
    };
  }, [attempt]);

  useEffect(
    () =>
      session.subscribe((signedIn) => {
        if (!signedIn) setState({ status: 'signed_out', error: new Error('Your session ended; please sign in again.') });
      }),
    [],
  );

  const doSignIn = useCallback(async <K extends keyof SignInBodies>(how: K, body: SignInBodies[K]) => {
    const res = await signIn(how, body);
    setState({ status: 'signed_in', user: res.user, org: res.org });
    return res;
  }, []);

  const doSignOut = useCallback(async () => {
    await signOut();
    setState({ status: 'signed_out' });
    navigate('/login', { replace: true });
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((a) => a + 1);
  }, []);

  return <AuthContext.Provider value={{ state, signIn: doSignIn, signOut: doSignOut, retry }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

export function useAccount(): { user: User; org: Org } {
  const { state } = useAuth();
  if (state.status !== 'signed_in') throw new Error('useAccount while signed out');
  return { user: state.user, org: state.org };
}

// The one API client of the web app: same-origin base URL, bearer auth, a single-flight token refresh on
// 401 (refresh tokens rotate: two concurrent refreshes would revoke the session), and the error envelope
// `{error:{code,message,request_id}}` turned into a thrown ApiError whose message is shown to the user.

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: string;
}
export interface Org {
  id: string;
  name: string;
  tier: string;
}
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}
export interface SignedIn extends TokenPair {
  user: User;
  org: Org;
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId: string | null = null,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A readable message for anything thrown (ApiError, network failure, bug). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

const BASE_URL: string = (import.meta.env.VITE_API_BASE as string | undefined)?.replace(/\/$/, '') ?? '';
const REFRESH_KEY = 'netra_apex.refresh_token';

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

function readRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}
function writeRefresh(token: string | null): void {
  try {
    if (token) localStorage.setItem(REFRESH_KEY, token);
    else localStorage.removeItem(REFRESH_KEY);
  } catch {
    // storage unavailable (private mode): the session lasts as long as the tab
  }
}

export const session = {
  hasRefreshToken: (): boolean => readRefresh() !== null,
  isSignedIn: (): boolean => accessToken !== null,
  store(tokens: TokenPair): void {
    accessToken = tokens.access_token;
    writeRefresh(tokens.refresh_token);
    for (const l of listeners) l(true);
  },
  clear(): void {
    const was = accessToken !== null || readRefresh() !== null;
    accessToken = null;
    writeRefresh(null);
    if (was) for (const l of listeners) l(false);
  },
  /** Called with false when the session ends (refresh failed, sign-out). */
  subscribe(listener: (signedIn: boolean) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function apiUrl(path: string): string {
  return BASE_URL + path;
}

/** WebSocket URL on the API's host (same origin unless VITE_API_BASE says otherwise). */
export function wsUrl(path: string): string {
  const u = new URL(apiUrl(path), location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

async function toApiError(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id');
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON (proxy page, empty body)
  }
  const env = (body as { error?: { code?: unknown; message?: unknown; request_id?: unknown; details?: unknown } } | null)?.error;
  if (env && typeof env.message === 'string') {
    return new ApiError(
      typeof env.code === 'string' ? env.code : `http_${res.status}`,
      env.message,
      res.status,
      typeof env.request_id === 'string' ? env.request_id : requestId,
      env.details,
    );
  }
  const fallback =
    res.status === 404
      ? 'this feature is not available on the server yet (404)'
      : res.status >= 500
        ? `the server failed (${res.status}); try again in a moment`
        : `request failed (${res.status} ${res.statusText})`;
  return new ApiError(`http_${res.status}`, fallback, res.status, requestId);
}

async function rawFetch(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('network_error', 'cannot reach the server; check your connection', 0);
  }
}

async function doRefresh(): Promise<boolean> {
  const token = readRefresh();
  if (!token) return false;
  const res = await rawFetch(apiUrl('/api/auth/refresh'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
  if (!res.ok) {
    // Another tab may have rotated the token meanwhile: try once more with the newer one.
    const now = readRefresh();
    if (now && now !== token) return doRefresh();
    if (res.status >= 500 || res.status === 429) throw await toApiError(res); // transient: keep the session
    session.clear();
    return false;
  }
  session.store((await res.json()) as TokenPair);
  return true;
}

/** Refreshes the access token once for all concurrent callers (and across tabs when Web Locks exist). */
export function refreshAccessToken(): Promise<boolean> {
  if (!refreshing) {
    const run: Promise<boolean> =
      'locks' in navigator && navigator.locks ? navigator.locks.request('netra_apex.refresh', () => doRefresh()) : doRefresh();
    refreshing = run.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** JSON body. */
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
}

/** The API URL of `path` with the set (non-empty) query values appended. */
function urlWithQuery(path: string, query: RequestOptions['query']): string {
  const url = apiUrl(path);
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? url + (url.includes('?') ? '&' : '?') + s : url;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, body, signal, auth = true } = opts;
  const url = urlWithQuery(path, query);
  const send = (): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
    return rawFetch(url, { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined, signal });
  };
  if (auth && !accessToken && readRefresh()) await refreshAccessToken();
  let res = await send();
  if (res.status === 401 && auth && readRefresh()) {
    if (await refreshAccessToken()) res = await send();
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && auth) session.clear();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('invalid_response', 'the server sent a response that is not JSON', res.status, res.headers.get('x-request-id'));
  }
}

/** Bearer header for a request made outside `request` (uploads with progress): refreshed first if needed. */
async function authHeader(): Promise<Record<string, string>> {
  if (!accessToken && readRefresh()) await refreshAccessToken();
  return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
}

/** One XMLHttpRequest upload (fetch reports no upload progress); resolves with status, headers and body text. */
function xhrUpload(url: string, body: Blob, headers: Record<string, string>, onProgress: (sent: number, total: number) => void): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => {
      const h = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) h.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      resolve(new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: h }));
    };
    xhr.onerror = () => reject(new ApiError('network_error', 'cannot reach the server; check your connection', 0));
    xhr.send(body);
  });
}

/** A file sent as the raw request body, reporting bytes sent; same auth, refresh-on-401 and error envelope as `request`. */
export async function uploadWithProgress<T>(path: string, file: Blob, query: RequestOptions['query'], onProgress: (sent: number, total: number) => void): Promise<T> {
  const url = urlWithQuery(path, query);
  const headers = { accept: 'application/json', 'content-type': 'application/octet-stream' };
  let res = await xhrUpload(url, file, { ...headers, ...(await authHeader()) }, onProgress);
  if (res.status === 401 && readRefresh() && (await refreshAccessToken())) res = await xhrUpload(url, file, { ...headers, ...(await authHeader()) }, onProgress);
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401) session.clear();
    throw err;
  }
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>(path, { ...opts, method: 'POST', body }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body }),
  del: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/** Signs in (login / register / dev-login): stores the tokens and returns the account. */
export async function signIn(path: '/api/auth/login' | '/api/auth/register' | '/api/auth/dev-login', body: unknown): Promise<SignedIn> {
  const res = await request<SignedIn>(path, { method: 'POST', body, auth: false });
  session.store(res);
  return res;
}

export async function signOut(): Promise<void> {
  try {
    if (accessToken) await request<void>('/api/auth/logout', { method: 'POST' });
  } catch {
    // the local session ends regardless
  } finally {
    session.clear();
  }
}

export function me(): Promise<{ user: User; org: Org }> {
  return api.get('/api/auth/me');
}

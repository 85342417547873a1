// The one API client of the web app: hono/client over the Worker's `AppType` (so every request and response
// is typed from the routes' own schemas), same-origin base URL, bearer auth, a single-flight token refresh on
// 401 (refresh tokens rotate: two concurrent refreshes would revoke the session), and the error envelope
// `{error:{code,message,request_id}}` turned into a thrown ApiError whose message is shown to the user.
import { hc, type ClientResponse, type parseResponse } from 'hono/client';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { AppType } from '../../dist/apptype/workers/app';

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
  store(tokens: { access_token: string; refresh_token: string }): void {
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

async function rawFetch(url: RequestInfo | URL, init: RequestInit): Promise<Response> {
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
  session.store((await res.json()) as Body<typeof publicClient.api.auth.refresh.$post>);
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

/** Bearer header for a request: the access token, refreshed first when only a refresh token is held. */
async function authHeader(): Promise<Record<string, string>> {
  if (!accessToken && readRefresh()) await refreshAccessToken();
  return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
}

/** The fetch under the typed client: bearer auth, one refresh-and-retry on 401, non-2xx thrown as ApiError. */
async function authedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = async (): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    for (const [k, v] of Object.entries(await authHeader())) headers.set(k, v);
    return rawFetch(input, { ...init, headers });
  };
  let res = await send();
  if (res.status === 401 && readRefresh() && (await refreshAccessToken())) res = await send();
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401) session.clear();
    throw err;
  }
  return res;
}

/** The fetch of the sign-in routes: no bearer, no refresh; non-2xx thrown as ApiError. */
async function publicFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const res = await rawFetch(input, init);
  if (!res.ok) throw await toApiError(res);
  return res;
}

/** The typed API: `client.api.threads.$get({ query })` etc.; failures reject with ApiError. */
export const client = hc<AppType>(BASE_URL, { fetch: authedFetch });
const publicClient = hc<AppType>(BASE_URL, { fetch: publicFetch });

/** What a route answers on success (the body of its 2xx responses; undefined for 204). */
export type Ok<R extends ClientResponse<unknown>> = Awaited<ReturnType<typeof parseResponse<R>>>;
/** The success body of a client endpoint: `Body<typeof client.api.threads.$get>`. */
export type Body<F extends (...args: never[]) => Promise<ClientResponse<unknown>>> = Ok<Awaited<ReturnType<F>>>;

/** Awaits a typed call and parses its success body (the client's fetch has already thrown on non-2xx). */
export async function ok<R extends ClientResponse<unknown>>(call: Promise<R>): Promise<Ok<R>> {
  const res = await call;
  const text = res.status === 204 ? '' : await res.text();
  if (!text) return undefined as Ok<R>;
  try {
    return JSON.parse(text) as Ok<R>;
  } catch {
    throw new ApiError('invalid_response', 'the server sent a response that is not JSON', res.status, res.headers.get('x-request-id'));
  }
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

type ImportRoute = typeof client.api.ingest.import.$post;
/** A file import (POST /api/ingest/import) sent as the raw body, reporting bytes sent; same auth, refresh-on-401
 * and error envelope as the client. The URL comes from the typed client, so its query is the route's own. */
export async function uploadWithProgress(query: Parameters<ImportRoute>[0]['query'], file: Blob, onProgress: (sent: number, total: number) => void): Promise<Body<ImportRoute>> {
  const url = BASE_URL + client.api.ingest.import.$path({ query });
  const headers = { accept: 'application/json', 'content-type': 'application/octet-stream' };
  let res = await xhrUpload(url, file, { ...headers, ...(await authHeader()) }, onProgress);
  if (res.status === 401 && readRefresh() && (await refreshAccessToken())) res = await xhrUpload(url, file, { ...headers, ...(await authHeader()) }, onProgress);
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401) session.clear();
    throw err;
  }
  return (await res.json()) as Body<ImportRoute>;
}

export type SignedIn = Body<typeof publicClient.api.auth.login.$post>;
export type Me = Body<typeof client.api.auth.me.$get>;
export type User = Me['user'];
export type Org = Me['org'];

type AuthRoutes = typeof publicClient.api.auth;
/** The JSON body of each sign-in route, from the routes' own schemas. */
export interface SignInBodies {
  login: Parameters<AuthRoutes['login']['$post']>[0]['json'];
  register: Parameters<AuthRoutes['register']['$post']>[0]['json'];
  'dev-login': Parameters<AuthRoutes['dev-login']['$post']>[0]['json'];
}

/** Signs in (login / register / dev-login): stores the tokens and returns the account. */
export async function signIn<K extends keyof SignInBodies>(how: K, body: SignInBodies[K]): Promise<SignedIn> {
  const auth = publicClient.api.auth;
  const res =
    how === 'login'
      ? await ok(auth.login.$post({ json: body as SignInBodies['login'] }))
      : how === 'register'
        ? await ok(auth.register.$post({ json: body as SignInBodies['register'] }))
        : await ok(auth['dev-login'].$post({ json: body as SignInBodies['dev-login'] }));
  session.store(res);
  return res;
}

export async function signOut(): Promise<void> {
  try {
    if (accessToken) await ok(client.api.auth.logout.$post());
  } catch {
    // the local session ends regardless
  } finally {
    session.clear();
  }
}

export function me(): Promise<Me> {
  return ok(client.api.auth.me.$get());
}

type ReportRoute = (typeof client.api.reports)[':id']['$get'];
/** A stored report as JSON (the route also answers markdown; the app reads the JSON form). */
export type Report = Extract<Body<ReportRoute>, { markdown: string }>;

export async function fetchReport(id: string, signal?: AbortSignal): Promise<Report> {
  const r = await ok(client.api.reports[':id'].$get({ param: { id }, query: {} }, { init: { signal } }));
  if (typeof r !== 'object' || r instanceof Response) throw new ApiError('invalid_response', 'the report came back in another format than JSON', 200);
  return r;
}

/** GET /api/openapi.json: served from the build's static document, so it is not a route of `AppType`. */
export async function fetchOpenApiDocument(signal?: AbortSignal): Promise<OpenAPIObject> {
  return (await publicFetch(apiUrl('/api/openapi.json'), { signal })).json() as Promise<OpenAPIObject>;
}

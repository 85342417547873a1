// /api/auth: email + password accounts, token refresh and logout, the current identity, Google sign-in,
// and dev-login (ENVIRONMENT "development" only; 404 everywhere else).
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { accountForGoogle, createOrgWithOwner, findAccountByEmail, findAccountById, orgSchema, publicOrg, publicUser, userSchema, type Account } from '../auth/accounts';
import { authorizationUrl, completeSignIn } from '../auth/google';
import { requireUser, userClaims } from '../auth/middleware';
import { hashPassword, verifyPassword } from '../auth/password';
import { clientIp, countFailure, enforceRateLimit, ensureFailuresLeft, LOGIN_RULE, REGISTER_RULE } from '../auth/ratelimit';
import { sha256Hex } from '../auth/secrets';
import { refreshSession, revokeSession, startSession, tokenPairSchema } from '../auth/sessions';
import { ApiError } from '../lib/errors';
import { contractRouter, errorsFor, json, jsonBody, userSecurity, undocumented, routeGroup } from '../lib/openapi';
import type { AppEnv } from '../lib/services';

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email('not a valid email address'));
export const newPassword = z.string().min(10, 'password must be at least 10 characters').max(256);
const displayName = z.string().trim().min(1).max(100);

const registerBody = z
  .object({
    email,
    password: newPassword,
    name: displayName.optional(),
    org_name: displayName.optional(),
  })
  .strict();
const loginBody = z.object({ email, password: z.string().min(1).max(256) }).strict();
const refreshBody = z.object({ refresh_token: z.string().min(1).max(200) }).strict();
const devLoginBody = z.object({ email: email.optional() }).strict();
const callbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().regex(/^[\w.-]{1,64}$/).optional(),
});

const GOOGLE_CALLBACK_PATH = '/api/auth/google/callback';
/** Where the web app picks up the tokens of a Google sign-in (URL fragment: never sent to a server). */
const WEB_SIGNED_IN_PATH = '/auth/callback';
const DEV_LOGIN_EMAIL = 'dev@netra.local';

/** A signed-in answer: who, which org, and the session's tokens. */
export const signedInSchema = OPENAPI_DOCUMENT ? z.object({ user: userSchema, org: orgSchema }).extend(tokenPairSchema.shape) : undocumented;
const identitySchema = OPENAPI_DOCUMENT ? z.object({ user: userSchema, org: orgSchema }) : undocumented;

async function signedIn(c: Context<AppEnv>, account: Account): Promise<z.infer<typeof signedInSchema>> {
  const tokens = await startSession(c.get('services'), c.env, account);
  return { user: publicUser(account.user), org: publicOrg(account.org), ...tokens };
}


const developmentOnly: MiddlewareHandler<AppEnv> = async (c, next) => (c.env.ENVIRONMENT === 'development' ? next() : c.notFound());

const route = routeGroup(OPENAPI_DOCUMENT ? { tags: ['auth'] } : undocumented);
const routes = {
  register: route({
    method: 'post',
    path: '/register',
    request: { body: jsonBody(registerBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Create an account with a new org (you are its owner) and sign in',
      responses: { 201: json(signedInSchema, 'Signed in'), ...errorsFor(400, 409, 413, 429) },
    } : undocumented),
  }),
  login: route({
    method: 'post',
    path: '/login',
    request: { body: jsonBody(loginBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Sign in with email and password',
      responses: { 200: json(signedInSchema, 'Signed in'), ...errorsFor(400, 401, 429) },
    } : undocumented),
  }),
  refresh: route({
    method: 'post',
    path: '/refresh',
    request: { body: jsonBody(refreshBody) },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Rotate a refresh token (reusing a spent one revokes the session)',
      responses: { 200: json(tokenPairSchema, 'A new token pair of the same session'), ...errorsFor(400, 401) },
    } : undocumented),
  }),
  logout: route({
    method: 'post',
    path: '/logout',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'End this session (its access and refresh tokens)',
      security: userSecurity,
      responses: { 204: { description: 'Signed out' }, ...errorsFor(401) },
    } : undocumented),
  }),
  me: route({
    method: 'get',
    path: '/me',
    middleware: [requireUser()] as const,
    ...(OPENAPI_DOCUMENT ? {
      summary: 'The signed-in user and their org',
      security: userSecurity,
      responses: { 200: json(identitySchema, 'The caller'), ...errorsFor(401) },
    } : undocumented),
  }),
  googleAuthorize: route({
    method: 'get',
    path: '/google/authorize',
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Start Google sign-in (PKCE): redirects to Google',
      responses: { 302: { description: 'Redirect to Google' } },
    } : undocumented),
  }),
  googleCallback: route({
    method: 'get',
    path: '/google/callback',
    request: { query: callbackQuery },
    ...(OPENAPI_DOCUMENT ? {
      summary: "Google's redirect back: signs in and redirects to the web app with the tokens in the URL fragment",
      responses: { 302: { description: 'Redirect to the web app' }, ...errorsFor(400, 401, 409) },
    } : undocumented),
  }),
  devLogin: route({
    method: 'post',
    path: '/dev-login',
    // Before the body is read: outside development the route answers 404 whatever is sent.
    middleware: [developmentOnly] as const,
    request: { body: { content: { 'application/json': { schema: devLoginBody } } } },
    ...(OPENAPI_DOCUMENT ? {
      summary: 'Development only (ENVIRONMENT=development): sign in as a local account; 404 everywhere else',
      responses: { 200: json(signedInSchema, 'Signed in'), ...errorsFor(404) },
    } : undocumented),
  }),
};

export const auth = contractRouter()
  .openapi(routes.register, async (c) => {
    const body = c.req.valid('json');
    await enforceRateLimit(c, REGISTER_RULE, clientIp(c));
    const account = await createOrgWithOwner(c.get('services').db(), {
      email: body.email,
      name: body.name,
      org_name: body.org_name,
      password_hash: await hashPassword(body.password),
      email_verified: false,
    });
    return c.json(await signedIn(c, account), 201);
  })
  .openapi(routes.login, async (c) => {
    const body = c.req.valid('json');
    const attempt = await sha256Hex(`${body.email}|${clientIp(c)}`);
    await ensureFailuresLeft(c, LOGIN_RULE, attempt);
    const account = await findAccountByEmail(c.get('services').db(), body.email);
    // verifyPassword does the full hash work even without an account: timing does not reveal which emails exist.
    const ok = await verifyPassword(body.password, account?.user.password_hash ?? null);
    if (!account || !ok) {
      await countFailure(c, LOGIN_RULE, attempt);
      throw new ApiError('unauthorized', 'email or password is incorrect');
    }
    return c.json(await signedIn(c, account), 200);
  })
  .openapi(routes.refresh, async (c) => c.json(await refreshSession(c.get('services'), c.env, c.req.valid('json').refresh_token), 200))
  .openapi(routes.logout, async (c) => {
    const claims = await userClaims(c);
    await revokeSession(c.get('services'), claims.sid, 'logout');
    return c.body(null, 204);
  })
  .openapi(routes.me, async (c) => {
    const account = await findAccountById(c.get('services').db(), c.get('auth').user_id!);
    if (!account) throw new ApiError('unauthorized', 'this account no longer exists');
    return c.json({ user: publicUser(account.user), org: publicOrg(account.org) }, 200);
  })
  .openapi(routes.googleAuthorize, async (c) => {
    const redirectUri = new URL(GOOGLE_CALLBACK_PATH, c.req.url).toString();
    return c.redirect(await authorizationUrl(c.get('services'), c.env, redirectUri), 302);
  })
  .openapi(routes.googleCallback, async (c) => {
    const q = c.req.valid('query');
    if (q.error) throw new ApiError('unauthorized', `Google sign-in did not complete (${q.error})`);
    if (!q.code || !q.state) throw new ApiError('invalid_request', 'code and state are required');
    const identity = await completeSignIn(c.get('services'), c.env, q.code, q.state);
    const account = await accountForGoogle(c.get('services').db(), identity);
    const tokens = await startSession(c.get('services'), c.env, account);
    const target = new URL(WEB_SIGNED_IN_PATH, c.req.url);
    target.hash = new URLSearchParams({ ...tokens, expires_in: String(tokens.expires_in) }).toString();
    return c.redirect(target.toString(), 302);
  })
  .openapi(routes.devLogin, async (c) => {
    const body = c.req.valid('json');
    const db = c.get('services').db();
    const address = body.email ?? DEV_LOGIN_EMAIL;
    const account =
      (await findAccountByEmail(db, address)) ??
      (await createOrgWithOwner(db, { email: address, name: 'Developer', password_hash: null, email_verified: true }));
    return c.json(await signedIn(c, account), 200);
  });

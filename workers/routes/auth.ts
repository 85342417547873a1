// /api/auth: email + password accounts, token refresh and logout, the current identity, Google sign-in,
// and dev-login (ENVIRONMENT "development" only; 404 everywhere else).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { accountForGoogle, createOrgWithOwner, findAccountByEmail, findAccountById, publicOrg, publicUser, type Account } from '../auth/accounts';
import { authorizationUrl, completeSignIn } from '../auth/google';
import { requireUser, userClaims } from '../auth/middleware';
import { hashPassword, verifyPassword } from '../auth/password';
import { clientIp, countFailure, enforceRateLimit, ensureFailuresLeft, LOGIN_RULE, REGISTER_RULE } from '../auth/ratelimit';
import { sha256Hex } from '../auth/secrets';
import { refreshSession, revokeSession, startSession } from '../auth/sessions';
import { jsonBody, queryParams } from '../lib/body';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/services';

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('not a valid email address'));
const displayName = z.string().trim().min(1).max(100);

const registerBody = z
  .object({
    email,
    password: z.string().min(10, 'password must be at least 10 characters').max(256),
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

async function signedIn(c: Context<AppEnv>, account: Account) {
  const tokens = await startSession(c.get('services'), c.env, account);
  return { user: publicUser(account.user), org: publicOrg(account.org), ...tokens };
}

export const auth = new Hono<AppEnv>()
  .post('/register', async (c) => {
    const body = await jsonBody(c, registerBody);
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
  .post('/login', async (c) => {
    const body = await jsonBody(c, loginBody);
    const attempt = await sha256Hex(`${body.email}|${clientIp(c)}`);
    await ensureFailuresLeft(c, LOGIN_RULE, attempt);
    const account = await findAccountByEmail(c.get('services').db(), body.email);
    // verifyPassword does the full hash work even without an account: timing does not reveal which emails exist.
    const ok = await verifyPassword(body.password, account?.user.password_hash ?? null);
    if (!account || !ok) {
      await countFailure(c, LOGIN_RULE, attempt);
      throw new ApiError('unauthorized', 'email or password is incorrect');
    }
    return c.json(await signedIn(c, account));
  })
  .post('/refresh', async (c) => {
    const body = await jsonBody(c, refreshBody);
    return c.json(await refreshSession(c.get('services'), c.env, body.refresh_token));
  })
  .post('/logout', async (c) => {
    const claims = await userClaims(c);
    await revokeSession(c.get('services'), claims.sid, 'logout');
    return c.body(null, 204);
  })
  .get('/me', requireUser(), async (c) => {
    const account = await findAccountById(c.get('services').db(), c.get('auth').user_id!);
    if (!account) throw new ApiError('unauthorized', 'this account no longer exists');
    return c.json({ user: publicUser(account.user), org: publicOrg(account.org) });
  })
  .get('/google/authorize', async (c) => {
    const redirectUri = new URL(GOOGLE_CALLBACK_PATH, c.req.url).toString();
    return c.redirect(await authorizationUrl(c.get('services'), c.env, redirectUri), 302);
  })
  .get('/google/callback', async (c) => {
    const q = queryParams(c, callbackQuery);
    if (q.error) throw new ApiError('unauthorized', `Google sign-in did not complete (${q.error})`);
    if (!q.code || !q.state) throw new ApiError('invalid_request', 'code and state are required');
    const identity = await completeSignIn(c.get('services'), c.env, q.code, q.state);
    const account = await accountForGoogle(c.get('services').db(), identity);
    const tokens = await startSession(c.get('services'), c.env, account);
    const target = new URL(WEB_SIGNED_IN_PATH, c.req.url);
    target.hash = new URLSearchParams({ ...tokens, expires_in: String(tokens.expires_in) }).toString();
    return c.redirect(target.toString(), 302);
  })
  .post('/dev-login', async (c) => {
    if (c.env.ENVIRONMENT !== 'development') return c.notFound();
    const body = await jsonBody(c, devLoginBody);
    const db = c.get('services').db();
    const address = body.email ?? DEV_LOGIN_EMAIL;
    const account =
      (await findAccountByEmail(db, address)) ??
      (await createOrgWithOwner(db, { email: address, name: 'Developer', password_hash: null, email_verified: true }));
    return c.json(await signedIn(c, account));
  });

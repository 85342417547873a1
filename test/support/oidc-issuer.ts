// A local OpenID Connect issuer for the workers tests, speaking the same protocol as Google's:
// discovery, /authorize (redirects straight back with a code), /token (client secret + PKCE S256), /jwks.
// ID tokens are RS256, signed with a key generated at start. Query parameters on /authorize stand in for
// the account the user picks (login_hint, sub, email_verified, name) and for a hostile or broken issuer
// (tamper=aud|iss|nonce|expired|foreign_key).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface OidcIssuerOptions {
  clientId: string;
  clientSecret: string;
}

export interface OidcIssuer {
  url: string;
  stop(): Promise<void>;
}

type Tamper = 'aud' | 'iss' | 'nonce' | 'expired' | 'foreign_key';

interface Grant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string | undefined;
  tamper: Tamper | undefined;
}

const KID = 'test-key-1';
const b64url = (buf: Buffer) => buf.toString('base64url');

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startOidcIssuer(opts: OidcIssuerOptions): Promise<OidcIssuer> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  let issuer = '';

  async function idToken(g: Grant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const key = g.tamper === 'foreign_key' ? foreign.privateKey : signing.privateKey;
    return new SignJWT({
      email: g.email,
      email_verified: g.emailVerified,
      ...(g.name ? { name: g.name } : {}),
      nonce: g.tamper === 'nonce' ? 'not-the-nonce' : g.nonce,
    })
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
      .setIssuer(g.tamper === 'iss' ? 'https://issuer.evil.example' : issuer)
      .setAudience(g.tamper === 'aud' ? 'another-client' : g.clientId)
      .setSubject(g.sub)
      .setIssuedAt(g.tamper === 'expired' ? now - 7200 : now)
      .setExpirationTime(g.tamper === 'expired' ? now - 3600 : now + 3600)
      .sign(key);
  }

  function authorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const email = p.get('login_hint');
    const redirectUri = p.get('redirect_uri');
    if (p.get('client_id') !== opts.clientId || !redirectUri || !email) return send(res, 400, { error: 'invalid_request' });
    if (p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge') || !p.get('state') || !p.get('nonce')) {
      return send(res, 400, { error: 'invalid_request', error_description: 'code flow with state, nonce and PKCE S256 required' });
    }
    const code = b64url(randomBytes(24));
    grants.set(code, {
      clientId: opts.clientId,
      redirectUri,
      codeChallenge: p.get('code_challenge')!,
      nonce: p.get('nonce')!,
      sub: p.get('sub') ?? `google-${createHash('sha256').update(email).digest('hex').slice(0, 20)}`,
      email,
      emailVerified: p.get('email_verified') !== 'false',
      name: p.get('name') ?? undefined,
      tamper: (p.get('tamper') as Tamper | null) ?? undefined,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state')!);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) return send(res, 401, { error: 'invalid_client' });
    const code = form.get('code') ?? '';
    const grant = grants.get(code);
    grants.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== form.get('redirect_uri') || challenge !== grant.codeChallenge) {
      return send(res, 400, { error: 'invalid_grant' });
    }
    send(res, 200, { access_token: b64url(randomBytes(24)), token_type: 'Bearer', expires_in: 3600, scope: 'openid email profile', id_token: await idToken(grant) });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = `${req.method} ${url.pathname}`;
    const done = (p: Promise<void> | void) => Promise.resolve(p).catch((err: unknown) => send(res, 500, { error: 'server_error', error_description: String(err) }));
    if (route === 'GET /.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (route === 'GET /jwks') return send(res, 200, { keys: [publicJwk] });
    if (route === 'GET /authorize') return done(authorize(url, res));
    if (route === 'POST /token') return done(token(req, res));
    send(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  issuer = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url: issuer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

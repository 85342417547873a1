// WebSocket entry: `GET /ws?token=…&thread_id=…` (the seeds' form) or `GET /ws?ticket=…&thread_id=…` with a
// single-use ticket from `POST /api/ws/ticket`, so long-lived tokens stay out of URLs. The Worker verifies the
// caller, that they are a member of the thread's org now (Postgres: a ticket issued before a removal is
// refused), and records the socket in the user's index (workers/lib/thread-agents.ts) so that the end of
// their membership closes it; then it hands the upgrade to the thread's DO with the verified identity only
// (never the raw token). Query strings are never logged (workers/middleware/request-context.ts).
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { IDENTITY_HEADERS } from '../../durable-objects/identity';
import { requireUser, verifyUserToken } from '../auth/middleware';
import { randomSecret, sha256Hex } from '../auth/secrets';
import { ApiError } from '../lib/errors';
import { contractRouter, contractRouterWith, errorsFor, json, jsonBody, userSecurity, undocumented } from '../lib/openapi';
import type { Auth, Services, Tier } from '../lib/services';
import { noteThreadSocket, threadAgent } from '../lib/thread-agents';
import { currentRole } from '../orgs/membership';
import { findOrgThread } from './threads';

export const TICKET_TTL_S = 60;

const ticketRequest = z.object({ thread_id: z.string().min(1).max(100) }).strict();
const wsQuery = z.object({ thread_id: z.string().min(1).max(100), token: z.string().max(4096).optional(), ticket: z.string().max(200).optional() });

const ticketKey = async (ticket: string) => `ws:ticket:${await sha256Hex(ticket)}`;

interface Caller {
  user_id: string;
  org_id: string;
  tier: Tier;
  role: Auth['role'];
}

interface TicketClaims extends Caller {
  thread_id: string;
}

const ticketRoute = createRoute({
  method: 'post',
  path: '/ticket',
  request: { body: jsonBody(ticketRequest) },
  ...(OPENAPI_DOCUMENT ? {
    tags: ['live agent'],
    security: userSecurity,
    summary: `A single-use ticket (${TICKET_TTL_S} s) to open GET /ws for one of the caller's threads`,
    responses: {
      200: json(z.object({ ticket: z.string(), expires_in: z.number(), thread_id: z.string() }), 'The ticket'),
      ...errorsFor(400, 401, 404, 415, 429, 503),
    },
  } : undocumented),
});

// Query fields as the route documents them; the handler checks them itself (a bad or missing credential is a 401).
const wsQueryDoc = z.object({
  thread_id: z.string().optional().describe("one of the caller's threads"),
  ticket: z.string().optional().describe('from POST /api/ws/ticket'),
  token: z.string().optional().describe('an access token (prefer a ticket: URLs end up in logs)'),
});
const wsUpgradeRoute = createRoute({
  method: 'get',
  path: '/ws',
  request: { query: wsQueryDoc },
  ...(OPENAPI_DOCUMENT ? {
    tags: ['live agent'],
    summary: 'The live agent of a thread over a WebSocket (protocol in protocol/messages.ts); needs Upgrade: websocket',
    responses: { 101: { description: 'Switching protocols' }, ...errorsFor(400, 401, 404, 503) },
  } : undocumented),
});

export const wsTicketRoutes = contractRouter(requireUser()).openapi(ticketRoute, async (c) => {
  const { thread_id } = c.req.valid('json');
  const auth = c.get('auth');
  await findOrgThread(c.get('services').db(), auth, thread_id);
  const ticket = randomSecret(24);
  const claims: TicketClaims = { user_id: auth.user_id!, org_id: auth.org_id, tier: auth.tier, role: auth.role, thread_id };
  try {
    await c.get('services').redis().set(await ticketKey(ticket), JSON.stringify(claims), { ex: TICKET_TTL_S });
  } catch {
    throw new ApiError('dependency_unavailable', 'cannot issue a ticket right now; connect with ?token= or retry');
  }
  return c.json({ ticket, expires_in: TICKET_TTL_S, thread_id }, 200);
});

/** Redeems a ticket once (GETDEL): a replayed ticket is refused. */
async function redeemTicket(services: Services, ticket: string): Promise<TicketClaims | null> {
  try {
    const raw = await services.redis().getdel<TicketClaims | string>(await ticketKey(ticket));
    if (!raw) return null;
    return typeof raw === 'string' ? (JSON.parse(raw) as TicketClaims) : raw;
  } catch {
    throw new ApiError('dependency_unavailable', 'cannot check the ticket right now; retry');
  }
}

// Mounted at `/`: no router-wide middleware.
export const wsRoute = contractRouterWith({ bodyLimit: null }).openapi(wsUpgradeRoute, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('invalid_request', 'this endpoint expects a WebSocket upgrade', undefined, { Upgrade: 'websocket' });
  const parsed = wsQuery.safeParse(c.req.query());
  if (!parsed.success || (!parsed.data.token && !parsed.data.ticket)) throw new ApiError('unauthorized', 'pass thread_id and either token or ticket');
  const { thread_id, token, ticket } = parsed.data;

  let caller: Caller;
  if (ticket) {
    const claims = await redeemTicket(c.get('services'), ticket);
    if (!claims || claims.thread_id !== thread_id) throw new ApiError('unauthorized', 'ticket is invalid, expired or already used');
    caller = claims;
  } else {
    const claims = await verifyUserToken(c, token!);
    caller = { user_id: claims.sub, org_id: claims.org, tier: claims.tier, role: claims.role };
  }
  const db = c.get('services').db();
  const [role] = await Promise.all([currentRole(db, caller.user_id, caller.org_id), findOrgThread(db, caller, thread_id)]);
  if (!role) throw new ApiError('unauthorized', 'you are no longer a member of this organization; sign in again');
  try {
    await noteThreadSocket(c.get('services'), caller.user_id, thread_id);
  } catch {
    throw new ApiError('dependency_unavailable', 'cannot open a live connection right now; retry');
  }

  const headers = new Headers({ upgrade: 'websocket' });
  headers.set(IDENTITY_HEADERS.user, caller.user_id);
  headers.set(IDENTITY_HEADERS.org, caller.org_id);
  headers.set(IDENTITY_HEADERS.thread, thread_id);
  headers.set(IDENTITY_HEADERS.tier, caller.tier);
  for (const h of ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions']) {
    const v = c.req.header(h);
    if (v) headers.set(h, v);
  }
  return threadAgent(c.env, thread_id).fetch(new Request('https://thread-agent/ws', { headers }));
});

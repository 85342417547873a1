// /api/operator: what only we do for customers, guarded by the OPERATOR_TOKEN secret (workers/orgs/operator.ts):
// set any org's tier, Enterprise included. Audited like an owner's tier change, with no user as actor.
import { Hono } from 'hono';
import { z } from 'zod';
import { publicOrg } from '../auth/accounts';
import { TIERS } from '../auth/tiers';
import { jsonBody } from '../lib/body';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../lib/ids';
import type { AppEnv } from '../lib/services';
import { changeTier } from '../orgs/members';
import { requireOperator } from '../orgs/operator';

const tierBody = z.object({ tier: z.enum(TIERS) }).strict();

export const operatorRoutes = new Hono<AppEnv>().use('*', requireOperator()).put('/orgs/:id/tier', async (c) => {
  const id = c.req.param('id');
  if (!hasPrefix(id, 'org')) throw new ApiError('not_found', 'organization not found');
  const { tier } = await jsonBody(c, tierBody);
  return c.json({ org: publicOrg(await changeTier(c.get('services').db(), id, tier, null)) });
});

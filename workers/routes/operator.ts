// /api/operator: what only we do for customers, guarded by the OPERATOR_TOKEN secret (workers/orgs/operator.ts):
// set any org's tier, Enterprise included. Audited like an owner's tier change, with no user as actor.
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { orgSchema, publicOrg } from '../auth/accounts';
import { ApiError } from '../lib/errors';
import { hasPrefix } from '../../common/ids';
import { contractRouter, errorsFor, idParam, json, jsonBody, undocumented } from '../lib/openapi';
import { changeTier } from '../orgs/members';
import { requireOperator } from '../orgs/operator';
import { tierBody } from './orgs';

const setTier = createRoute({
  method: 'put',
  path: '/orgs/{id}/tier',
  request: { params: idParam('org'), body: jsonBody(tierBody) },
  ...(OPENAPI_DOCUMENT ? {
    tags: ['operator'],
    summary: "Set any org's tier, Enterprise included (Authorization: Bearer <OPERATOR_TOKEN>; 404 when the secret is not configured)",
    security: [{ operator: [] }],
    responses: { 200: json(z.object({ org: orgSchema }), 'The org on its new tier'), ...errorsFor(400, 401, 403, 404) },
  } : undocumented),
});

export const operatorRoutes = contractRouter(requireOperator()).openapi(setTier, async (c) => {
  const { id } = c.req.valid('param');
  if (!hasPrefix(id, 'org')) throw new ApiError('not_found', 'organization not found');
  return c.json({ org: publicOrg(await changeTier(c.get('services').db(), id, c.req.valid('json').tier, null)) }, 200);
});

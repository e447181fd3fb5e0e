import { Hono } from 'hono';
import { z } from 'zod';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { AppError } from '../../core/errors.js';
import { requireRole } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { parseBody, parseParam } from '../validation.js';
import * as tenants from '../../core/tenants/service.js';

const createBody = z.object({ name: z.string().trim().min(1, 'is required').max(100), role: z.enum(['owner', 'admin', 'viewer']) }).strict();

export const tokenOperations: Operation[] = [
  { method: 'get', path: '/tokens', summary: "List the tenant's API tokens (never the tokens themselves)", role: 'admin', responses: { 200: 'Tokens' } },
  { method: 'post', path: '/tokens', summary: 'Create an API token; it is shown once', role: 'admin', body: createBody, responses: { 201: '{ token, ... }' } },
  { method: 'delete', path: '/tokens/{id}', summary: 'Revoke an API token (one whose role is at most your own)', role: 'admin', responses: { 204: 'Revoked', 403: "The token's role is above yours", 404: 'Not found' } },
];

export function tokenRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireRole('admin'))
    .get('/', async (c) => c.json({ data: (await tenants.listTokens(deps.db, c.get('principal').tenantId)).map(tenants.presentToken) }))
    .post('/', async (c) => {
      const body = await parseBody(c, createBody);
      const { role } = c.get('principal');
      // Nobody hands out more than they have.
      if (tenants.roleRank[body.role] > tenants.roleRank[role]) throw new AppError('forbidden', `You cannot create a token with more rights (${body.role}) than your own (${role}).`);
      const acting = actingFrom(c);
      const created = await tenants.createToken(deps.db, acting.tenantId, body.name, body.role, acting);
      return c.json({ ...tenants.presentToken(created.row), token: created.token }, 201);
    })
    .delete('/:id', async (c) => {
      const acting = actingFrom(c);
      await tenants.revokeToken(deps.db, acting.tenantId, parseParam(c.req.param('id'), z.uuid(), 'Token'), { role: c.get('principal').role, actor: acting.actor, requestId: acting.requestId });
      return c.body(null, 204);
    });
}

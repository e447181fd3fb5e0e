import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { AppError } from '../../core/errors.js';
import { requireAuth, requireRole, SESSION_COOKIE } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { parseBody, parseParam } from '../validation.js';
import * as accounts from '../../core/accounts/service.js';

const signInBody = z.object({ email: z.email('must be an email address'), password: z.string().min(1, 'is required').max(1000), tenant: z.string().max(40).optional() }).strict();
const memberBody = z
  .object({
    email: z.email('must be an email address'),
    name: z.string().trim().min(1).max(100).optional(),
    password: z.string().min(12, 'must be at least 12 characters').max(1000).optional(),
    role: z.enum(['owner', 'admin', 'viewer']),
  })
  .strict();

export const accountOperations: Operation[] = [
  { method: 'post', path: '/auth/sign-in', summary: 'Sign in with email and password: sets the HttpOnly session cookie, returns the CSRF token', role: 'public', body: signInBody, responses: { 200: 'Signed in', 401: 'Wrong email or password' } },
  { method: 'post', path: '/auth/sign-out', summary: 'End the browser session', role: 'public', responses: { 204: 'Signed out' } },
  { method: 'get', path: '/auth/session', summary: 'Who is signed in, for which tenant and role', role: 'viewer', responses: { 200: 'The session' } },
  { method: 'get', path: '/members', summary: "The tenant's members and their roles", role: 'admin', responses: { 200: 'Members' } },
  { method: 'post', path: '/members', summary: 'Add a member (creating the account when the email is new)', role: 'owner', body: memberBody, responses: { 201: 'Added', 409: 'Already a member' } },
  { method: 'delete', path: '/members/{id}', summary: 'Remove a member (not the last owner)', role: 'owner', responses: { 204: 'Removed', 404: 'Not found', 409: 'Last owner' } },
];

export function authRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/sign-in', async (c) => {
      const body = await parseBody(c, signInBody);
      const session = await accounts.signIn(deps.db, body);
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: session.maxAgeSeconds,
      });
      return c.json({
        user: { id: session.user.id, email: session.user.email, name: session.user.name },
        tenant: { id: session.tenant.tenantId, slug: session.tenant.slug, name: session.tenant.name },
        role: session.tenant.role,
        csrf_token: session.csrfToken,
        tenants: session.tenants.map((t) => ({ slug: t.slug, name: t.name, role: t.role })),
      });
    })
    .post('/sign-out', async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await accounts.signOut(deps.db, token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    })
    .get('/session', requireAuth(deps.db), (c) => {
      const p = c.get('principal');
      return c.json({ tenant: { id: p.tenantId, slug: p.tenantSlug }, role: p.role, actor: p.actor, via: p.via });
    });
}

export function memberRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', requireRole('admin'), async (c) => {
      const rows = await accounts.listMembers(deps.db, c.get('principal').tenantId);
      return c.json({ data: rows.map((m) => ({ id: m.id, email: m.email, name: m.name, role: m.role, since: m.since.toISOString() })) });
    })
    .post('/', requireRole('owner'), async (c) => {
      const body = await parseBody(c, memberBody);
      const acting = actingFrom(c);
      const added = await accounts.addMember(deps.db, { ...body, tenantId: acting.tenantId, actor: acting.actor, requestId: acting.requestId });
      return c.json({ id: added.user.id, email: added.user.email, name: added.user.name, role: added.role }, 201);
    })
    .delete('/:id', requireRole('owner'), async (c) => {
      const acting = actingFrom(c);
      const userId = parseParam(c.req.param('id'), z.uuid(), 'Member');
      if (acting.actor.type === 'user' && acting.actor.id === userId) throw new AppError('conflict', 'You cannot remove yourself; ask another owner.');
      await accounts.removeMember(deps.db, acting.tenantId, userId, acting.actor, acting.requestId);
      return c.body(null, 204);
    });
}

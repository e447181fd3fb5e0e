import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { actingFrom } from '../acting.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { AppError } from '../../core/errors.js';
import { clientAddress, requestIsHttps } from '../middleware/client.js';
import { requireAuth, requireRole, SESSION_COOKIE } from '../middleware/auth.js';
import type { Operation } from '../openapi.js';
import { parseBody, parseParam } from '../validation.js';
import * as accounts from '../../core/accounts/service.js';
import { csrfMatches, csrfTokenFor } from '../../core/accounts/csrf.js';
import * as invitations from '../../core/accounts/invitations.js';
import { createSignInLimiter } from '../../core/accounts/sign-in-limit.js';

const signInBody = z.object({ email: z.email('must be an email address').max(320), password: z.string().min(1, 'is required').max(1000), tenant: z.string().max(40).optional() }).strict();
const switchBody = z.object({ tenant: z.string().min(1, 'is required').max(40).describe("The slug of one of your tenants (GET /auth/session lists them as `tenants`)") }).strict();
const inviteBody = z.object({ email: z.email('must be an email address').max(320), role: z.enum(['owner', 'admin', 'viewer']) }).strict();
const acceptBody = z
  .object({
    token: z.string().min(1, 'is required').max(200),
    password: z.string().min(1, 'is required').max(1000).describe(`A new account's password (at least ${invitations.MIN_PASSWORD_LENGTH} characters), or an existing account's current one`),
    name: z.string().trim().min(1).max(100).optional().describe('Your name, for a new account'),
  })
  .strict();

export const accountOperations: Operation[] = [
  { method: 'post', path: '/auth/sign-in', summary: 'Sign in with email and password: sets the HttpOnly session cookie, returns the CSRF token', role: 'public', body: signInBody, responses: { 200: 'Signed in', 401: 'Wrong email or password', 429: 'Too many attempts (see Retry-After)' } },
  {
    method: 'post',
    path: '/auth/accept-invitation',
    summary: "Accept an invitation with its token: a new email sets its own password, a known one gives its current password. Signs in like /auth/sign-in",
    role: 'public',
    body: acceptBody,
    responses: { 200: 'Joined and signed in', 401: "Not the existing account's password", 409: 'Already a member', 410: 'Invitation used, withdrawn or expired', 429: 'Too many attempts (see Retry-After)' },
  },
  { method: 'post', path: '/auth/sign-out', summary: 'End the browser session (a cookie request sends X-CSRF-Token)', role: 'public', responses: { 204: 'Signed out', 403: 'Missing CSRF token' } },
  {
    method: 'get',
    path: '/auth/session',
    summary: "Who is signed in, for which tenant and role. A browser session also gets its CSRF token (`csrf_token`, to send as X-CSRF-Token; the same one sign-in returned), so another tab or a reload can make changes; it is null for an API token, which needs none",
    role: 'viewer',
    responses: { 200: "{ tenant, role, actor, via, csrf_token, tenants: [{ slug, name, role }] }: `tenants` lists a browser session's memberships; an API token has only its own tenant" },
  },
  {
    method: 'post',
    path: '/auth/switch-tenant',
    summary: 'Move this browser session to another of your tenants: a new session cookie and CSRF token (answered like /auth/sign-in), and the old session ends. Browser sessions only (send X-CSRF-Token)',
    role: 'viewer',
    body: switchBody,
    responses: { 200: 'Switched: { user, tenant, role, csrf_token, tenants }', 403: 'An API token (a token belongs to one tenant), or a missing CSRF token', 404: 'You are not a member of that tenant (whether or not it exists)' },
  },
  { method: 'get', path: '/members', summary: "The tenant's members and their roles", role: 'admin', responses: { 200: 'Members' } },
  {
    method: 'post',
    path: '/members',
    summary: 'Invite someone: returns a single-use token (shown once, valid 7 days) and the accept path to hand them. The answer is the same whether or not the email has an account',
    role: 'owner',
    body: inviteBody,
    responses: { 201: '{ id, email, role, expires_at, token, accept_path }', 409: 'Already a member' },
  },
  { method: 'get', path: '/members/invitations', summary: 'Open invitations (never their tokens)', role: 'owner', responses: { 200: 'Invitations' } },
  { method: 'delete', path: '/members/invitations/{id}', summary: 'Withdraw an open invitation: its token stops working', role: 'owner', responses: { 204: 'Withdrawn', 404: 'Not found' } },
  { method: 'delete', path: '/members/{id}', summary: 'Remove a member (not the last owner)', role: 'owner', responses: { 204: 'Removed', 404: 'Not found', 409: 'Last owner' } },
];

function setSessionCookie(c: Context, deps: AppDeps, session: { token: string; maxAgeSeconds: number }) {
  setCookie(c, SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'Lax', path: '/', secure: requestIsHttps(c, deps.trustProxy ?? false), maxAge: session.maxAgeSeconds });
}

/** What sign-in and a tenant switch answer: who, where, and the new session's CSRF token. */
function signedIn(session: Pick<Awaited<ReturnType<typeof accounts.signIn>>, 'user' | 'tenant' | 'tenants' | 'csrfToken'>) {
  return {
    user: { id: session.user.id, email: session.user.email, name: session.user.name },
    tenant: { id: session.tenant.tenantId, slug: session.tenant.slug, name: session.tenant.name },
    role: session.tenant.role,
    csrf_token: session.csrfToken,
    tenants: session.tenants.map((t) => ({ slug: t.slug, name: t.name, role: t.role })),
  };
}

export function authRoutes(deps: AppDeps) {
  const limiter = createSignInLimiter(deps.redis, deps.queuePrefix, deps.signInLimits);
  const address = (c: Context) => clientAddress(c, deps.trustProxy ?? false);
  return new Hono<AppEnv>()
    .post('/sign-in', async (c) => {
      const body = await parseBody(c, signInBody);
      const session = await accounts.signIn(deps.db, limiter, { ...body, address: address(c) });
      setSessionCookie(c, deps, session);
      return c.json(signedIn(session));
    })
    .post('/accept-invitation', async (c) => {
      const body = await parseBody(c, acceptBody);
      const accepted = await invitations.acceptInvitation(deps.db, limiter, { ...body, address: address(c) });
      setSessionCookie(c, deps, accepted);
      return c.json({
        user: { id: accepted.user.id, email: accepted.user.email, name: accepted.user.name },
        tenant: { id: accepted.tenant.id, slug: accepted.tenant.slug, name: accepted.tenant.name },
        role: accepted.role,
        csrf_token: accepted.csrfToken,
      });
    })
    .post('/sign-out', async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        // Another site can make a browser post here with the cookie, never with the header.
        const principal = await accounts.authenticateSession(deps.db, token);
        if (principal && !csrfMatches({ token, csrfHash: principal.csrfHash }, c.req.header('x-csrf-token'))) {
          throw new AppError('forbidden', 'This request is missing its CSRF token. Reload the page and try again.');
        }
        await accounts.signOut(deps.db, token);
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    })
    .post('/switch-tenant', requireAuth(deps.db), async (c) => {
      // The body first: a bad one is a 400 naming the field, whoever sends it.
      const body = await parseBody(c, switchBody);
      const p = c.get('principal');
      const cookie = p.via === 'session' ? getCookie(c, SESSION_COOKIE) : undefined;
      if (p.via !== 'session' || p.actor.type !== 'user' || !p.actor.id || !cookie) {
        throw new AppError('forbidden', 'An API token belongs to one tenant and cannot switch to another; use a token made in that tenant.');
      }
      const session = await accounts.switchTenant(deps.db, { token: cookie, userId: p.actor.id, tenant: body.tenant, requestId: c.get('requestId') });
      setSessionCookie(c, deps, session);
      c.header('cache-control', 'no-store');
      return c.json(signedIn(session));
    })
    .get('/session', requireAuth(deps.db), async (c) => {
      const p = c.get('principal');
      const cookie = p.via === 'session' ? getCookie(c, SESSION_COOKIE) : undefined;
      const tenants = await accounts.tenantsFor(deps.db, p);
      const current = tenants.find((t) => t.tenantId === p.tenantId);
      // The token is readable only by our own pages (no CORS); no cache may keep it.
      c.header('cache-control', 'no-store');
      return c.json({
        tenant: { id: p.tenantId, slug: p.tenantSlug, name: current?.name ?? p.tenantSlug },
        role: p.role,
        actor: p.actor,
        via: p.via,
        platform_admin: p.platformAdmin,
        csrf_token: cookie ? csrfTokenFor(cookie) : null,
        tenants: tenants.map((t) => ({ slug: t.slug, name: t.name, role: t.role })),
      });
    });
}

export function memberRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', requireRole('admin'), async (c) => {
      const rows = await accounts.listMembers(deps.db, c.get('principal').tenantId);
      return c.json({ data: rows.map((m) => ({ id: m.id, email: m.email, name: m.name, role: m.role, since: m.since.toISOString() })) });
    })
    .post('/', requireRole('owner'), async (c) => {
      const body = await parseBody(c, inviteBody);
      const { invitation, token } = await invitations.createInvitation(deps.db, actingFrom(c), body);
      return c.json({ ...invitations.presentInvitation(invitation), token, accept_path: invitations.acceptPath(token) }, 201);
    })
    .get('/invitations', requireRole('owner'), async (c) => c.json({ data: (await invitations.listInvitations(deps.db, c.get('principal').tenantId)).map(invitations.presentInvitation) }))
    .delete('/invitations/:id', requireRole('owner'), async (c) => {
      await invitations.revokeInvitation(deps.db, actingFrom(c), parseParam(c.req.param('id'), z.uuid(), 'Invitation'));
      return c.body(null, 204);
    })
    .delete('/:id', requireRole('owner'), async (c) => {
      const acting = actingFrom(c);
      const userId = parseParam(c.req.param('id'), z.uuid(), 'Member');
      if (acting.actor.type === 'user' && acting.actor.id === userId) throw new AppError('conflict', 'You cannot remove yourself; ask another owner.');
      await accounts.removeMember(deps.db, acting.tenantId, userId, acting.actor, acting.requestId);
      return c.body(null, 204);
    });
}

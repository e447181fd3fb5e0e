import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Db } from '../../db/client.js';
import { csrfMatches } from '../../core/accounts/csrf.js';
import { authenticateSession } from '../../core/accounts/service.js';
import type { AppEnv } from '../deps.js';
import { AppError } from '../../core/errors.js';
import { authenticate, roleRank, type Role } from '../../core/tenants/service.js';

export const SESSION_COOKIE = 'sluice_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Machines send `Authorization: Bearer <token>`; browsers carry the HttpOnly session cookie.
 * A cookie-authenticated request that changes anything must also send the session's CSRF
 * token in `X-CSRF-Token` (sign-in returns it, `GET /auth/session` too): another site can
 * make a browser send the cookie, never the header, and cannot read either answer.
 */
export const requireAuth = (db: Db) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const principal = token ? await authenticate(db, token) : undefined;
      if (!principal) throw new AppError('unauthorized', 'This API token is not valid or was revoked. Ask an owner for a new one.');
      c.set('principal', principal);
      return next();
    }
    const session = getCookie(c, SESSION_COOKIE);
    const principal = session ? await authenticateSession(db, session) : undefined;
    if (!session || !principal) throw new AppError('unauthorized', 'Sign in first (or send an API token as "Authorization: Bearer <token>").');
    if (!SAFE_METHODS.has(c.req.method) && !csrfMatches({ token: session, csrfHash: principal.csrfHash }, c.req.header('x-csrf-token'))) {
      throw new AppError('forbidden', 'This request is missing its CSRF token. Reload the page and try again.');
    }
    const { csrfHash: _, ...rest } = principal;
    c.set('principal', rest);
    return next();
  });

/** What every tenant shares (the connector catalog) is changed by platform admins only. */
export const requirePlatformAdmin = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get('principal').platformAdmin) throw new AppError('forbidden', 'Only a platform admin can change the connector catalog. Ask whoever runs this Sluice (they grant it with: npm run sluice -- admins grant <email>).');
    await next();
  });

/** Viewers read; changing anything takes at least `role`. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (roleRank[c.get('principal').role] < roleRank[role]) throw new AppError('forbidden', `This needs the ${role} role; you have ${c.get('principal').role}.`);
    await next();
  });

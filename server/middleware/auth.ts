import { createMiddleware } from 'hono/factory';
import type { Db } from '../../db/client.js';
import type { AppEnv } from '../deps.js';
import { AppError } from '../errors.js';
import { authenticate, type Role } from '../tenants/service.js';

/** Bearer-token authentication: sets `principal` (tenant and role) or answers 401. */
export const requireAuth = (db: Db) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new AppError('unauthorized', 'Sign in first: send an API token as "Authorization: Bearer <token>".');
    const principal = await authenticate(db, token);
    if (!principal) throw new AppError('unauthorized', 'This API token is not valid or was revoked. Ask an owner for a new one.');
    c.set('principal', principal);
    await next();
  });

const rank: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

/** Viewers read; changing anything takes at least `role`. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (rank[c.get('principal').role] < rank[role]) throw new AppError('forbidden', `This needs the ${role} role; your token is ${c.get('principal').role}.`);
    await next();
  });

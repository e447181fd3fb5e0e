import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { memberships, sessions, tenants, users } from '../../db/schema/index.js';
import { recordAudit, type Actor } from '../audit/service.js';
import { AppError } from '../errors.js';
import type { Principal, Role } from '../tenants/service.js';
import { csrfHashOf, csrfTokenFor } from './csrf.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import type { SignInLimiter } from './sign-in-limit.js';

const SESSION_DAYS = 14;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export async function findUserByEmail(db: Db, email: string) {
  return db.query.users.findFirst({ where: eq(users.email, normalizeEmail(email)) });
}

/**
 * Operator path only (CLI, `npm run up`): creates a brand-new account with a password the
 * operator sets, and its membership. Refuses an email that already has an account: nobody
 * sets an existing person's password; invite them instead.
 */
export async function createAccount(db: Db, input: { tenantId: string; email: string; name?: string | undefined; password: string; role: Role; actor: Actor }) {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email, name: input.name ?? email.split('@')[0]!, passwordHash }).onConflictDoNothing().returning();
    if (!user) throw new AppError('conflict', `${email} already has an account. Invite it instead (npm run sluice -- users invite); its owner confirms with their own password.`, { email: ['already has an account'] });
    await tx.insert(memberships).values({ userId: user.id, tenantId: input.tenantId, role: input.role });
    await recordAudit(tx, { tenantId: input.tenantId, actor: input.actor, action: 'member.add', resourceType: 'member', resourceId: user.id, changes: { email, role: input.role, account: 'created' } });
    return { user, role: input.role };
  });
}

export async function listMembers(db: Db, tenantId: string) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(memberships.createdAt), asc(users.id));
}

export async function removeMember(db: Db, tenantId: string, userId: string, actor: Actor, requestId?: string) {
  await db.transaction(async (tx) => {
    const members = await tx.select().from(memberships).where(eq(memberships.tenantId, tenantId)).for('update');
    const target = members.find((m) => m.userId === userId);
    if (!target) throw new AppError('not_found', 'Member was not found.');
    if (target.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
      throw new AppError('conflict', 'This is the last owner. Make someone else an owner first.');
    }
    await tx.delete(memberships).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
    await tx.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId)));
    await recordAudit(tx, { tenantId, actor, action: 'member.remove', resourceType: 'member', resourceId: userId, requestId });
  });
}

/**
 * Checks email and password and opens a session in one of the user's tenants (the one
 * named, or their first). Returns the cookie value and CSRF token, each shown only now.
 * `limiter` refuses (429) before any hash is computed when the account or address is over its limit.
 */
export async function signIn(db: Db, limiter: SignInLimiter, input: { email: string; password: string; tenant?: string | undefined; address: string }) {
  await limiter.attempt(input.email, input.address);
  const user = await findUserByEmail(db, input.email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? decoyHash);
  if (!user || !ok) {
    await limiter.failed(input.email);
    throw new AppError('unauthorized', 'That email and password do not match an account. Check both and try again.');
  }
  await limiter.succeeded(input.email);
  const options = await tenantsOf(db, user.id);
  const chosen = input.tenant ? options.find((o) => o.slug === input.tenant) : options[0];
  if (!chosen) throw new AppError('forbidden', input.tenant ? `You are not a member of "${input.tenant}".` : 'Your account is not a member of any organisation yet. Ask an owner to add you.');
  return { ...(await openSession(db, user.id, chosen.tenantId)), user, tenant: chosen, tenants: options };
}

export function tenantsOf(db: DbOrTx, userId: string) {
  return db
    .select({ tenantId: tenants.id, slug: tenants.slug, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}

/** The tenants a principal may work in: a person's memberships; an API token's own tenant only (a token belongs to one). */
export async function tenantsFor(db: Db, principal: Principal) {
  if (principal.via === 'session' && principal.actor.type === 'user' && principal.actor.id) return tenantsOf(db, principal.actor.id);
  const rows = await db.select({ tenantId: tenants.id, slug: tenants.slug, name: tenants.name }).from(tenants).where(eq(tenants.id, principal.tenantId));
  return rows.map((row) => ({ ...row, role: principal.role }));
}

/** A new browser session for a user in a tenant; expired sessions of everyone are swept on the way. */
export async function openSession(db: DbOrTx, userId: string, tenantId: string) {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  const token = randomBytes(32).toString('base64url');
  const csrfToken = csrfTokenFor(token);
  await db.insert(sessions).values({ tokenHash: sha256(token), csrfHash: csrfHashOf(csrfToken), userId, tenantId, expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000) });
  return { token, csrfToken, maxAgeSeconds: SESSION_DAYS * 86_400 };
}

/**
 * Moves a browser session to another tenant of its user: a new session there (cookie value and
 * CSRF token, each shown only now), the old session row deleted and a `session.switch` audit
 * event in the new tenant, all in one transaction. A slug the user is no member of answers
 * exactly like one no tenant has, so nobody learns which tenants exist.
 */
export async function switchTenant(db: Db, input: { token: string; userId: string; tenant: string; requestId?: string | undefined }) {
  return db.transaction(async (tx) => {
    const options = await tenantsOf(tx, input.userId);
    const chosen = options.find((o) => o.slug === input.tenant);
    if (!chosen) throw new AppError('not_found', `You are not a member of "${input.tenant}".`);
    // Deleting first settles a race: of two switches (or a switch and a sign-out) with one
    // cookie, only the one that removed the row opens a session.
    const [old] = await tx.delete(sessions).where(and(eq(sessions.tokenHash, sha256(input.token)), eq(sessions.userId, input.userId))).returning({ id: sessions.id });
    if (!old) throw new AppError('unauthorized', 'This session has ended. Sign in again.');
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId));
    if (!user) throw new AppError('unauthorized', 'This session has ended. Sign in again.');
    const session = await openSession(tx, user.id, chosen.tenantId);
    // Nothing about the tenant left behind: its name is not the new tenant's business.
    await recordAudit(tx, { tenantId: chosen.tenantId, actor: { type: 'user', id: user.id, label: user.email }, action: 'session.switch', resourceType: 'member', resourceId: user.id, changes: { email: user.email, role: chosen.role }, requestId: input.requestId });
    return { ...session, user, tenant: chosen, tenants: options };
  });
}

export async function signOut(db: Db, token: string) {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

/** The principal behind a session cookie, with the stored CSRF hash (see csrf.ts: `csrfMatches`). */
export async function authenticateSession(db: Db, token: string): Promise<(Principal & { csrfHash: string }) | undefined> {
  const [row] = await db
    .select({ userId: users.id, email: users.email, tenantId: tenants.id, slug: tenants.slug, role: memberships.role, csrfHash: sessions.csrfHash, platformAdmin: users.platformAdmin })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(tenants, eq(tenants.id, sessions.tenantId))
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.tenantId, sessions.tenantId)))
    .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date())));
  if (!row) {
    // An expired session is deleted the first time it is shown again, not kept until a sweep.
    await db.delete(sessions).where(and(eq(sessions.tokenHash, sha256(token)), lt(sessions.expiresAt, new Date())));
    return undefined;
  }
  return { tenantId: row.tenantId, tenantSlug: row.slug, role: row.role, actor: { type: 'user', id: row.userId, label: row.email }, via: 'session', platformAdmin: row.platformAdmin, csrfHash: row.csrfHash };
}

/** Lets an account change what every tenant shares (the connector catalog), or stops it; false when no account has that email. */
export async function setPlatformAdmin(db: Db, email: string, platformAdmin: boolean): Promise<boolean> {
  const rows = await db.update(users).set({ platformAdmin }).where(eq(users.email, normalizeEmail(email))).returning({ id: users.id });
  return rows.length > 0;
}

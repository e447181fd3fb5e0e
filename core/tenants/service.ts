import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { apiTokens, tenants } from '../../db/schema/index.js';
import { recordAudit, type Actor } from '../audit/service.js';
import { AppError } from '../errors.js';

export type Role = 'owner' | 'admin' | 'viewer';
/** Who is calling, for which tenant, with which role; `actor` is what the audit log shows. */
/** `platformAdmin`: may change what every tenant shares (the connector catalog), not only its own tenant. */
export type Principal = { tenantId: string; tenantSlug: string; role: Role; actor: Actor; via: 'token' | 'session'; platformAdmin: boolean };

export const roleRank: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function validateSlug(slug: string): string {
  // No doubled dash: a tenant's ClickHouse databases are named from its slug, and `--` would
  // read as the `__` that separates a tenant from its database names (pipelines/destination-database.ts).
  if (!/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/.test(slug) || slug.includes('--')) {
    throw new AppError('validation_failed', 'A tenant name must be 3-40 lowercase letters, digits or single dashes, starting with a letter.', { slug: ['must be 3-40 of a-z, 0-9 and single dashes'] });
  }
  return slug;
}

export async function createTenant(db: DbOrTx, slug: string, name = slug) {
  validateSlug(slug);
  const [tenant] = await db.insert(tenants).values({ slug, name }).onConflictDoNothing().returning();
  if (!tenant) throw new AppError('conflict', `A tenant named "${slug}" already exists.`);
  return tenant;
}

export async function findTenantBySlug(db: Db, slug: string) {
  return db.query.tenants.findFirst({ where: eq(tenants.slug, slug) });
}

/** Creates an API token. The token itself is returned once and only its hash is kept. */
/** `platformAdmin` only from the operator CLI: the API never makes such a token. */
export async function createToken(db: DbOrTx, tenantId: string, name: string, role: Role, audit?: { actor: Actor; requestId?: string | undefined }, { platformAdmin = false } = {}) {
  const token = `slk_${randomBytes(32).toString('base64url')}`;
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(apiTokens).values({ tenantId, name, role, tokenHash: hashToken(token), platformAdmin }).returning();
    if (audit) await recordAudit(tx, { tenantId, actor: audit.actor, action: 'token.create', resourceType: 'token', resourceId: row!.id, changes: { name, role, ...(platformAdmin ? { platform_admin: true } : {}) }, requestId: audit.requestId });
    return { id: row!.id, token, row: row! };
  });
}

export const listTokens = (db: Db, tenantId: string) => db.select().from(apiTokens).where(eq(apiTokens.tenantId, tenantId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));

/** Revokes an API token. Only a caller with at least the token's role may: an admin cannot cut off an owner's automation. */
export async function revokeToken(db: Db, tenantId: string, id: string, caller: { role: Role; actor: Actor; requestId?: string | undefined }) {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(apiTokens).where(and(eq(apiTokens.tenantId, tenantId), eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).for('update');
    if (!row) throw new AppError('not_found', 'Token was not found (or is already revoked).');
    if (roleRank[row.role] > roleRank[caller.role]) throw new AppError('forbidden', `This token has the ${row.role} role; revoking it needs the ${row.role} role (you have ${caller.role}).`);
    await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id));
    await recordAudit(tx, { tenantId, actor: caller.actor, action: 'token.revoke', resourceType: 'token', resourceId: id, changes: { name: row.name, role: row.role }, requestId: caller.requestId });
  });
}

export function presentToken(t: typeof apiTokens.$inferSelect) {
  return { id: t.id, name: t.name, role: t.role, platform_admin: t.platformAdmin, created_at: t.createdAt.toISOString(), last_used_at: t.lastUsedAt?.toISOString() ?? null, revoked_at: t.revokedAt?.toISOString() ?? null };
}

/** Resolves a bearer token to who is calling, or undefined for an unknown or revoked one. */
export async function authenticate(db: Db, token: string): Promise<Principal | undefined> {
  const [row] = await db
    .select({ tokenId: apiTokens.id, name: apiTokens.name, tenantId: apiTokens.tenantId, role: apiTokens.role, tenantSlug: tenants.slug, lastUsedAt: apiTokens.lastUsedAt, platformAdmin: apiTokens.platformAdmin })
    .from(apiTokens)
    .innerJoin(tenants, eq(tenants.id, apiTokens.tenantId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return undefined;
  // Last-used time is for humans; a minute of precision saves a write per request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId));
  }
  return { tenantId: row.tenantId, tenantSlug: row.tenantSlug, role: row.role, actor: { type: 'token', id: row.tokenId, label: `token "${row.name}"` }, via: 'token', platformAdmin: row.platformAdmin };
}

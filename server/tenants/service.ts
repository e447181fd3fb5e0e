import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiTokens, tenants } from '../../db/schema/index.js';
import { AppError } from '../errors.js';

export type Role = 'owner' | 'admin' | 'viewer';
export type Principal = { tenantId: string; tenantSlug: string; role: Role; tokenId: string };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function validateSlug(slug: string): string {
  if (!/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/.test(slug)) {
    throw new AppError('validation_failed', 'A tenant name must be 3-40 lowercase letters, digits or dashes, starting with a letter.', { slug: ['must be 3-40 of a-z, 0-9 and -'] });
  }
  return slug;
}

export async function createTenant(db: Db, slug: string, name = slug) {
  validateSlug(slug);
  const [tenant] = await db.insert(tenants).values({ slug, name }).onConflictDoNothing().returning();
  if (!tenant) throw new AppError('conflict', `A tenant named "${slug}" already exists.`);
  return tenant;
}

export async function findTenantBySlug(db: Db, slug: string) {
  return db.query.tenants.findFirst({ where: eq(tenants.slug, slug) });
}

/** Creates an API token. The token itself is returned once and only its hash is kept. */
export async function createToken(db: Db, tenantId: string, name: string, role: Role) {
  const token = `slk_${randomBytes(32).toString('base64url')}`;
  const [row] = await db.insert(apiTokens).values({ tenantId, name, role, tokenHash: hashToken(token) }).returning({ id: apiTokens.id });
  return { id: row!.id, token };
}

/** Resolves a bearer token to who is calling, or undefined for an unknown or revoked one. */
export async function authenticate(db: Db, token: string): Promise<Principal | undefined> {
  const [row] = await db
    .select({ tokenId: apiTokens.id, tenantId: apiTokens.tenantId, role: apiTokens.role, tenantSlug: tenants.slug, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(tenants, eq(tenants.id, apiTokens.tenantId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return undefined;
  // Last-used time is for humans; a minute of precision saves a write per request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId));
  }
  return { tokenId: row.tokenId, tenantId: row.tenantId, role: row.role, tenantSlug: row.tenantSlug };
}

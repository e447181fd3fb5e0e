import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roles, users } from './accounts.js';
import { tenants } from './tenants.js';

/**
 * A pending offer to join a tenant. The invitee proves they hold the token (shown once to the
 * inviter, only its SHA-256 is kept) and sets or confirms their own password when accepting:
 * nobody else ever chooses it. Single use: `accepted_at` or `revoked_at` ends it.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: roles }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('invitations_tenant_idx').on(t.tenantId),
    // One open invitation per email and tenant: inviting again replaces it.
    uniqueIndex('invitations_one_open').on(t.tenantId, t.email).where(sql`accepted_at is null and revoked_at is null`),
  ],
);

import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * Each tenant's own login to the platform ClickHouse (core/warehouse/tenant-login.ts): the
 * loader gets this one, limited to the tenant's databases, never the platform's. The password
 * is sealed like a connector secret (db/crypto.ts), bound to the tenant's id.
 */
export const warehouseLogins = pgTable('warehouse_logins', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  userName: text('user_name').notNull(),
  ciphertext: text('ciphertext').notNull(),
  wrappedKey: text('wrapped_key').notNull(),
  keyId: text('key_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What a login's sealed password is bound to (db/crypto.ts), so a ciphertext copied to another row does not open. */
export const warehouseLoginBinding = (tenantId: string) => `warehouse-login:${tenantId}`;

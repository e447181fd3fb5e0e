import { boolean, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { ReplicationMethod, SyncMode } from './pipelines.js';
import { plugins } from './plugins.js';
import { tenants } from './tenants.js';

export const connectorStatuses = ['inactive', 'active', 'error'] as const;

export const connectors = pgTable(
  'connectors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    pluginName: text('plugin_name').notNull().references(() => plugins.name),
    /** Settings that are not secret, as the user entered them. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** Secret settings: AES-256-GCM ciphertext under this connector's data key (see db/crypto.ts). */
    secretCiphertext: text('secret_ciphertext'),
    /** The data key, wrapped by the master key named in `keyId`. */
    wrappedKey: text('wrapped_key'),
    keyId: text('key_id'),
    /** Names of the secret settings that hold a value; lets responses say `has_value` without decrypting. */
    secretNames: jsonb('secret_names').$type<string[]>().notNull().default([]),
    status: text('status', { enum: connectorStatuses }).notNull().default('inactive'),
    lastTestAt: timestamp('last_test_at', { withTimezone: true }),
    lastTestOk: boolean('last_test_ok'),
    lastTestError: text('last_test_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('connectors_tenant_name_key').on(t.tenantId, t.name)],
);

/**
 * What one stream of a source offers a pipeline (core/pipelines/stream-offers.ts builds it
 * from the stored catalog each time it is read, so rows written by older versions, whose
 * `streams` column holds an older shape, are served the same way).
 */
export type DiscoveredStream = {
  stream: string;
  properties: Record<string, unknown>;
  key_properties: string[];
  /** Candidate replication keys, the best first. */
  replication_keys: string[];
  replication_methods: ReplicationMethod[];
  sync_modes: Array<{ sync_mode: SyncMode; label: string; description: string }>;
  /** What the wizard picks unless the user changes it (`replication_method` only when the source reads nothing but its change log). */
  default: { sync_mode: SyncMode; replication_key?: string; replication_method?: 'LOG_BASED' };
};

/** The tap's catalog for a connector, from its last discover run. */
export const connectorCatalogs = pgTable('connector_catalogs', {
  connectorId: uuid('connector_id').primaryKey().references(() => connectors.id, { onDelete: 'cascade' }),
  tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
  catalog: jsonb('catalog').$type<Record<string, unknown>>().notNull(),
  /** The view as it was when discovered, kept for reading by hand: Sluice reads the view from `catalog`. */
  streams: jsonb('streams').$type<unknown[]>().notNull(),
  discoveredAt: timestamp('discovered_at', { withTimezone: true }).notNull().defaultNow(),
});

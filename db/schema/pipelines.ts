import { boolean, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { connectors } from './connectors.js';
import { tenants } from './tenants.js';

/** How a stream's table is filled, as users know it from Airbyte (labels: core/pipelines/sync-modes.ts). */
export const syncModes = ['full_refresh_overwrite', 'full_refresh_append', 'incremental_append', 'incremental_deduped'] as const;
export type SyncMode = (typeof syncModes)[number];
export const replicationMethods = ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'] as const;
export type ReplicationMethod = (typeof replicationMethods)[number];
/** How numbers the source gives no precision for are stored: Float64, or a wide Decimal. */
export const untypedNumberChoices = ['float', 'decimal'] as const;
export type UntypedNumbers = (typeof untypedNumberChoices)[number];

/**
 * A stream a pipeline syncs. `sync_mode` is the user's choice; `replication_method` follows
 * from it (full refresh: FULL_TABLE; incremental: INCREMENTAL on `replication_key`, or
 * LOG_BASED, which reads the database's change log and needs no key).
 */
export type SelectedStream = {
  stream: string;
  sync_mode: SyncMode;
  replication_method: ReplicationMethod;
  replication_key?: string | undefined;
};

export const pipelines = pgTable(
  'pipelines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    sourceConnectorId: uuid('source_connector_id').notNull().references(() => connectors.id),
    /** null: the platform ClickHouse. */
    destinationConnectorId: uuid('destination_connector_id').references(() => connectors.id),
    /** ClickHouse database the streams land in (platform destination). */
    destinationDatabase: text('destination_database').notNull(),
    streams: jsonb('streams').$type<SelectedStream[]>().notNull(),
    untypedNumbers: text('untyped_numbers', { enum: untypedNumberChoices }).notNull().default('float'),
    scheduleCron: text('schedule_cron'),
    scheduleTimezone: text('schedule_timezone').notNull().default('UTC'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('pipelines_tenant_name_key').on(t.tenantId, t.name)],
);

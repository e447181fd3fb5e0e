import { boolean, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { connectors } from './connectors.js';
import { tenants } from './tenants.js';

export type SelectedStream = {
  stream: string;
  replication_method: 'FULL_TABLE' | 'INCREMENTAL';
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
    scheduleCron: text('schedule_cron'),
    scheduleTimezone: text('schedule_timezone').notNull().default('UTC'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('pipelines_tenant_name_key').on(t.tenantId, t.name)],
);

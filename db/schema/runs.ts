import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { connectors } from './connectors.js';
import { pipelines } from './pipelines.js';
import { tenants } from './tenants.js';

export const runKinds = ['test', 'discover', 'sync'] as const;
export const runTriggers = ['manual', 'schedule', 'retry'] as const;
export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type RunKind = (typeof runKinds)[number];
/** As the loader reports it at the end of a run, per stream. */
export type StreamReconciliation = { stream: string; table: string; received: number; inserted: number; inTable: number; distinctKeys?: number; ok: boolean };

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: runKinds }).notNull(),
    trigger: text('trigger', { enum: runTriggers }).notNull(),
    status: text('status', { enum: runStatuses }).notNull().default('queued'),
    connectorId: uuid('connector_id').notNull().references(() => connectors.id, { onDelete: 'cascade' }),
    pipelineId: uuid('pipeline_id').references(() => pipelines.id, { onDelete: 'cascade' }),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    exitCode: integer('exit_code'),
    /** Records read per stream, summed from the tap's METRIC lines. */
    recordCounts: jsonb('record_counts').$type<Record<string, number>>().notNull().default({}),
    rowsLoaded: bigint('rows_loaded', { mode: 'number' }),
    /** The loader's end-of-run count check per stream (received, inserted, in table). */
    reconciliation: jsonb('reconciliation').$type<StreamReconciliation[]>(),
    errorSummary: text('error_summary'),
  },
  (t) => [index('runs_tenant_queued_idx').on(t.tenantId, t.queuedAt), index('runs_pipeline_idx').on(t.pipelineId)],
);

import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, uniqueIndex, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { connectors } from './connectors.js';
import { pipelines } from './pipelines.js';
import { tenants } from './tenants.js';

export const runKinds = ['test', 'discover', 'sync'] as const;
export const runTriggers = ['manual', 'schedule', 'retry'] as const;
export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type RunKind = (typeof runKinds)[number];
export type RunParams = { full_refresh?: boolean; preview?: { stream: string; limit: number } };
/**
 * Values the loader could not store exactly, per column and reason: how many, and whether their
 * source values are in `_sluice_rejects` (true, or that table's name) or were only counted (false).
 */
export type LossyValues = { column: string; reason: string; count: number; kept?: string | boolean };
/** As the loader reports it at the end of a run, per stream. */
export type StreamReconciliation = { stream: string; table: string; received: number; inserted: number; inTable: number; distinctKeys?: number; ok: boolean; lossy?: LossyValues[] };

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: runKinds }).notNull(),
    trigger: text('trigger', { enum: runTriggers }).notNull(),
    status: text('status', { enum: runStatuses }).notNull().default('queued'),
    connectorId: uuid('connector_id').notNull().references(() => connectors.id, { onDelete: 'cascade' }),
    /** null once its pipeline is deleted: runs stay for history. */
    pipelineId: uuid('pipeline_id').references(() => pipelines.id, { onDelete: 'set null' }),
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
    /** How many times a worker has started this run (retries and stalled-job recovery add one). */
    attempt: integer('attempt').notNull().default(0),
    /** What the run was asked to do beyond its kind: full refresh, the stream to preview. */
    params: jsonb('params').$type<RunParams>().notNull().default({}),
    /** What a test or discover run found: stages passed, streams, preview rows. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** host:pid of the worker running it, for people on call. */
    worker: text('worker'),
    /** Set by a cancel: the worker checks it once it holds the run, so a cancel that raced its start still lands. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
  },
  (t) => [
    index('runs_tenant_queued_idx').on(t.tenantId, t.queuedAt),
    index('runs_pipeline_idx').on(t.pipelineId),
    // One sync per pipeline at a time, however many triggers race: the database refuses a second.
    uniqueIndex('runs_one_active_sync').on(t.pipelineId).where(sql`kind = 'sync' and status in ('queued', 'running')`),
  ],
);

/** The final Singer state of each sync (and each rollback or edit), newest last. */
export const pipelineStates = pgTable(
  'pipeline_states',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    pipelineId: uuid('pipeline_id').notNull().references(() => pipelines.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').references(() => runs.id, { onDelete: 'set null' }),
    source: text('source', { enum: ['sync', 'rollback', 'edit', 'reset'] }).notNull(),
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    /** A rollback, edit or reset waits here until the next sync hands it to Meltano first. */
    pending: boolean('pending').notNull().default(false),
    /** A pending edit the worker (or the tap) refused: it never becomes the pipeline's state. */
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('pipeline_states_pipeline_idx').on(t.pipelineId, t.id)],
);

/** A finished run's log, in chunks of JSON lines (the live copy in Redis expires). */
export const runLogs = pgTable(
  'run_logs',
  {
    runId: uuid('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    chunk: integer('chunk').notNull(),
    lines: text('lines').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.chunk] }), index('run_logs_created_idx').on(t.createdAt)],
);

import { and, desc, eq, gte, inArray, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { runs, type RunKind, type RunParams, type RunStatus } from '../../db/schema/index.js';
import { dequeueRun, type RunQueues } from './queues.js';
import type { Acting } from '../acting.js';
import { recordAudit } from '../audit/service.js';
import { AppError, notFound } from '../errors.js';
import type { Cursor } from '../pagination.js';
import { storable } from './storable.js';

export type Run = typeof runs.$inferSelect;

/** Allowed status changes. `transition` applies one only from its `from`, so two workers never both win. */
export const transitions: Array<{ from: RunStatus; to: RunStatus }> = [
  { from: 'queued', to: 'running' },
  { from: 'queued', to: 'cancelled' },
  { from: 'running', to: 'succeeded' },
  { from: 'running', to: 'failed' },
  { from: 'running', to: 'cancelled' },
  // a transient failure waits for its retry
  { from: 'running', to: 'queued' },
];

export const isFinished = (status: RunStatus) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/**
 * Creates a run's row and its audit event, committed together. Queueing it is the caller's
 * (core/runs/start-run.ts, which fails fast when Redis is away); a scheduled job becomes its run.
 */
export async function createRun(
  db: Db,
  acting: Acting,
  input: { kind: RunKind; trigger: 'manual' | 'schedule' | 'retry'; connectorId: string; pipelineId?: string; params?: RunParams },
) {
  const run = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(runs)
      // (a second active sync of the pipeline is refused by runs_one_active_sync: see below)
      .values({ tenantId: acting.tenantId, kind: input.kind, trigger: input.trigger, connectorId: input.connectorId, pipelineId: input.pipelineId ?? null, params: input.params ?? {} })
      .returning();
    await recordAudit(tx, {
      ...acting,
      action: input.kind === 'sync' ? 'pipeline.run' : `connector.${input.kind}`,
      resourceType: input.pipelineId ? 'pipeline' : 'connector',
      resourceId: input.pipelineId ?? input.connectorId,
      changes: { run_id: row!.id, trigger: input.trigger, ...(input.params && Object.keys(input.params).length > 0 ? { params: input.params } : {}) },
    });
    return row!;
  }).catch(async (error: unknown) => {
    if (!isUniqueViolation(error) || !input.pipelineId) throw error;
    const busy = await activeSync(db, input.pipelineId);
    throw new PipelineBusy(busy?.id ?? 'unknown', busy?.status ?? 'running');
  });
  return run;
}

/** The pipeline already has a sync queued or running. */
export class PipelineBusy extends AppError {
  constructor(
    readonly runId: string,
    status: string,
  ) {
    super('conflict', `This pipeline is already ${status === 'queued' ? 'waiting to run' : 'running'} (run ${runId}). Wait for it, or cancel it first.`, { run_id: [runId] });
  }
}

/** The sync of a pipeline that is queued or running, if any: a pipeline never runs twice at once. */
export async function activeSync(db: Db, pipelineId: string) {
  return db.query.runs.findFirst({ where: and(eq(runs.pipelineId, pipelineId), eq(runs.kind, 'sync'), inArray(runs.status, ['queued', 'running'])) });
}

/** A scheduled trigger that found its pipeline still busy: recorded as a skipped (cancelled) run. */
export async function recordSkippedRun(db: Db, acting: Acting, input: { connectorId: string; pipelineId: string; busyRunId: string }) {
  const now = new Date();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(runs)
      .values({
        tenantId: acting.tenantId,
        kind: 'sync',
        trigger: 'schedule',
        status: 'cancelled',
        connectorId: input.connectorId,
        pipelineId: input.pipelineId,
        startedAt: now,
        finishedAt: now,
        errorSummary: `Skipped: the previous run (${input.busyRunId}) was still in progress.`,
      })
      .returning();
    await recordAudit(tx, { ...acting, action: 'pipeline.run_skipped', resourceType: 'pipeline', resourceId: input.pipelineId, changes: { run_id: row!.id, busy_run_id: input.busyRunId } });
  });
}

export async function getRun(db: Db, tenantId: string, id: string) {
  const row = await db.query.runs.findFirst({ where: and(eq(runs.tenantId, tenantId), eq(runs.id, id)) });
  if (!row) throw notFound('Run');
  return row;
}

/** For the worker, which is not acting for a tenant: the job names the run. */
export const getRunById = (db: Db, id: string) => db.query.runs.findFirst({ where: eq(runs.id, id) });

export async function listRuns(
  db: Db,
  tenantId: string,
  query: { limit: number; cursor?: Cursor | undefined; pipelineId?: string | undefined; connectorId?: string | undefined; status?: RunStatus | undefined; kind?: RunKind | undefined; since?: Date | undefined; until?: Date | undefined },
) {
  const filters: Array<SQL | undefined> = [eq(runs.tenantId, tenantId)];
  if (query.pipelineId) filters.push(eq(runs.pipelineId, query.pipelineId));
  if (query.connectorId) filters.push(eq(runs.connectorId, query.connectorId));
  if (query.status) filters.push(eq(runs.status, query.status));
  if (query.kind) filters.push(eq(runs.kind, query.kind));
  if (query.since) filters.push(gte(runs.queuedAt, query.since));
  if (query.until) filters.push(lte(runs.queuedAt, query.until));
  if (query.cursor) {
    const at = new Date(query.cursor.at);
    filters.push(or(lt(runs.queuedAt, at), and(eq(runs.queuedAt, at), lt(runs.id, query.cursor.id))));
  }
  return db.select().from(runs).where(and(...filters)).orderBy(desc(runs.queuedAt), desc(runs.id)).limit(query.limit + 1);
}

/**
 * Moves a run from `from` to `to`, only if it is still `from` (and, given `attempt`, still
 * that attempt: the fencing token of the worker that claimed it, see fence.ts). Returns the
 * updated run, or undefined when the run had moved on: callers must handle that.
 */
export async function transition(db: Db, id: string, from: RunStatus, to: RunStatus, patch: Partial<Run> = {}, guard: { attempt?: number } = {}): Promise<Run | undefined> {
  if (!transitions.some((t) => t.from === from && t.to === to)) throw new Error(`Run status cannot go from ${from} to ${to}`);
  const [row] = await db
    .update(runs)
    .set({ ...storable(patch), status: to })
    .where(and(eq(runs.id, id), eq(runs.status, from), guard.attempt === undefined ? undefined : eq(runs.attempt, guard.attempt)))
    .returning();
  return row;
}

/** What a sync read and loaded, as the run's output parser counted it (stream names come from the tap: made storable). */
export type RunOutput = Pick<Run, 'recordCounts' | 'rowsLoaded' | 'reconciliation'>;

export async function recordRunOutput(db: Db, id: string, output: RunOutput): Promise<void> {
  await db.update(runs).set(storable(output)).where(eq(runs.id, id));
}

/** Takes over a run still marked running whose worker died, if nobody else has meanwhile. */
export async function reclaim(db: Db, id: string, attempt: number, patch: Partial<Run>): Promise<Run | undefined> {
  const [row] = await db
    .update(runs)
    .set(storable(patch))
    .where(and(eq(runs.id, id), eq(runs.status, 'running'), eq(runs.attempt, attempt)))
    .returning();
  return row;
}

/**
 * Cancels a run: a queued one is marked cancelled and its job removed here; a running one
 * is stopped by the worker holding it (told through `stopRunning`), which marks it.
 */
export async function cancelRun(db: Db, queues: RunQueues, acting: Acting, id: string, stopRunning: (runId: string) => Promise<void>) {
  const run = await getRun(db, acting.tenantId, id);
  if (isFinished(run.status)) throw new AppError('conflict', `This run has already ${run.status === 'cancelled' ? 'been cancelled' : run.status}.`);
  await recordAudit(db, { ...acting, action: 'run.cancel', resourceType: 'run', resourceId: id });
  if (run.status === 'queued') {
    const cancelled = await transition(db, id, 'queued', 'cancelled', { finishedAt: new Date(), errorSummary: 'Cancelled before it started.' });
    if (cancelled) {
      await dequeueRun(queues, run.kind, id);
      return cancelled;
    }
  }
  await db.update(runs).set({ cancelRequestedAt: new Date() }).where(eq(runs.id, id));
  await stopRunning(id);
  return await getRun(db, acting.tenantId, id);
}

export function presentRun(r: Run) {
  const duration = r.startedAt && r.finishedAt ? (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 : null;
  return {
    id: r.id,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    connector_id: r.connectorId,
    pipeline_id: r.pipelineId,
    params: r.params,
    queued_at: r.queuedAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    duration_seconds: duration,
    attempt: r.attempt,
    exit_code: r.exitCode,
    record_counts: r.recordCounts,
    rows_loaded: r.rowsLoaded,
    reconciliation: r.reconciliation,
    // Values the loader could not store exactly, all streams together (each stream's `lossy` says which column and why).
    lossy_values: r.reconciliation ? r.reconciliation.reduce((sum, s) => sum + (s.lossy ?? []).reduce((n, l) => n + l.count, 0), 0) : null,
    result: r.result,
    error: r.errorSummary,
    // A failed run's reason and the settings to look at (the reason alone when none is known).
    failure: r.status === 'failed' ? { message: r.errorSummary, settings: ((r.result as { failure_settings?: string[] } | null)?.failure_settings ?? []) } : null,
    worker: r.worker,
  };
}

import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { runs, type RunKind, type RunStatus } from '../../db/schema/index.js';
import { enqueueRun, type RunQueue } from '../../jobs/queues.js';
import type { Acting } from '../acting.js';
import { recordAudit } from '../audit/service.js';
import { notFound } from '../errors.js';

export type Run = typeof runs.$inferSelect;

/** Allowed status changes. `transition` applies one only from its `from`, so two workers never both win. */
export const transitions: Array<{ from: RunStatus; to: RunStatus }> = [
  { from: 'queued', to: 'running' },
  { from: 'queued', to: 'cancelled' },
  { from: 'running', to: 'succeeded' },
  { from: 'running', to: 'failed' },
  { from: 'running', to: 'cancelled' },
];

/**
 * Creates a run and queues it. The row and its audit event are committed before the job is
 * queued, so a worker never picks up a run it cannot find.
 */
export async function createRun(
  db: Db,
  queue: RunQueue,
  acting: Acting,
  input: { kind: RunKind; trigger: 'manual' | 'schedule' | 'retry'; connectorId: string; pipelineId?: string },
) {
  const run = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(runs)
      .values({ tenantId: acting.tenantId, kind: input.kind, trigger: input.trigger, connectorId: input.connectorId, pipelineId: input.pipelineId ?? null })
      .returning();
    await recordAudit(tx, {
      ...acting,
      action: input.kind === 'sync' ? 'pipeline.run' : `connector.${input.kind}`,
      resourceType: input.pipelineId ? 'pipeline' : 'connector',
      resourceId: input.pipelineId ?? input.connectorId,
      changes: { run_id: row!.id, trigger: input.trigger },
    });
    return row!;
  });
  await enqueueRun(queue, input.kind, run.id);
  return run;
}

export async function getRun(db: Db, tenantId: string, id: string) {
  const row = await db.query.runs.findFirst({ where: and(eq(runs.tenantId, tenantId), eq(runs.id, id)) });
  if (!row) throw notFound('Run');
  return row;
}

/** For the worker, which is not acting for a tenant: the job names the run. */
export const getRunById = (db: Db, id: string) => db.query.runs.findFirst({ where: eq(runs.id, id) });

export async function transition(db: Db, id: string, from: RunStatus, to: RunStatus, patch: Partial<Run> = {}): Promise<Run | undefined> {
  if (!transitions.some((t) => t.from === from && t.to === to)) throw new Error(`Run status cannot go from ${from} to ${to}`);
  const [row] = await db
    .update(runs)
    .set({ ...patch, status: to })
    .where(and(eq(runs.id, id), eq(runs.status, from)))
    .returning();
  return row;
}

export const isFinished = (status: RunStatus) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

export function presentRun(r: Run) {
  const duration = r.startedAt && r.finishedAt ? (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 : null;
  return {
    id: r.id,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    connector_id: r.connectorId,
    pipeline_id: r.pipelineId,
    queued_at: r.queuedAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    duration_seconds: duration,
    exit_code: r.exitCode,
    record_counts: r.recordCounts,
    rows_loaded: r.rowsLoaded,
    reconciliation: r.reconciliation,
    error: r.errorSummary,
  };
}

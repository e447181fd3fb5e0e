import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { runs, type RunKind, type RunStatus } from '../../db/schema/index.js';
import { enqueueRun, type RunQueue } from '../../jobs/queues.js';
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

export async function createRun(
  db: Db,
  queue: RunQueue,
  input: { tenantId: string; kind: RunKind; trigger: 'manual' | 'schedule' | 'retry'; connectorId: string; pipelineId?: string },
) {
  const [run] = await db
    .insert(runs)
    .values({ tenantId: input.tenantId, kind: input.kind, trigger: input.trigger, connectorId: input.connectorId, pipelineId: input.pipelineId ?? null })
    .returning();
  await enqueueRun(queue, input.kind, run!.id);
  return run!;
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

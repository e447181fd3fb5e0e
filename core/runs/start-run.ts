import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { runs } from '../../db/schema/index.js';
import type { Acting } from '../acting.js';
import { enqueueRun, QueueUnavailable, type RunQueues } from './queues.js';
import { createRun } from './service.js';

export const NOT_QUEUED = "Sluice's job queue was not reachable when this run was requested, so it never started. Run it again.";

/**
 * Creates a run and queues it; what the API's "run this" routes call. When the queue cannot
 * take the job (Redis away: `QueueUnavailable` within seconds), the run it just committed is
 * ended as failed with that reason, so no run stays `queued` without a job (which would
 * answer 409 to every later run of the pipeline) and the history says what happened; the
 * caller gets the 503. If a worker took the run meanwhile, the job did reach the queue after
 * all and the run is returned as started.
 *
 * @example
 * const run = await startRun(db, queues, acting, { kind: 'test', trigger: 'manual', connectorId });
 */
export async function startRun(db: Db, queues: RunQueues, acting: Acting, input: Parameters<typeof createRun>[2]) {
  const run = await createRun(db, acting, input);
  try {
    await enqueueRun(queues, run.kind, run.id);
  } catch (error) {
    const unavailable = error instanceof QueueUnavailable ? error : new QueueUnavailable('the run was not started', error);
    // Guarded by status: a worker that got the job after all has already moved the run on.
    // (Not `transition()`: queued → failed is only ever this, a run that never reached the queue.)
    const [ended] = await db
      .update(runs)
      .set({ status: 'failed', finishedAt: new Date(), errorSummary: NOT_QUEUED })
      .where(and(eq(runs.id, run.id), eq(runs.status, 'queued')))
      .returning({ id: runs.id });
    if (ended) throw unavailable;
  }
  return run;
}

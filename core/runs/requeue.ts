import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { runs } from '../../db/schema/index.js';
import { enqueueRun, withinDeadline, type RunQueues } from './queues.js';
import { runIdsWithLiveJobs } from './reaper.js';

export const LOST_BEFORE_START = 'This run was queued, but its job ended without starting it, so Sluice ended it. Run it again.';

/**
 * Queued runs that no job will ever pick up, put right. A run is committed before its job
 * is queued; if the queue never got the job (Redis away, the API stopped in between, Redis
 * lost its data) the run would stay `queued` forever, and a queued sync answers 409 to every
 * later run of its pipeline and skips every schedule. So a run queued more than `graceMs`
 * ago with no live job is queued again (its job id is its id: queueing twice is a no-op).
 * One whose job exists but has ended (the processor failed before starting it) is ended
 * with a plain reason instead, so a run that cannot start is not retried forever. Updates
 * are guarded by status: a run a worker takes meanwhile is never touched.
 *
 * @example
 * const { requeued, ended } = await requeueLostRuns({ db, queues });
 */
export async function requeueLostRuns(deps: { db: Db; queues: RunQueues }, options: { graceMs?: number; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const queuedBefore = new Date(now.getTime() - (options.graceMs ?? 60_000));
  const candidates = await deps.db
    .select({ id: runs.id, kind: runs.kind })
    .from(runs)
    .where(and(eq(runs.status, 'queued'), lt(runs.queuedAt, queuedBefore)));
  const result = { requeued: [] as string[], ended: [] as string[] };
  if (candidates.length === 0) return result;

  // Read after the runs: a run whose job is taken in between is no longer queued (guarded below).
  const owned = await runIdsWithLiveJobs(deps.queues);
  for (const run of candidates.filter((c) => !owned.has(c.id))) {
    const job = await withinDeadline(deps.queues.forKind(run.kind).getJob(run.id), 'the queue could not be read');
    if (!job) {
      await enqueueRun(deps.queues, run.kind, run.id);
      result.requeued.push(run.id);
      continue;
    }
    const [ended] = await deps.db
      .update(runs)
      .set({ status: 'failed', finishedAt: now, errorSummary: LOST_BEFORE_START })
      .where(and(eq(runs.id, run.id), eq(runs.status, 'queued')))
      .returning({ id: runs.id });
    if (ended) result.ended.push(ended.id);
  }
  return result;
}

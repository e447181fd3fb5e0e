import { and, eq, lt } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.js';
import { runs } from '../../db/schema/index.js';
import { archiveRunLog } from './log-archive.js';
import { withinDeadline, type RunQueues } from './queues.js';
import { createLogWriter, runLogKey } from './run-log.js';

export const ORPHANED = 'The worker running this run stopped and no worker picked it up again, so Sluice ended it. Run it again.';

/** BullMQ states in which a job still belongs to a worker, or will be picked up by one. */
const LIVE_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * The runs some job still holds or will pick up: by job id (a run's job id is its id) and,
 * for a scheduled job, by the run it names in its data once it has created it. Bounded in
 * time: throws `QueueUnavailable` when Redis does not answer.
 */
export async function runIdsWithLiveJobs(queues: RunQueues): Promise<Set<string>> {
  const owned = new Set<string>();
  for (const queue of queues.all) {
    for (const job of await withinDeadline(queue.getJobs([...LIVE_STATES]), 'the queue could not be read')) {
      if (job.id) owned.add(job.id);
      const runId = (job.data as { run_id?: unknown } | undefined)?.run_id;
      if (typeof runId === 'string') owned.add(runId);
    }
  }
  return owned;
}

/**
 * Ends runs left "running" by a worker that is gone: their BullMQ job is no longer active or
 * waiting (a stalled job that used up its retries is failed by BullMQ, a completed one
 * means its worker could not save the outcome; a job lost with Redis is missing). A run
 * whose job is active belongs to a live worker; one whose job waits will be picked up again
 * (reclaim). Runs started less than `graceMs` ago are left alone. The update is guarded by
 * status and attempt, so a run a worker finishes or reclaims meanwhile is never touched.
 * Returns the ids it ended. Part of the reconciler's pass (core/runs/reconciler.ts).
 *
 * @example
 * const ended = await reapOrphanedRuns({ db, queues, redis, prefix: env.SLUICE_QUEUE_PREFIX });
 */
export async function reapOrphanedRuns(
  deps: { db: Db; queues: RunQueues; redis: Redis; prefix: string },
  options: { graceMs?: number; now?: Date } = {},
): Promise<string[]> {
  const now = options.now ?? new Date();
  const startedBefore = new Date(now.getTime() - (options.graceMs ?? 2 * 60_000));
  const candidates = await deps.db
    .select({ id: runs.id, attempt: runs.attempt })
    .from(runs)
    .where(and(eq(runs.status, 'running'), lt(runs.startedAt, startedBefore)));
  if (candidates.length === 0) return [];

  // Read after the runs: a job that finishes in between has already ended its run, which the guarded update skips.
  const owned = await runIdsWithLiveJobs(deps.queues);

  const ended: string[] = [];
  for (const candidate of candidates.filter((c) => !owned.has(c.id))) {
    const [row] = await deps.db
      .update(runs)
      .set({ status: 'failed', finishedAt: now, errorSummary: ORPHANED })
      .where(and(eq(runs.id, candidate.id), eq(runs.status, 'running'), eq(runs.attempt, candidate.attempt)))
      .returning({ id: runs.id });
    if (!row) continue;
    ended.push(row.id);
    // The live log ends too, so anyone following it is not left waiting.
    const key = runLogKey(deps.prefix, row.id);
    const writer = createLogWriter(deps.redis, key);
    writer.write({ type: 'log', level: 'error', message: ORPHANED, at: now.toISOString() });
    writer.write({ type: 'end', status: 'failed', at: now.toISOString() });
    await writer.close();
    await archiveRunLog(deps.redis, deps.db, key, row.id);
  }
  return ended;
}

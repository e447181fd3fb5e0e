import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { reapplySchedules } from '../pipelines/reapply-schedules.js';
import { deleteOldLogs } from './log-archive.js';
import { QueueUnavailable, type RunQueues } from './queues.js';
import { reapOrphanedRuns } from './reaper.js';
import { requeueLostRuns } from './requeue.js';

/** The Postgres advisory lock key that lets one reconciler run a pass at a time, across every worker ("sluc"; the migrator holds another, 727274). */
export const RECONCILER_LOCK = 0x736c_7563;

export type ReconcilerDeps = {
  db: Db;
  /** Producer queues and connection (fail fast: a pass never waits on Redis for long). */
  queues: RunQueues;
  redis: Redis;
  prefix: string;
  log: Logger;
  logRetentionDays: number;
};

export type Pass = {
  requeued: string[];
  endedQueued: string[];
  schedulesApplied: string[];
  schedulesRemoved: string[];
  reaped: string[];
  logsDeleted: number;
};

/**
 * One pass of the reconciler, if no other is running anywhere (returns `undefined` then):
 * what Redis and Postgres disagree about is put right, with Postgres as the truth.
 * 1. queued runs no job will pick up are queued again (core/runs/requeue.ts);
 * 2. pipelines' job schedulers are re-applied from the pipelines table;
 * 3. runs left running by a worker that is gone are ended (core/runs/reaper.ts);
 * 4. archived logs past their retention are deleted.
 * Each step runs even when another failed; a step that cannot reach Redis is skipped
 * quietly (the connection logs the outage once), any other failure is logged with its cause.
 *
 * The lock is transaction-scoped (`pg_try_advisory_xact_lock`): it is released when the pass
 * ends, and by Postgres itself if the worker holding it dies.
 *
 * @example
 * const pass = await reconcileOnce(deps); // undefined: another worker is reconciling
 */
export async function reconcileOnce(deps: ReconcilerDeps, options: { queuedGraceMs?: number; runningGraceMs?: number } = {}): Promise<Pass | undefined> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${RECONCILER_LOCK}) as locked`);
    if (!row?.locked) return undefined;
    // The steps use the pool, not this transaction: their writes commit as they go.
    const pass: Pass = { requeued: [], endedQueued: [], schedulesApplied: [], schedulesRemoved: [], reaped: [], logsDeleted: 0 };
    const step = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof QueueUnavailable)) deps.log.error({ err: error, step: name }, 'reconciler step failed');
      }
    };
    await step('requeue', async () => {
      const found = await requeueLostRuns(deps, options.queuedGraceMs === undefined ? {} : { graceMs: options.queuedGraceMs });
      pass.requeued = found.requeued;
      pass.endedQueued = found.ended;
    });
    await step('schedules', async () => {
      const found = await reapplySchedules(deps.db, deps.queues);
      pass.schedulesApplied = found.applied;
      pass.schedulesRemoved = found.removed;
    });
    await step('reap', async () => {
      pass.reaped = await reapOrphanedRuns(deps, options.runningGraceMs === undefined ? {} : { graceMs: options.runningGraceMs });
    });
    await step('log retention', async () => {
      pass.logsDeleted = await deleteOldLogs(deps.db, deps.logRetentionDays);
    });
    return pass;
  });
}

/** Logs what a pass changed (nothing when it changed nothing). */
function report(log: Logger, pass: Pass) {
  const { requeued, endedQueued, schedulesApplied, schedulesRemoved, reaped, logsDeleted } = pass;
  if (requeued.length > 0) log.warn({ runs: requeued }, 'queued again runs whose job was lost');
  if (endedQueued.length > 0) log.warn({ runs: endedQueued }, 'ended queued runs whose job ended without starting them');
  if (schedulesApplied.length > 0 || schedulesRemoved.length > 0) log.warn({ applied: schedulesApplied, removed: schedulesRemoved }, 're-applied pipeline schedules missing or stale in Redis');
  if (reaped.length > 0) log.warn({ runs: reaped }, 'ended runs whose worker is gone');
  if (logsDeleted > 0) log.info({ logs: logsDeleted }, 'deleted run logs past their retention');
}

/**
 * Runs `reconcileOnce` every `intervalMs` on this worker (passes never overlap here, and the
 * advisory lock keeps other workers' passes from overlapping this one). Every worker starts
 * one, so the reconciler lives as long as any worker does. `stop()` waits for a pass in flight.
 *
 * @example
 * const reconciler = startReconciler(deps, 60_000);
 * await reconciler.stop();
 */
export function startReconciler(deps: ReconcilerDeps, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = reconcileOnce(deps)
      .then((pass) => pass && report(deps.log, pass))
      .catch((error: unknown) => deps.log.error({ err: error }, 'reconciler pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  // A first pass soon after start (a restarted fleet repairs at once), not at the very start, when every worker boots together.
  timer = setTimeout(tick, Math.min(intervalMs, 5_000 + Math.random() * 5_000)).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { RunKind } from '../../db/schema/index.js';

/**
 * One queue per run kind: connection tests and discovery are interactive (someone is
 * waiting in the wizard) and must never queue behind a night of syncs. Job payloads carry
 * ids, never secrets or configs.
 */
export const QUEUE_NAMES: Record<RunKind, string> = { test: 'runs-test', discover: 'runs-discover', sync: 'runs-sync' };

export const runJobSchema = z.union([z.object({ run_id: z.uuid() }), z.object({ pipeline_id: z.uuid(), scheduled: z.literal(true) })]);
export type RunJob = z.infer<typeof runJobSchema>;

/** Transient failures (network, warehouse down) retry with exponential backoff and jitter; the processor decides what is transient. */
export const RETRIES: Record<RunKind, Pick<JobsOptions, 'attempts' | 'backoff'>> = {
  test: { attempts: 1 },
  discover: { attempts: 2, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 } },
  sync: { attempts: 4, backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 } },
};

export type RunQueues = {
  forKind(kind: RunKind): Queue<RunJob>;
  /** Attempts and backoff for a kind, as configured (scheduled jobs carry them too). */
  retries(kind: RunKind): Pick<JobsOptions, 'attempts' | 'backoff'>;
  all: Array<Queue<RunJob>>;
  close(): Promise<void>;
  obliterate(options?: { force?: boolean }): Promise<void>;
};
/** @deprecated name kept for callers that hold "the queue": it is the set of run queues. */
export type RunQueue = RunQueues;

/**
 * @example
 * const queues = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
 * await enqueueRun(queues, 'sync', run.id);
 */
export function createRunQueue(connection: ConnectionOptions, prefix: string, options: { syncRetryDelayMs?: number } = {}): RunQueues {
  const retries = (kind: RunKind): Pick<JobsOptions, 'attempts' | 'backoff'> =>
    kind === 'sync' && options.syncRetryDelayMs !== undefined ? { ...RETRIES.sync, backoff: { type: 'exponential', delay: options.syncRetryDelayMs, jitter: 0.5 } } : RETRIES[kind];
  const byKind = Object.fromEntries(
    (Object.keys(QUEUE_NAMES) as RunKind[]).map((kind) => [
      kind,
      new Queue<RunJob>(QUEUE_NAMES[kind], { connection, prefix, defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, ...retries(kind) } }),
    ]),
  ) as Record<RunKind, Queue<RunJob>>;
  const all = Object.values(byKind);
  return {
    forKind: (kind) => byKind[kind],
    retries,
    all,
    close: async () => void (await Promise.all(all.map((q) => q.close()))),
    obliterate: async (options) => void (await Promise.all(all.map((q) => q.obliterate(options)))),
  };
}

/** The job id is the run id, so enqueueing the same run twice is a no-op. */
export async function enqueueRun(queues: RunQueues, kind: RunKind, runId: string): Promise<void> {
  await queues.forKind(kind).add(kind, { run_id: runId }, { jobId: runId });
}

/** Removes a queued run's job (a run that is already running is stopped through its cancel signal instead). */
export async function dequeueRun(queues: RunQueues, kind: RunKind, runId: string): Promise<void> {
  const job = await queues.forKind(kind).getJob(runId);
  if (job && ((await job.isWaiting()) || (await job.isDelayed()))) await job.remove().catch(() => undefined);
}

const schedulerId = (pipelineId: string) => `pipeline-${pipelineId}`;

/** A pipeline's cron + time zone as a BullMQ job scheduler (created or updated). */
export async function upsertSchedule(queues: RunQueues, pipelineId: string, schedule: { cron: string; timezone: string }): Promise<void> {
  await queues
    .forKind('sync')
    .upsertJobScheduler(schedulerId(pipelineId), { pattern: schedule.cron, tz: schedule.timezone }, { name: 'scheduled', data: { pipeline_id: pipelineId, scheduled: true }, opts: queues.retries('sync') });
}

export async function removeSchedule(queues: RunQueues, pipelineId: string): Promise<void> {
  await queues.forKind('sync').removeJobScheduler(schedulerId(pipelineId));
}

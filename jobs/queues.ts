import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

/** One queue carries every run; the job's name is the run kind. Payloads carry ids, never secrets. */
export const RUN_QUEUE = 'runs';

export const runJobSchema = z.object({ run_id: z.uuid() });
export type RunJob = z.infer<typeof runJobSchema>;

export type RunQueue = Queue<RunJob>;

/**
 * @example
 * const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
 * await enqueueRun(queue, 'sync', run.id);
 */
export function createRunQueue(connection: ConnectionOptions, prefix: string): RunQueue {
  return new Queue<RunJob>(RUN_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } },
  });
}

/** The job id is the run id, so enqueueing the same run twice is a no-op. */
export async function enqueueRun(queue: RunQueue, kind: string, runId: string): Promise<void> {
  await queue.add(kind, { run_id: runId }, { jobId: runId });
}

import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RunKind } from '../../db/schema/index.js';
import { AppError } from '../errors.js';
import { PRODUCER_TIMEOUT_MS, producerConnection, watchRedisOutages } from './queue-connection.js';

/**
 * One queue per run kind: connection tests and discovery are interactive (someone is
 * waiting in the wizard) and must never queue behind a night of syncs. Job payloads carry
 * ids, never secrets or configs.
 */
export const QUEUE_NAMES: Record<RunKind, string> = { test: 'runs-test', discover: 'runs-discover', sync: 'runs-sync' };

/**
 * `drop_slot`: release a pipeline's replication slot on its PostgreSQL source (the pipeline was
 * deleted, or no stream of it reads the change log any more); the worker does it, through
 * the connector's checked address, as it does for a sync.
 */
const slotDropJobSchema = z.object({ drop_slot: z.object({ tenant_id: z.uuid(), connector_id: z.uuid(), pipeline_id: z.uuid() }) });
export const runJobSchema = z.union([z.object({ run_id: z.uuid() }), z.object({ pipeline_id: z.uuid(), scheduled: z.literal(true) }), slotDropJobSchema]);
export type SlotDropJob = z.infer<typeof slotDropJobSchema>['drop_slot'];
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

/**
 * The run queues of a producer (the API, the reconciler) on a connection of their own that
 * fails fast (`producerConnection`), with outages logged once. `close()` closes the connection too.
 *
 * @example
 * const queues = openProducerQueues(env.REDIS_URL, env.SLUICE_QUEUE_PREFIX, log);
 */
export function openProducerQueues(url: string, prefix: string, log: Logger, options: { syncRetryDelayMs?: number } = {}): RunQueues {
  const connection = producerConnection(url);
  const queues = createRunQueue(connection, prefix, options);
  watchRedisOutages(log, 'queue', connection, ...queues.all);
  return {
    ...queues,
    close: async () => {
      await queues.close();
      connection.disconnect();
    },
  };
}

/** The run queue (Redis) did not answer: nothing was queued. Carries the Redis error as `cause`. */
export class QueueUnavailable extends AppError {
  constructor(what: string, cause: unknown) {
    super('unavailable', `Sluice's job queue is not reachable right now, so ${what}. Try again in a minute.`);
    this.cause = cause;
  }
}

/**
 * A queue operation, bounded: BullMQ waits for a connection that was never ready however
 * long it takes, and a producer must answer within seconds. A rejected or timed-out call
 * becomes `QueueUnavailable` (what the caller says was not done).
 */
export async function withinDeadline<T>(operation: Promise<T>, notDone: string, ms = PRODUCER_TIMEOUT_MS + 1_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([operation, deadline]);
  } catch (error) {
    throw new QueueUnavailable(notDone, error);
  } finally {
    clearTimeout(timer);
    // a call that lost the race may still settle later: its outcome is nobody's to handle
    operation.catch(() => undefined);
  }
}

/**
 * The job id is the run id, so enqueueing the same run twice is a no-op. Throws
 * `QueueUnavailable` within seconds when Redis is away (see `startRun` for what becomes of the run).
 */
export async function enqueueRun(queues: RunQueues, kind: RunKind, runId: string): Promise<void> {
  await withinDeadline(queues.forKind(kind).add(kind, { run_id: runId }, { jobId: runId }), 'the run was not started');
}

/**
 * Asks a worker to drop a pipeline's replication slot on its source (ids only). Retried with
 * backoff when the source is away; throws `QueueUnavailable` within seconds when Redis is.
 */
export async function enqueueSlotDrop(queues: RunQueues, job: SlotDropJob): Promise<void> {
  const options = { attempts: 5, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 } };
  await withinDeadline(queues.forKind('sync').add('drop-slot', { drop_slot: job }, options), "the source's change-log slot was not released");
}

/**
 * Removes a queued run's job (a run that is already running is stopped through its cancel
 * signal instead). Called after the run is marked cancelled; when Redis is away the job
 * stays, and the worker that takes it finds its run finished and leaves it alone.
 */
export async function dequeueRun(queues: RunQueues, kind: RunKind, runId: string): Promise<void> {
  const remove = async () => {
    const job = await queues.forKind(kind).getJob(runId);
    if (job && ((await job.isWaiting()) || (await job.isDelayed()))) await job.remove().catch(() => undefined);
  };
  await withinDeadline(remove(), 'the cancelled run stays in the queue').catch((error: unknown) => {
    if (!(error instanceof QueueUnavailable)) throw error;
  });
}

const SCHEDULER_PREFIX = 'pipeline-';
const schedulerId = (pipelineId: string) => `${SCHEDULER_PREFIX}${pipelineId}`;

/** A pipeline's cron + time zone as a BullMQ job scheduler (created or updated). */
export async function upsertSchedule(queues: RunQueues, pipelineId: string, schedule: { cron: string; timezone: string }): Promise<void> {
  const upsert = queues
    .forKind('sync')
    .upsertJobScheduler(schedulerId(pipelineId), { pattern: schedule.cron, tz: schedule.timezone }, { name: 'scheduled', data: { pipeline_id: pipelineId, scheduled: true }, opts: queues.retries('sync') });
  await withinDeadline(upsert, "the pipeline's schedule was not applied yet");
}

export async function removeSchedule(queues: RunQueues, pipelineId: string): Promise<void> {
  await withinDeadline(queues.forKind('sync').removeJobScheduler(schedulerId(pipelineId)), "the pipeline's old schedule was not removed yet");
}

/** The pipelines' job schedulers as BullMQ holds them, by pipeline id. */
export async function listSchedules(queues: RunQueues): Promise<Map<string, { cron: string | undefined; timezone: string | undefined }>> {
  const found = await withinDeadline(queues.forKind('sync').getJobSchedulers(0, -1), 'the schedules could not be read');
  const byPipeline = new Map<string, { cron: string | undefined; timezone: string | undefined }>();
  for (const s of found) {
    const id = s.id ?? s.key;
    if (id.startsWith(SCHEDULER_PREFIX)) byPipeline.set(id.slice(SCHEDULER_PREFIX.length), { cron: s.pattern, timezone: s.tz });
  }
  return byPipeline;
}

import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { configurePluginUids, isolatesPlugins, notRunnableByOthers } from '../meltano/plugin-uids.js';
import { projectRoot } from '../meltano/project.js';
import { stopOwnRuns, sweepStaleRunDirs } from '../meltano/run-dir.js';
import { loadEnvOrExit } from '../core/env.js';
import { createLogger } from '../core/logger.js';
import { listenForCancels } from '../core/runs/cancel.js';
import type { WorkerDeps } from './deps.js';
import { producerConnection, watchRedisOutages } from '../core/runs/queue-connection.js';
import { createRunQueue, QUEUE_NAMES, type RunJob } from '../core/runs/queues.js';
import { startReconciler } from '../core/runs/reconciler.js';
import { createRunProcessor } from './run.processor.js';
import { createTenantSlots } from './tenant-slots.js';

const env = loadEnvOrExit();
let stopping = false;
const log = createLogger(env.LOG_LEVEL, 'sluice-worker');
// A bug that escapes every handler leaves this process in a state nobody knows: log it with
// its stack and exit non-zero; BullMQ hands its runs to another worker (stalled-job recovery)
// and the next worker on this machine stops the plugin processes it left.
process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception; the worker stops');
  process.exit(1);
});
// A promise nobody awaited failed (a log write, a housekeeping step): the process itself is
// intact, and exiting would stop every sync in progress here for it. Logged as the bug it is.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
const { db, close: closeDb } = createDb(env.DATABASE_URL);
// BullMQ workers need maxRetriesPerRequest: null (blocking commands must not time out).
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const redis = new Redis(env.REDIS_URL);
const workerOutage = watchRedisOutages(log, 'worker', connection);
watchRedisOutages(log, 'redis', redis);
const subscriber = new Redis(env.REDIS_URL);
watchRedisOutages(log, 'cancels', subscriber);
const cancels = await listenForCancels(subscriber, env.SLUICE_QUEUE_PREFIX);

configurePluginUids(env.SLUICE_PLUGIN_UIDS);
if (!isolatesPlugins()) {
  log.warn('the worker does not run as root: plugin processes run as the worker\'s own user and can read what it can (run the worker as root to give each plugin process a user id of its own)');
} else {
  // Plugins run under uids of their own: their interpreters must be reachable by others.
  const interpreters = [process.execPath];
  for (const kind of ['extractors', 'loaders']) {
    for (const name of await readdir(path.join(projectRoot, '.meltano', kind)).catch(() => [] as string[])) interpreters.push(path.join(projectRoot, '.meltano', kind, name, 'venv', 'bin', 'python'));
  }
  for (const file of interpreters) {
    const problem = await notRunnableByOthers(file);
    if (problem) log.error({ interpreter: file, problem }, 'plugins using this interpreter cannot start under their own user id');
  }
}

const sweep = async () => {
  const swept = await sweepStaleRunDirs();
  if (swept > 0) log.warn({ swept }, 'stopped and removed runs left by a worker that died');
};
await sweep();

const deps: WorkerDeps = {
  db,
  redis,
  keyring: keyringFrom(env),
  log,
  env,
  slots: createTenantSlots(redis, env.SLUICE_QUEUE_PREFIX, env.TENANT_MAX_CONCURRENT_SYNCS),
  cancels,
  timeoutsMs: { test: env.TEST_TIMEOUT_SECONDS * 1000, discover: env.DISCOVER_TIMEOUT_SECONDS * 1000, sync: env.SYNC_TIMEOUT_SECONDS * 1000 },
  workerName: `${hostname()}:${process.pid}`,
  isStopping: () => stopping,
};
const processor = createRunProcessor(deps);
// Interactive runs (a person waits in the wizard) have their own queues and slots.
const workers = [
  // A sync whose worker died is picked up again (stalled-job recovery) a few times before giving up.
  new Worker<RunJob>(QUEUE_NAMES.sync, processor, { connection, prefix: env.SLUICE_QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY, maxStalledCount: 3, stalledInterval: 15_000 }),
  new Worker<RunJob>(QUEUE_NAMES.test, processor, { connection, prefix: env.SLUICE_QUEUE_PREFIX, concurrency: env.WORKER_INTERACTIVE_CONCURRENCY }),
  new Worker<RunJob>(QUEUE_NAMES.discover, processor, { connection, prefix: env.SLUICE_QUEUE_PREFIX, concurrency: env.WORKER_INTERACTIVE_CONCURRENCY }),
];
for (const worker of workers) {
  worker.on('error', (error) => workerOutage(error) || log.error({ err: error, queue: worker.name }, 'worker error'));
  worker.on('failed', (job, error) => log.warn({ job: job?.id, queue: worker.name, err: error }, 'job attempt failed'));
}
log.info({ concurrency: env.WORKER_CONCURRENCY, interactive: env.WORKER_INTERACTIVE_CONCURRENCY, prefix: env.SLUICE_QUEUE_PREFIX }, 'worker ready');

// Per machine, so on every worker: plugin folders and processes left by a worker that died here.
const housekeeping = setInterval(() => void sweep().catch((error: unknown) => log.error({ err: error }, 'sweep failed')), 60_000);
housekeeping.unref();

// Once for the whole fleet (an advisory lock picks one worker per pass): queued runs whose job
// was lost, pipeline schedules missing from Redis, runs whose worker is gone, old logs.
// On a connection of its own that fails fast, so a pass never hangs on a Redis outage.
const reconcilerRedis = producerConnection(env.REDIS_URL);
const reconcilerQueues = createRunQueue(reconcilerRedis, env.SLUICE_QUEUE_PREFIX, { syncRetryDelayMs: env.SYNC_RETRY_DELAY_SECONDS * 1000 });
watchRedisOutages(log, 'reconciler', reconcilerRedis, ...reconcilerQueues.all);
const reconciler =
  env.SLUICE_RECONCILE_SECONDS > 0
    ? startReconciler({ db, queues: reconcilerQueues, redis: reconcilerRedis, prefix: env.SLUICE_QUEUE_PREFIX, log: log.child({ module: 'reconciler' }), logRetentionDays: env.LOG_RETENTION_DAYS }, env.SLUICE_RECONCILE_SECONDS * 1000)
    : undefined;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  clearInterval(housekeeping);
  await reconciler?.stop();
  // Runs in progress are not failed: their Meltano stops, and another worker resumes them.
  const closing = Promise.all(workers.map((w) => w.close(true)));
  const stopped = await stopOwnRuns();
  if (stopped > 0) log.warn({ stopped }, 'stopped runs in progress; they resume on another worker');
  await closing;
  await cancels.close();
  await reconcilerQueues.close();
  reconcilerRedis.disconnect();
  await Promise.all([connection.quit(), redis.quit(), closeDb()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

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
import { deleteOldLogs } from '../core/runs/log-archive.js';
import { createRunQueue, QUEUE_NAMES, type RunJob } from '../core/runs/queues.js';
import { reapOrphanedRuns } from '../core/runs/reaper.js';
import { createRunProcessor } from './run.processor.js';
import { createTenantSlots } from './tenant-slots.js';

const env = loadEnvOrExit();
let stopping = false;
const log = createLogger(env.LOG_LEVEL, 'sluice-worker');
const { db, close: closeDb } = createDb(env.DATABASE_URL);
// BullMQ workers need maxRetriesPerRequest: null (blocking commands must not time out).
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const redis = new Redis(env.REDIS_URL);
for (const client of [connection, redis]) client.on('error', (error) => log.warn({ err: error.message }, 'redis unavailable; reconnecting'));
const cancels = await listenForCancels(new Redis(env.REDIS_URL), env.SLUICE_QUEUE_PREFIX);

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
  worker.on('error', (error) => log.error({ err: error.message, queue: worker.name }, 'worker error'));
  worker.on('failed', (job, error) => log.warn({ job: job?.id, queue: worker.name, err: error.message }, 'job attempt failed'));
}
log.info({ concurrency: env.WORKER_CONCURRENCY, interactive: env.WORKER_INTERACTIVE_CONCURRENCY, prefix: env.SLUICE_QUEUE_PREFIX }, 'worker ready');

// Housekeeping: runs of workers that died on this machine, and logs past their retention.
// Only for looking jobs up: the reaper asks BullMQ whether a run's job is still alive.
const runQueues = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
const housekeeping = setInterval(() => {
  void sweep().catch((error: Error) => log.error({ err: error.message }, 'sweep failed'));
  void deleteOldLogs(db, env.LOG_RETENTION_DAYS).catch((error: Error) => log.error({ err: error.message }, 'log retention failed'));
  // A run left "running" by a worker that is gone (its job no longer active anywhere) is ended, never left hanging.
  void reapOrphanedRuns({ db, queues: runQueues, redis, prefix: env.SLUICE_QUEUE_PREFIX })
    .then((ended) => ended.length > 0 && log.warn({ ended }, 'ended runs whose worker is gone'))
    .catch((error: Error) => log.error({ err: error.message }, 'reaping orphaned runs failed'));
}, 60_000);
housekeeping.unref();

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  clearInterval(housekeeping);
  // Runs in progress are not failed: their Meltano stops, and another worker resumes them.
  const closing = Promise.all(workers.map((w) => w.close(true)));
  const stopped = await stopOwnRuns();
  if (stopped > 0) log.warn({ stopped }, 'stopped runs in progress; they resume on another worker');
  await closing;
  await cancels.close();
  await runQueues.close();
  await Promise.all([connection.quit(), redis.quit(), closeDb()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

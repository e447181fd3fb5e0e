import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { sweepStaleRunDirs } from '../meltano/run-dir.js';
import { loadEnvOrExit } from '../server/env.js';
import { createLogger } from '../server/logger.js';
import { RUN_QUEUE, type RunJob } from './queues.js';
import { createRunProcessor } from './run.processor.js';

const env = loadEnvOrExit();
const log = createLogger(env.LOG_LEVEL, 'sluice-worker');
const { db, close: closeDb } = createDb(env.DATABASE_URL);
// BullMQ workers need maxRetriesPerRequest: null (blocking commands must not time out).
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const logRedis = new Redis(env.REDIS_URL);

const swept = await sweepStaleRunDirs();
if (swept > 0) log.warn({ swept }, 'removed run folders left by a stopped worker');

const worker = new Worker<RunJob>(RUN_QUEUE, createRunProcessor({ db, redis: logRedis, keyring: keyringFrom(env), log, env }), {
  connection,
  prefix: env.SLUICE_QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
});
worker.on('error', (error) => log.error({ err: error.message }, 'worker error'));
worker.on('failed', (job, error) => log.error({ job: job?.id, err: error.message }, 'job failed'));
log.info({ concurrency: env.WORKER_CONCURRENCY, queue: `${env.SLUICE_QUEUE_PREFIX}:${RUN_QUEUE}` }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  await worker.close();
  await Promise.all([connection.quit(), logRedis.quit(), closeDb()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

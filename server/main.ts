import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { watchRedisOutages } from '../core/runs/queue-connection.js';
import { openProducerQueues } from '../core/runs/queues.js';
import { createApp } from './app.js';
import { loadEnvOrExit } from '../core/env.js';
import { createLogger } from '../core/logger.js';

const env = loadEnvOrExit();
const log = createLogger(env.LOG_LEVEL, 'sluice-api');
// A bug that escapes every handler leaves the process in a state nobody knows: log it with
// its stack and exit non-zero, for the supervisor to start a clean one.
process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception; the API stops');
  process.exit(1);
});
// A promise nobody awaited failed: one request's loose end, not the process's state. Exiting
// would cut every other request and open log stream for it; it is logged as the bug it is.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
const { db, close: closeDb } = createDb(env.DATABASE_URL);
// Live logs, sign-in limits, cancels. ioredis reconnects by itself; outages are logged once.
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
watchRedisOutages(log, 'redis', redis);
// The run queues have a connection of their own that fails fast: a run that cannot be queued answers 503 within seconds.
const queue = openProducerQueues(env.REDIS_URL, env.SLUICE_QUEUE_PREFIX, log, { syncRetryDelayMs: env.SYNC_RETRY_DELAY_SECONDS * 1000 });
const webRoot = fileURLToPath(new URL('../web/dist', import.meta.url));

const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log, queuePrefix: env.SLUICE_QUEUE_PREFIX, webRoot, trustProxy: env.SLUICE_TRUST_PROXY, meltanoFile: env.SLUICE_MELTANO_FILE });
const server = serve({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, (info) => log.info({ url: `http://${env.HOST}:${info.port}` }, 'api listening'));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'api stopping');
  server.close();
  await queue.close();
  await Promise.all([redis.quit(), closeDb()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

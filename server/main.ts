import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { createRunQueue } from '../core/runs/queues.js';
import { createApp } from './app.js';
import { loadEnvOrExit } from '../core/env.js';
import { createLogger } from '../core/logger.js';

const env = loadEnvOrExit();
const log = createLogger(env.LOG_LEVEL, 'sluice-api');
const { db, close: closeDb } = createDb(env.DATABASE_URL);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
// ioredis reconnects by itself; say so once per outage instead of an unhandled-error trace.
redis.on('error', (error) => log.warn({ err: error.message }, 'redis unavailable; reconnecting'));
const queue = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX, { syncRetryDelayMs: env.SYNC_RETRY_DELAY_SECONDS * 1000 });
const webRoot = fileURLToPath(new URL('../web/dist', import.meta.url));

const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log, queuePrefix: env.SLUICE_QUEUE_PREFIX, webRoot, trustProxy: env.SLUICE_TRUST_PROXY });
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

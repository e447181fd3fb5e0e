import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Keyring } from '../db/crypto.js';
import type { Env } from '../server/env.js';

/** What a run needs from the worker process. */
export type WorkerDeps = {
  db: Db;
  redis: Redis;
  keyring: Keyring;
  log: Logger;
  env: Pick<Env, 'DATABASE_URL' | 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'SLUICE_QUEUE_PREFIX'>;
};

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Keyring } from '../db/crypto.js';
import type { RunKind } from '../db/schema/index.js';
import type { ConnectorPolicyEnv } from '../core/connectors/access-policy.js';
import type { Env } from '../core/env.js';
import type { CancelRegistry } from '../core/runs/cancel.js';
import type { TenantSlots } from './tenant-slots.js';

/** What a run needs from the worker process. */
export type WorkerDeps = {
  db: Db;
  redis: Redis;
  keyring: Keyring;
  log: Logger;
  env: Pick<Env, 'DATABASE_URL' | 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'SLUICE_CLICKHOUSE_USERS_DIR' | 'SLUICE_QUEUE_PREFIX' | 'SLUICE_DISCOVERY_REUSE_SECONDS'> & ConnectorPolicyEnv;
  slots: TenantSlots;
  cancels: CancelRegistry;
  timeoutsMs: Record<RunKind, number>;
  /** host:pid, shown on the run. */
  workerName: string;
  /** True once the worker is shutting down: runs it stops are left for another worker to resume. */
  isStopping: () => boolean;
};

import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { connectors, pipelines, runs as runsTable, type RunKind, type RunStatus } from '../../db/schema/index.js';
import { privateDatabase } from '../../e2e/private-database.js';
import { testEnv } from '../../e2e/test-env.js';
import { loadEnv } from '../env.js';
import * as tenants from '../tenants/service.js';
import { producerConnection } from './queue-connection.js';
import { createRunQueue, enqueueRun, listSchedules, QUEUE_NAMES, upsertSchedule } from './queues.js';
import { RECONCILER_LOCK, reconcileOnce, type ReconcilerDeps } from './reconciler.js';
import { LOST_BEFORE_START } from './requeue.js';
import { getRunById } from './service.js';

// The reconciler acts on every run and pipeline of its database: this file has a database of its own.
describe('the reconciler', async () => {
  const env = loadEnv(await testEnv());
  const database = await privateDatabase('reconciler');
  const redis = producerConnection(env.REDIS_URL);
  const queues = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const log = pino({ level: 'silent' });
  // Two workers' worth of pools: each reconciler has its own, as in two processes.
  const pools = [createDb(database.url, { max: 3 }), createDb(database.url, { max: 3 })] as const;
  const { db } = pools[0];
  const depsOf = (pool: (typeof pools)[number]): ReconcilerDeps => ({ db: pool.db, queues, redis, prefix: env.SLUICE_QUEUE_PREFIX, log, logRetentionDays: 30 });
  let tenantId = '';
  let connectorId = '';
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, 'reconciler')).id;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
  });
  afterAll(async () => {
    await queues.obliterate({ force: true });
    await queues.close();
    redis.disconnect();
    for (const pool of pools) await pool.close();
    await database.drop();
  });

  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const insertRun = async (status: RunStatus, at: Date, kind: RunKind = 'test') =>
    (await db.insert(runsTable).values({ tenantId, connectorId, kind, trigger: 'manual', status, queuedAt: at, ...(status === 'running' ? { startedAt: at, attempt: 1, worker: 'gone:1' } : {}) }).returning())[0]!.id;
  const jobState = async (runId: string) => (await queues.forKind('test').getJob(runId))?.getState();

  it('queues again a queued run whose job never reached Redis, and ends one whose job ended without starting it', async () => {
    const lost = await insertRun('queued', minutesAgo(10));
    const recent = await insertRun('queued', new Date()); // its API may be queueing it right now
    const waiting = await insertRun('queued', minutesAgo(10));
    await enqueueRun(queues, 'test', waiting);
    // A processor that failed before starting its run (its job is failed, the run still queued).
    const failedJob = await insertRun('queued', minutesAgo(10), 'discover');
    await enqueueRun(queues, 'discover', failedJob);
    const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(QUEUE_NAMES.discover, () => Promise.reject(new Error('the processor crashed before starting the run')), { connection, prefix: env.SLUICE_QUEUE_PREFIX });
    try {
      await expect.poll(() => queues.forKind('discover').getJobState(failedJob), { timeout: 10_000 }).toBe('failed');
    } finally {
      await worker.close();
      await connection.quit();
    }
    expect(await jobState(lost)).toBeUndefined();

    const pass = await reconcileOnce(depsOf(pools[0]));
    expect(pass?.requeued).toEqual([lost]);
    expect(await jobState(lost)).toBe('waiting');
    expect(await jobState(recent)).toBeUndefined();
    expect(pass?.endedQueued).toEqual([failedJob]);
    expect(await getRunById(db, failedJob)).toMatchObject({ status: 'failed', errorSummary: LOST_BEFORE_START });
    expect((await getRunById(db, waiting))?.status).toBe('queued');
    expect((await getRunById(db, lost))?.status).toBe('queued');
    // A second pass finds nothing left to do.
    expect(await reconcileOnce(depsOf(pools[0]))).toMatchObject({ requeued: [], endedQueued: [] });
  });

  it('gives a pipeline back the job scheduler Redis lost, and removes schedulers no pipeline wants', async () => {
    const [scheduled] = await db.insert(pipelines).values({ tenantId, name: 'nightly', sourceConnectorId: connectorId, destinationDatabase: 'sluice_reconciler', streams: [], scheduleCron: '0 3 * * *', scheduleTimezone: 'Europe/Paris' }).returning();
    const [disabled] = await db.insert(pipelines).values({ tenantId, name: 'off', sourceConnectorId: connectorId, destinationDatabase: 'sluice_reconciler', streams: [], scheduleCron: '0 4 * * *', enabled: false }).returning();
    await upsertSchedule(queues, scheduled!.id, { cron: '0 3 * * *', timezone: 'Europe/Paris' });
    await upsertSchedule(queues, disabled!.id, { cron: '0 4 * * *', timezone: 'UTC' });
    const deletedPipeline = randomUUID();
    await upsertSchedule(queues, deletedPipeline, { cron: '*/5 * * * *', timezone: 'UTC' });
    // Redis loses the pipeline's scheduler (a flush, a failover, an outage during a change).
    await queues.forKind('sync').removeJobScheduler(`pipeline-${scheduled!.id}`);
    expect((await listSchedules(queues)).has(scheduled!.id)).toBe(false);

    const pass = await reconcileOnce(depsOf(pools[0]));
    expect(pass?.schedulesApplied).toEqual([scheduled!.id]);
    expect(pass?.schedulesRemoved.sort()).toEqual([disabled!.id, deletedPipeline].sort());
    const present = await listSchedules(queues);
    expect(present.get(scheduled!.id)).toEqual({ cron: '0 3 * * *', timezone: 'Europe/Paris' });
    expect([...present.keys()]).toEqual([scheduled!.id]);
    // A scheduler that already matches is left alone (its next run undisturbed).
    expect(await reconcileOnce(depsOf(pools[0]))).toMatchObject({ schedulesApplied: [], schedulesRemoved: [] });
    await db.delete(pipelines).where(eq(pipelines.tenantId, tenantId));
    await reconcileOnce(depsOf(pools[0]));
  });

  it('runs one pass at a time: a second reconciler skips while one holds the lock', async () => {
    // Reconciler A is held mid-pass: the run it reaps is row-locked by this test's transaction.
    const orphan = await insertRun('running', minutesAgo(10));
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    let passA: ReturnType<typeof reconcileOnce> | undefined;
    try {
      await sql.begin(async (tx) => {
        await tx`select 1 from runs where id = ${orphan} for update`;
        passA = reconcileOnce(depsOf(pools[0]));
        await expect.poll(async () => (await tx`select count(*)::int as n from pg_stat_activity where datname = ${database.name} and wait_event_type = 'Lock'`)[0]!.n, { timeout: 10_000 }).toBe(1);
        // B, on another pool (another worker), finds A's lock and does nothing (a B that ran a
        // pass anyway would block on the same row: that shows as 'still running' here).
        const passB = reconcileOnce(depsOf(pools[1]));
        expect(await Promise.race([passB, new Promise((r) => setTimeout(() => r('still running'), 5_000))])).toBeUndefined();
        expect((await getRunById(db, orphan))?.status).toBe('running');
      });
      // A goes on once released, and the lock is free again afterwards.
      expect((await passA)?.reaped).toEqual([orphan]);
      expect(await reconcileOnce(depsOf(pools[1]))).toBeDefined();
      // The lock is the advisory lock: held by anyone else, no pass runs.
      await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${RECONCILER_LOCK})`;
        expect(await reconcileOnce(depsOf(pools[0]))).toBeUndefined();
      });
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});

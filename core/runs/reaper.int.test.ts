import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { connectors, runs as runsTable } from '../../db/schema/index.js';
import { testEnv } from '../../e2e/test-env.js';
import { loadEnv } from '../env.js';
import * as tenants from '../tenants/service.js';
import { readArchivedLog } from './log-archive.js';
import { createRunQueue, enqueueRun, QUEUE_NAMES } from './queues.js';
import { ORPHANED, reapOrphanedRuns } from './reaper.js';
import { getRunById } from './service.js';

describe('reaping runs whose worker is gone', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = createRunQueue(redis, env.SLUICE_QUEUE_PREFIX);
  const deps = { db, queues, redis, prefix: env.SLUICE_QUEUE_PREFIX };
  let tenantId = '';
  let connectorId = '';
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, `reap-${randomBytes(3).toString('hex')}`)).id;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
  });
  afterAll(async () => {
    await queues.obliterate({ force: true });
    await queues.close();
    await redis.quit();
    await close();
  });

  const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000);
  const runningRun = async (startedAt = tenMinutesAgo()) =>
    (await db.insert(runsTable).values({ tenantId, connectorId, kind: 'test', trigger: 'manual', status: 'running', startedAt, attempt: 1, worker: 'gone:1' }).returning())[0]!.id;
  const reap = async () => (await reapOrphanedRuns(deps)).filter((id) => mine.has(id));
  const mine = new Set<string>();
  const track = async (id: Promise<string>) => {
    mine.add(await id);
    return id;
  };

  it('ends a running run with no job, with a plain reason and an ended log', async () => {
    const orphan = await track(runningRun());
    const recent = await track(runningRun(new Date()));
    expect(await reap()).toEqual([orphan]);
    expect(await getRunById(db, orphan)).toMatchObject({ status: 'failed', errorSummary: ORPHANED });
    expect((await getRunById(db, orphan))?.finishedAt).toBeInstanceOf(Date);
    expect((await readArchivedLog(db, orphan)).map((e) => e.type)).toEqual(['log', 'end']);
    expect((await getRunById(db, recent))?.status).toBe('running');
  });

  it('leaves runs whose job waits (by id, or a scheduled job naming it) and ends them once the job is done', async () => {
    const waiting = await track(runningRun());
    await enqueueRun(queues, 'test', waiting);
    const scheduled = await track(runningRun());
    // a scheduled job has an id of its own and names its run once it has created it (run.processor)
    const job = await queues.forKind('test').add('scheduled', { pipeline_id: randomUUID(), scheduled: true }, { jobId: `repeat-${randomBytes(4).toString('hex')}` });
    await job.updateData({ run_id: scheduled });
    expect(await reap()).toEqual([]);

    // A worker takes both jobs and completes them without saving the runs (its final write failed).
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let active = 0;
    const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(QUEUE_NAMES.test, async () => {
      active += 1;
      await held;
    }, { connection, prefix: env.SLUICE_QUEUE_PREFIX, concurrency: 2 });
    try {
      while (active < 2) await new Promise((r) => setTimeout(r, 50));
      expect(await reap()).toEqual([]); // active: a live worker holds them
      release();
      while ((await queues.forKind('test').getCompletedCount()) < 2) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await worker.close();
      await connection.quit();
    }
    expect((await reap()).sort()).toEqual([waiting, scheduled].sort());
    expect(await getRunById(db, waiting)).toMatchObject({ status: 'failed', errorSummary: ORPHANED });
  });
});

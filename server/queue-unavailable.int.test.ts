import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client.js';
import { keyringFrom } from '../db/keyring.js';
import { connectors, pipelines, runs } from '../db/schema/index.js';
import { loadEnv } from '../core/env.js';
import { openProducerQueues, type RunQueues } from '../core/runs/queues.js';
import { NOT_QUEUED } from '../core/runs/start-run.js';
import * as tenants from '../core/tenants/service.js';
import { startPrivateRedis } from '../e2e/private-redis.js';
import { testEnv } from '../e2e/test-env.js';
import { createApp } from './app.js';

/** Every route that creates a run and queues it. */
const runRoutes = (connectorId: string, pipelineId: string) => [
  { path: `/pipelines/${pipelineId}/runs`, body: undefined },
  { path: `/connectors/${connectorId}/test`, body: undefined },
  { path: `/connectors/${connectorId}/discover`, body: undefined },
  { path: `/connectors/${connectorId}/preview`, body: { stream: 'public-orders', limit: 5 } },
];

// The longest a request may take when the queue is away: the producer's deadline (6 s) and some slack.
const BOUND_MS = 9_000;

describe('the API when the run queue (Redis) is not reachable', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 4 });
  // Live logs and the rest stay on the shared Redis; only the queues' Redis goes away.
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const logLines: Array<{ msg: string; connection?: string; err?: { message?: string } }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
  const queueRedis = await startPrivateRedis();
  const opened: RunQueues[] = [];
  const appWith = (queue: RunQueues) => {
    opened.push(queue);
    const app = createApp({ db, redis, queue, keyring: keyringFrom(env), log, queuePrefix: env.SLUICE_QUEUE_PREFIX });
    return async (path: string, body?: unknown) => {
      const started = Date.now();
      const answer = app.request(`/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`POST ${path} did not answer within 15 s`)), 15_000));
      const res = await Promise.race([answer, timeout]);
      return { status: res.status, body: (await res.json()) as { run_id?: string; error?: { code: string; message: string } }, ms: Date.now() - started };
    };
  };
  let token = '';
  let tenantId = '';
  let connectorId = '';
  let pipelineId = '';

  beforeAll(async () => {
    const tenant = await tenants.createTenant(db, `qdown-${randomBytes(3).toString('hex')}`);
    tenantId = tenant.id;
    token = (await tenants.createToken(db, tenant.id, 'owner', 'owner')).token;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
    pipelineId = (await db.insert(pipelines).values({ tenantId, name: 'p', sourceConnectorId: connectorId, destinationDatabase: `sluice_${tenant.slug.replace(/-/g, '_')}`, streams: [] }).returning())[0]!.id;
  });
  afterAll(async () => {
    for (const queue of opened) await queue.close().catch(() => undefined);
    await queueRedis.kill().catch(() => undefined);
    await redis.quit();
    await close();
  });

  const runsOfTenant = () => db.select({ status: runs.status, errorSummary: runs.errorSummary }).from(runs).where(eq(runs.tenantId, tenantId));

  it('answers 503 within seconds when Redis goes away, leaves no run queued, and logs the outage once', async () => {
    const queues = openProducerQueues(queueRedis.url, env.SLUICE_QUEUE_PREFIX, log);
    const post = appWith(queues);
    // The precondition: with Redis up, a run is queued and its job is in Redis.
    const queued = await post(`/connectors/${connectorId}/test`);
    expect(queued.status).toBe(202);
    expect(await queues.forKind('test').getJob(queued.body.run_id!)).toBeTruthy();
    const before = (await runsOfTenant()).length;

    await queueRedis.kill();
    for (const route of [...runRoutes(connectorId, pipelineId), ...runRoutes(connectorId, pipelineId)]) {
      const answer = await post(route.path, route.body);
      expect(answer.status, `${route.path}: ${JSON.stringify(answer.body)}`).toBe(503);
      expect(answer.body.error).toEqual({ code: 'unavailable', message: "Sluice's job queue is not reachable right now, so the run was not started. Try again in a minute." });
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    // Each refused request left a run that says why it never started; none stays queued (the
    // second sync request answered 503 again, not 409 "already waiting to run").
    const after = await runsOfTenant();
    expect(after).toHaveLength(before + 8);
    expect(after.filter((r) => r.status === 'failed' && r.errorSummary === NOT_QUEUED)).toHaveLength(8);
    expect(after.filter((r) => r.status === 'queued')).toHaveLength(1); // the one queued while Redis was up
    // One log line for the outage, through pino, not one per request or reconnection attempt
    // (ioredis retries every 250-1000 ms here: 3 s is several attempts).
    const outage = () => logLines.filter((l) => l.msg.startsWith('Redis is not reachable') && l.connection === 'queue');
    await expect.poll(() => outage().length, { timeout: 5_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(outage()).toHaveLength(1);
    expect(outage()[0]?.err?.message).toMatch(/ECONNREFUSED|Connection is closed|isn't writeable/);
  });

  it('answers 503 within seconds when Redis was never reachable since the API started', async () => {
    // The private Redis is dead now: these queues never get a connection.
    const post = appWith(openProducerQueues(queueRedis.url, env.SLUICE_QUEUE_PREFIX, log));
    const answer = await post(`/pipelines/${pipelineId}/runs`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(503);
    expect(answer.body.error?.code).toBe('unavailable');
    expect(answer.ms).toBeLessThan(BOUND_MS);
    expect((await runsOfTenant()).filter((r) => r.status === 'queued')).toHaveLength(1);
  });
});

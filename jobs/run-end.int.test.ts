import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/client.js';
import { connectors, runs as runsTable } from '../db/schema/index.js';
import { loadEnv } from '../core/env.js';
import { readArchivedLog } from '../core/runs/log-archive.js';
import { createLogWriter, runLogKey } from '../core/runs/run-log.js';
import { getRunById } from '../core/runs/service.js';
import * as tenants from '../core/tenants/service.js';
import { testEnv } from '../e2e/test-env.js';
import { COULD_NOT_START, endRun, failureOutcome } from './run-end.js';
import { afterRun } from './run-watch.js';

/** A pino logger whose lines the test reads. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('ending a run', async () => {
  const env = loadEnv(await testEnv());
  const { db, close } = createDb(env.DATABASE_URL, { max: 2 });
  const redis = new Redis(env.REDIS_URL);
  let tenantId = '';
  let connectorId = '';
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, `end-${randomBytes(3).toString('hex')}`)).id;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
  });
  afterAll(async () => {
    await redis.quit();
    await close();
  });

  it('does not drop an outcome that came after the run was cancelled: it is logged, and the log ends with the stored status', async () => {
    const run = (await db.insert(runsTable).values({ tenantId, connectorId, kind: 'discover', trigger: 'manual', status: 'running', startedAt: new Date(), attempt: 1 }).returning())[0]!;
    // Cancelled (or reaped) while the worker was still running it.
    await db.update(runsTable).set({ status: 'cancelled', finishedAt: new Date(), errorSummary: 'Cancelled.' }).where(eq(runsTable.id, run.id));
    const { log, lines } = capturedLog();
    const logKey = runLogKey(env.SLUICE_QUEUE_PREFIX, run.id);
    const writer = createLogWriter(redis, logKey);
    await endRun({ db, redis, logKey, log, writer }, { runId: run.id, attempt: 1 }, { status: 'failed', exitCode: 1, error: 'tap crashed', transient: false });

    expect(await getRunById(db, run.id)).toMatchObject({ status: 'cancelled', errorSummary: 'Cancelled.' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'the run had already ended; its outcome was not recorded', outcome: 'failed', stored_status: 'cancelled' }));
    const events = await readArchivedLog(db, run.id);
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'cancelled' });
    // The dropped outcome is said as what it is, not shown as the run's own error.
    expect(events.filter((e) => e.type === 'log').map((e) => ('message' in e ? e.message : ''))).toEqual([
      'This run had already ended (cancelled) when its worker finished, so what the worker found (failed: tap crashed) was not recorded.',
    ]);
  });

  it('says what failed after a sync landed its data, and does not retry it as transient', async () => {
    const { log, lines } = capturedLog();
    const cause = new Error('connection terminated');
    const error = await afterRun("save where the sync got to (the pipeline's state)", () => Promise.reject(cause)).catch((e: unknown) => e);
    const outcome = failureOutcome(error, log);
    expect(outcome).toEqual({
      status: 'failed',
      exitCode: null,
      transient: false,
      error: "The run itself finished, but Sluice could not save where the sync got to (the pipeline's state). It is not run again by itself; the service log has the details.",
    });
    expect(outcome.error).not.toBe(COULD_NOT_START);
    // Logged with its stack and cause, not only a message.
    const logged = lines.at(-1)!.err as { type?: string; stack?: string };
    expect(logged.type).toBe('AfterRunFailure');
    expect(logged.stack).toContain('caused by: Error: connection terminated');
  });

  it('retries a failure before anything ran, unless it cannot pass', () => {
    const { log } = capturedLog();
    expect(failureOutcome(new Error('ECONNRESET'), log)).toMatchObject({ error: COULD_NOT_START, transient: true });
    expect(failureOutcome(new UnrecoverableError('plugin gone'), log)).toMatchObject({ error: COULD_NOT_START, transient: false });
  });
});

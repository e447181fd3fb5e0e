import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { connectors, runs as runsTable } from '../../db/schema/index.js';
import { testDatabaseUrl } from '../../e2e/test-env.js';
import * as tenants from '../tenants/service.js';
import { FINAL_WRITE_FAILED, finishRun } from './finish.js';
import { getRunById, recordRunOutput } from './service.js';

describe('finishing a run', () => {
  const { db, close } = createDb(testDatabaseUrl(), { max: 2 });
  let tenantId = '';
  let connectorId = '';
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, `fin-${randomBytes(3).toString('hex')}`)).id;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
  });
  afterAll(() => close());

  const runningRun = async () =>
    (await db.insert(runsTable).values({ tenantId, connectorId, kind: 'discover', trigger: 'manual', status: 'running', startedAt: new Date(), attempt: 1 }).returning())[0]!.id;

  it('stores NUL and lone surrogates from a run instead of failing the final write', async () => {
    const id = await runningRun();
    await recordRunOutput(db, id, { recordCounts: { 'orders\u0000x': 2 }, rowsLoaded: 2, reconciliation: [{ stream: 's\uD800', table: 't', received: 2, inserted: 2, inTable: 2, ok: true }] });
    const finished = await finishRun(db, id, { status: 'failed', exitCode: 1, error: 'tap said \u0000 and \uDC00', result: { records: [{ name: 'a\u0000b' }] } });
    expect(finished).toMatchObject({ status: 'failed', saved: 'outcome' });
    const run = await getRunById(db, id);
    expect(run).toMatchObject({ status: 'failed', errorSummary: 'tap said \uFFFD and \uFFFD', result: { records: [{ name: 'a\uFFFDb' }] }, recordCounts: { 'orders\uFFFDx': 2 } });
    expect(run?.reconciliation?.[0]?.stream).toBe('s\uFFFD');
  });

  it('retries, then marks the run failed with a plain reason when the outcome cannot be saved', async () => {
    const id = await runningRun();
    const errors: number[] = [];
    // a BigInt cannot be written as JSON: every try of the full outcome fails
    const finished = await finishRun(db, id, { status: 'succeeded', exitCode: 0, error: null, result: { n: 1n } }, { retryDelaysMs: [10, 10], onError: (_e, attempt) => errors.push(attempt) });
    expect(errors).toEqual([1, 2, 3]);
    expect(finished).toMatchObject({ status: 'failed', saved: 'fallback' });
    expect(await getRunById(db, id)).toMatchObject({ status: 'failed', errorSummary: FINAL_WRITE_FAILED, result: null });
    expect((await getRunById(db, id))?.finishedAt).toBeInstanceOf(Date);
  });

  it('leaves a run another worker already ended, and says how it ended', async () => {
    const id = await runningRun();
    await db.update(runsTable).set({ status: 'cancelled', finishedAt: new Date() }).where(eq(runsTable.id, id));
    expect(await finishRun(db, id, { status: 'succeeded', exitCode: 0, error: null })).toMatchObject({ status: 'cancelled', saved: 'not-running' });
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../db/client.js';
import { connectors, pipelines, runs as runsTable } from '../db/schema/index.js';
import { testDatabaseUrl } from '../e2e/test-env.js';
import { RunFenced, whileHeld } from '../core/runs/fence.js';
import { finishRun } from '../core/runs/finish.js';
import { getRunById, reclaim, transition } from '../core/runs/service.js';
import * as tenants from '../core/tenants/service.js';
import { currentState, startStateRow } from './pipeline-state.js';

describe('a run reclaimed by a second worker (fencing by attempt)', () => {
  const { db, close } = createDb(testDatabaseUrl(), { max: 4 });
  let tenantId = '';
  let connectorId = '';
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, `fence-${randomBytes(3).toString('hex')}`)).id;
    connectorId = (await db.insert(connectors).values({ tenantId, name: 'src', pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
  });
  afterAll(() => close());

  /** A queued sync of a pipeline of its own, taken by a first worker (attempt 1). */
  const claimedSync = async () => {
    const pipeline = (await db.insert(pipelines).values({ tenantId, name: `p-${randomBytes(3).toString('hex')}`, sourceConnectorId: connectorId, destinationDatabase: 'sluice_x', streams: [] }).returning())[0]!;
    const queued = (await db.insert(runsTable).values({ tenantId, connectorId, pipelineId: pipeline.id, kind: 'sync', trigger: 'manual' }).returning())[0]!;
    const first = await transition(db, queued.id, 'queued', 'running', { startedAt: new Date(), attempt: queued.attempt + 1, worker: 'first:1' });
    return { pipelineId: pipeline.id, runId: queued.id, first: { runId: queued.id, attempt: first!.attempt } };
  };
  /** Stalled-job recovery: a second worker takes the run over (attempt + 1), as run.processor does. */
  const reclaimBySecond = async (runId: string, attempt: number) => {
    const second = await reclaim(db, runId, attempt, { attempt: attempt + 1, worker: 'second:2' });
    return { runId, attempt: second!.attempt };
  };

  it("refuses the old attempt's states and final write once a second worker holds the run; the new attempt's stand", async () => {
    const { pipelineId, runId, first } = await claimedSync();
    let firstFenced = 0;
    const oldStates = await startStateRow(db, { tenantId, pipelineId, claim: first, fullRefresh: false, onFenced: () => (firstFenced += 1) });
    oldStates.save({ bookmarks: { orders: { id: 10 } } });
    await vi.waitFor(async () => expect((await currentState(db, pipelineId))?.state).toEqual({ bookmarks: { orders: { id: 10 } } }));

    const second = await reclaimBySecond(runId, first.attempt);
    const newStates = await startStateRow(db, { tenantId, pipelineId, claim: second, fullRefresh: false });
    expect(newStates.startState).toEqual({ bookmarks: { orders: { id: 10 } } });
    newStates.save({ bookmarks: { orders: { id: 20 } } });
    await newStates.finish(true);

    // The first worker, still executing, reports a later state and then its outcome.
    oldStates.save({ bookmarks: { orders: { id: 15 } } });
    await expect(oldStates.finish(true)).rejects.toBeInstanceOf(RunFenced);
    expect(firstFenced).toBe(1);
    const oldFinish = await finishRun(db, runId, { status: 'failed', exitCode: 1, error: 'old attempt', output: { recordCounts: { orders: 1 }, rowsLoaded: 1, reconciliation: null } }, { attempt: first.attempt });
    expect(oldFinish).toMatchObject({ saved: 'superseded', status: 'running' });
    expect(await getRunById(db, runId)).toMatchObject({ status: 'running', attempt: second.attempt, errorSummary: null, rowsLoaded: null });
    await expect(whileHeld(db, first, async () => 'written')).rejects.toBeInstanceOf(RunFenced);

    const newFinish = await finishRun(db, runId, { status: 'succeeded', exitCode: 0, error: null, output: { recordCounts: { orders: 7 }, rowsLoaded: 7, reconciliation: null } }, { attempt: second.attempt });
    expect(newFinish).toMatchObject({ saved: 'outcome', status: 'succeeded' });
    expect(await getRunById(db, runId)).toMatchObject({ status: 'succeeded', attempt: second.attempt, rowsLoaded: 7, recordCounts: { orders: 7 } });
    expect((await currentState(db, pipelineId))?.state).toEqual({ bookmarks: { orders: { id: 20 } } });
  });

  it("does not let the old attempt remove the state row the new attempt took up", async () => {
    const { pipelineId, runId, first } = await claimedSync();
    const oldStates = await startStateRow(db, { tenantId, pipelineId, claim: first, fullRefresh: false });
    const second = await reclaimBySecond(runId, first.attempt);
    const newStates = await startStateRow(db, { tenantId, pipelineId, claim: second, fullRefresh: false });
    newStates.save({ bookmarks: { orders: { id: 30 } } });
    await newStates.finish(true);
    // The old attempt failed without saving a state: it would delete "its" row.
    await expect(oldStates.finish(false)).rejects.toBeInstanceOf(RunFenced);
    expect((await currentState(db, pipelineId))?.state).toEqual({ bookmarks: { orders: { id: 30 } } });
  });

  it('makes a reclaim wait for a fenced write in progress, so no write lands after it', async () => {
    const { runId, first } = await claimedSync();
    let release = () => {};
    const writing = whileHeld(db, first, () => new Promise<string>((resolve) => (release = () => resolve('written'))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    let reclaimed = false;
    const reclaiming = reclaimBySecond(runId, first.attempt).then((c) => ((reclaimed = true), c));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reclaimed).toBe(false);
    release();
    expect(await writing).toBe('written');
    const second = await reclaiming;
    await expect(whileHeld(db, first, async () => 'late')).rejects.toBeInstanceOf(RunFenced);
    expect(await whileHeld(db, second, async () => 'ok')).toBe('ok');
  });
});

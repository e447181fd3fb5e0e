import { createClient } from '@clickhouse/client';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { runLogKey } from '../core/runs/run-log.js';
import { pipelineStates } from '../db/schema/index.js';
import { sourceTable } from './source-table.js';
import { runProcesses } from './run-processes.js';
import { readSse, startStack, waitForRun, type Stack } from './stack.js';

// Runs through the API and real worker processes: discovery, preview, incremental syncs
// with state history and rollback, full refresh, archived logs, cancel, schedules.
describe('runs', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let connectorId: string;
  const clickhouse = () => createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
  const countRows = async (database: string, table: string) => {
    const client = clickhouse();
    const [row] = await (await client.query({ query: `SELECT count() AS n, uniqExact(id) AS u FROM \`${database}\`.\`public_${table}\` FINAL`, format: 'JSONEachRow' })).json<{ n: string; u: string }>();
    await client.close();
    return { rows: Number(row?.n), distinct: Number(row?.u) };
  };

  beforeAll(async () => {
    stack = await startStack({ workers: 1 });
    source = await sourceTable(stack.env.DATABASE_URL, 100);
    connectorId = (await stack.api<{ id: string }>('POST', '/connectors', { name: 'source', plugin: 'tap-postgres', config: source.config })).body.id;
  });
  afterAll(async () => {
    await source?.drop();
    await stack?.stop();
  });

  it('discovers streams with their keys, and previews the first rows', async () => {
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
    const streams = await stack.api<{ data: Array<{ stream: string; key_properties: string[]; properties: Record<string, unknown> }> }>('GET', `/connectors/${connectorId}/streams`);
    const ours = streams.body.data.find((s) => s.stream === source.stream);
    expect(ours).toMatchObject({ key_properties: ['id'] });
    expect(Object.keys(ours!.properties).sort()).toEqual(['amount', 'id', 'name', 'updated_at']);

    const preview = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/preview`, { stream: source.stream, limit: 5 });
    const run = await waitForRun(stack, preview.body.run_id);
    expect(run.status, String(run.error)).toBe('succeeded');
    const records = (run.result as { records: Array<{ id: number; name: string }> }).records;
    expect(records).toHaveLength(5);
    expect(records[0]).toMatchObject({ id: 1, name: 'row 1' });
  });

  it('syncs incrementally from saved state, keeps the state history, rolls back and fully refreshes', async () => {
    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', {
      name: 'incremental',
      source_connector_id: connectorId,
      streams: [{ stream: source.stream, replication_method: 'INCREMENTAL', replication_key: 'updated_at' }],
    });
    expect(pipeline.status).toBe(201);
    const database = pipeline.body.destination.database;
    const sync = async (body?: unknown) => {
      const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`, body);
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const run = await waitForRun(stack, started.body.run_id);
      expect(run.status, String(run.error)).toBe('succeeded');
      return run as unknown as { id: string; record_counts: Record<string, number> };
    };

    const first = await sync();
    expect(first.record_counts[source.stream]).toBe(100);
    await source.insert(101, 110);
    const second = await sync();
    // The SDK re-reads the bookmarked row itself (>=), so 10 or 11.
    expect(second.record_counts[source.stream]).toBeGreaterThanOrEqual(10);
    expect(second.record_counts[source.stream]).toBeLessThanOrEqual(11);
    expect(await countRows(database, source.table)).toEqual({ rows: 110, distinct: 110 });

    type State = { id: number; run_id: string; source: string; pending: boolean; state: { bookmarks: Record<string, { replication_key_value: string }> }; changes: Record<string, { from: unknown; to: unknown }> | null };
    const history = await stack.api<{ current: State; data: State[] }>('GET', `/pipelines/${pipeline.body.id}/state`);
    expect(history.body.data.map((s) => s.run_id)).toEqual([second.id, first.id]);
    expect(history.body.current.state.bookmarks[source.stream]!.replication_key_value).toMatch(/^2024-01-01T00:01:50/);
    expect(Object.keys(history.body.current.changes ?? {})).toContain(`bookmarks.${source.stream}.replication_key_value`);

    // Roll back to the state after the first run: the next sync reads rows 100..110 again.
    const firstState = history.body.data[1]!;
    const rollback = await stack.api<State>('POST', `/pipelines/${pipeline.body.id}/state/rollback`, { state_id: firstState.id });
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({ source: 'rollback', pending: true });
    const third = await sync();
    expect(third.record_counts[source.stream]).toBeGreaterThanOrEqual(10);
    const afterRollback = await stack.api<{ data: State[] }>('GET', `/pipelines/${pipeline.body.id}/state`);
    expect(afterRollback.body.data.map((s) => s.source).slice(0, 2)).toEqual(['sync', 'rollback']);
    expect(afterRollback.body.data[1]!.pending).toBe(false);

    const bad = await stack.api<{ error: { fields: Record<string, string[]> } }>('PUT', `/pipelines/${pipeline.body.id}/state`, { state: { bookmarks: { x: 5 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ 'state.bookmarks.x': ['must be an object'] });

    const full = await sync({ full_refresh: true });
    expect(full.record_counts[source.stream]).toBe(110);
    expect(await countRows(database, source.table)).toEqual({ rows: 110, distinct: 110 });

    const listed = await stack.api<{ data: Array<{ id: string; trigger: string }> }>('GET', `/runs?pipeline_id=${pipeline.body.id}&status=succeeded&kind=sync`);
    expect(listed.body.data.map((r) => r.id)).toEqual(expect.arrayContaining([first.id, second.id, third.id, full.id]));
    const audit = await stack.api<{ data: Array<{ action: string }> }>('GET', '/audit?limit=200');
    expect(audit.body.data.map((e) => e.action)).toContain('pipeline.state_rollback');

    // The finished log is kept: downloadable, and replayed over SSE once the live copy is gone.
    const text = await fetch(`${stack.baseUrl}/api/v1/runs/${first.id}/log`, { headers: { authorization: `Bearer ${stack.token}` } }).then((r) => r.text());
    expect(text).toMatch(/Sync completed/);
    // A PyPI tap's sync starts from the discovery made just before (this test's first), without starting the tap to discover again.
    expect(text).toMatch(/Using the source's tables as found (less than a minute|a minute|\d+ minutes) ago \(they are checked again at most once an hour\)\./);
    expect(text).not.toContain("Looking at the source's tables first");
    expect(text.trim().split('\n').at(-1)).toMatch(/END +succeeded$/);
    const live = await readSse(`${stack.baseUrl}/api/v1/runs/${first.id}/logs`, stack.token);
    // records-so-far progress rides on the same stream as the log lines
    const progress = live.events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data) as { stream: string; records: number });
    expect(progress.at(-1)).toMatchObject({ stream: source.stream, records: 100 });
    const redis = new Redis(stack.env.REDIS_URL);
    await redis.del(runLogKey(stack.env.SLUICE_QUEUE_PREFIX, first.id));
    await redis.quit();
    const archived = await readSse(`${stack.baseUrl}/api/v1/runs/${first.id}/logs`, stack.token);
    expect(archived.events).toEqual(live.events);
  });

  it('a pending state edit the tap cannot use fails one sync plainly, is set aside, and the next sync runs', async () => {
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: 'bad edit', source_connector_id: connectorId, streams: [{ stream: source.stream }] });
    const sync = async () => waitForRun(stack, (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id);
    expect((await sync()).status).toBe('succeeded');
    // An edit stored as pending (as one saved before the API limited depth would be): 150 levels deep.
    let deep: Record<string, unknown> = {};
    const nested = deep;
    for (let i = 0; i < 150; i += 1) deep = (deep.a = {}) as Record<string, unknown>;
    const [edit] = await stack.db.insert(pipelineStates).values({ tenantId: stack.tenant.id, pipelineId: pipeline.body.id, source: 'edit', state: { bookmarks: { [source.stream]: nested } }, pending: true }).returning();
    const failed = await sync();
    expect(failed.status).toBe('failed');
    expect(failed.attempt).toBe(1);
    expect(failed.error).toMatch(/state saved at .* was not used: state nests too deep: at most 32 levels of objects and lists\. The pipeline keeps its previous state/);
    const [row] = await stack.db.select().from(pipelineStates).where(eq(pipelineStates.id, edit!.id));
    expect(row).toMatchObject({ pending: false });
    expect(row!.rejectedAt).toBeInstanceOf(Date);
    const next = await sync();
    expect(next.status, String(next.error)).toBe('succeeded');
  });

  it('cancels a running sync and leaves no process behind', async () => {
    // big enough that the sync is surely still going when the cancel lands
    const big = await sourceTable(stack.env.DATABASE_URL, 300_000);
    const bigConnector = (await stack.api<{ id: string }>('POST', '/connectors', { name: 'big source', plugin: 'tap-postgres', config: big.config })).body.id;
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: 'to cancel', source_connector_id: bigConnector, streams: [{ stream: big.stream }] });
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
    const again = await stack.api<{ error: { code: string } }>('POST', `/pipelines/${pipeline.body.id}/runs`);
    expect(again.status).toBe(409);
    // The cancel must land on a running sync whose plugin processes are up: one cancelled
    // while still queued would pass everything below without stopping anything.
    let workerPid = '';
    await vi.waitFor(
      async () => {
        const current = (await stack.api<{ status: string; worker: string | null }>('GET', `/runs/${started.body.run_id}`)).body;
        expect(current.status).toBe('running');
        workerPid = String(current.worker).split(':').at(-1)!;
        expect((await runProcesses(workerPid)).length, 'plugin processes of the run').toBeGreaterThanOrEqual(2);
      },
      { timeout: 120_000, interval: 200 },
    );
    expect((await stack.api('POST', `/runs/${started.body.run_id}/cancel`)).status).toBe(202);
    const run = await waitForRun(stack, started.body.run_id, 60_000);
    expect(run.status).toBe('cancelled');
    expect(String(run.worker).split(':').at(-1)).toBe(workerPid);
    // neither the tap nor the target is left (they ran from the run's temp folder, which is gone)
    expect(await runProcesses(workerPid)).toEqual([]);
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`sluice-run-${workerPid}-`))).toEqual([]);
    expect((await stack.api('POST', `/runs/${started.body.run_id}/cancel`)).status).toBe(409);
    await big.drop();
  });

  it('keeps a BullMQ job scheduler in step with the pipeline, and skips a trigger while a run is in progress', async () => {
    const pipeline = await stack.api<{ id: string; next_runs: string[] }>('POST', '/pipelines', {
      name: 'nightly',
      source_connector_id: connectorId,
      streams: [{ stream: source.stream }],
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
    });
    const scheduler = () => stack.queue.forKind('sync').getJobScheduler(`pipeline-${pipeline.body.id}`);
    expect(await scheduler()).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Paris' });
    await stack.api('PATCH', `/pipelines/${pipeline.body.id}`, { schedule: { cron: '15 4 * * 1', timezone: 'UTC' } });
    expect(await scheduler()).toMatchObject({ pattern: '15 4 * * 1', tz: 'UTC' });
    await stack.api('PATCH', `/pipelines/${pipeline.body.id}`, { enabled: false });
    expect(await scheduler()).toBeUndefined();
    await stack.api('PATCH', `/pipelines/${pipeline.body.id}`, { enabled: true });

    // What the scheduler enqueues when it fires, twice in a row: the second finds the first still going.
    const fire = () => stack.queue.forKind('sync').add('scheduled', { pipeline_id: pipeline.body.id, scheduled: true });
    await fire();
    await fire();
    let runs: Array<{ id: string; trigger: string; status: string; error: string | null }> = [];
    await expect
      .poll(
        async () => {
          runs = (await stack.api<{ data: typeof runs }>('GET', `/runs?pipeline_id=${pipeline.body.id}`)).body.data;
          return runs.map((r) => `${r.trigger} ${r.status}`).sort();
        },
        { timeout: 180_000, interval: 300 },
      )
      .toEqual(['schedule cancelled', 'schedule succeeded']);
    expect(runs.find((r) => r.status === 'cancelled')!.error).toMatch(/^Skipped: the previous run/);

    await stack.api('DELETE', `/pipelines/${pipeline.body.id}`);
    expect(await scheduler()).toBeUndefined();
  });
});

import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { syncCatalog } from '../core/plugins/service.js';
import { plugins } from '../db/schema/index.js';
import { projectRoot } from '../meltano/project.js';
import { runProcesses } from './run-processes.js';
import { probePlugin } from './probe-plugin.js';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type RunView = { id: string; status: string; attempt: number; worker: string | null; started_at: string; finished_at: string; error: string | null };

/** Rows so far in the table or in the copy a full refresh loads before swapping it in. */
async function rowsLanding(stack: Stack, database: string, table: string) {
  const client = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const query = `SELECT sum(rows) AS n FROM system.parts WHERE database = '${database}' AND active AND (table = 'public_${table}' OR table LIKE 'public_${table}\\_\\_sluice\\_load\\_%')`;
    return Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
  } finally {
    await client.close();
  }
}

async function clickhouseCount(stack: Stack, database: string, table: string) {
  // quiet: until the loader creates the table, "does not exist" is the expected answer
  const client = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD, log: { level: ClickHouseLogLevel.OFF } });
  try {
    const [row] = await (await client.query({ query: `SELECT count() AS n, uniqExact(id) AS u FROM \`${database}\`.\`public_${table}\` FINAL`, format: 'JSONEachRow' })).json<{ n: string; u: string }>();
    return { rows: Number(row?.n), distinct: Number(row?.u) };
  } catch {
    return { rows: 0, distinct: 0 };
  } finally {
    await client.close();
  }
}

// A tap that holds its sync until the test writes a `release` file in its folder (the probe
// of plugin-isolation.test.ts, under a catalog name of this file's own).
const HOLDING_TAP = 'tap-hold-workers';

describe('two workers on one queue', () => {
  const stacks: Stack[] = [];
  const tables: Array<Awaited<ReturnType<typeof sourceTable>>> = [];
  const databases: string[] = [];
  afterAll(async () => {
    for (const t of tables) await t.drop();
    const db = stacks[0]?.db;
    if (db) {
      await db.execute(sql`delete from pipelines where source_connector_id in (select id from connectors where plugin_name = ${HOLDING_TAP})`);
      await db.execute(sql`delete from connectors where plugin_name = ${HOLDING_TAP}`);
      await db.delete(plugins).where(eq(plugins.name, HOLDING_TAP));
    }
    if (stacks[0]) {
      const client = createClient({ url: stacks[0].env.CLICKHOUSE_URL, username: stacks[0].env.CLICKHOUSE_USER, password: stacks[0].env.CLICKHOUSE_PASSWORD });
      for (const database of new Set(databases)) await client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` });
      await client.close();
    }
    for (const s of stacks) await s.stop();
  });

  it('share the work, and no run is executed twice', async () => {
    // Each worker takes one run at a time, and both runs are held open until both are
    // running: the only way both run is one on each worker.
    const stack = await startStack({ workers: 2, env: { WORKER_CONCURRENCY: '1', TENANT_MAX_CONCURRENT_SYNCS: '10' } });
    stacks.push(stack);
    await syncCatalog(stack.db, [
      probePlugin({ name: HOLDING_TAP, namespace: 'tap_hold_workers', label: 'Holding tap', description: 'test plugin: holds its sync until released' }),
    ]);
    const runIds: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: `held ${i}`, plugin: HOLDING_TAP, config: { secret: `s${i}`, project_root: projectRoot } });
      expect(connector.status, JSON.stringify(connector.body)).toBe(201);
      const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: `held ${i}`, source_connector_id: connector.body.id, streams: [{ stream: 'probe' }] });
      databases.push(pipeline.body.destination.database);
      runIds.push((await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id);
    }

    let held: RunView[] = [];
    await vi.waitFor(
      async () => {
        held = await Promise.all(runIds.map(async (id) => (await stack.api<RunView>('GET', `/runs/${id}`)).body));
        expect(held.map((r) => r.status)).toEqual(['running', 'running']);
      },
      { timeout: 120_000, interval: 200 },
    );
    const workers = held.map((r) => r.worker);
    expect(new Set(workers).size).toBe(2);

    // Let both taps go on.
    await vi.waitFor(
      async () => {
        const taps = (await Promise.all(workers.map((w) => runProcesses(String(w).split(':').at(-1)!)))).flat().filter((p) => p.cmdline.includes('plugin-probe.mjs'));
        expect(taps).toHaveLength(2);
        for (const tap of taps) await writeFile(path.join(tap.cwd, 'release'), '');
      },
      { timeout: 60_000, interval: 200 },
    );
    const runs = (await Promise.all(runIds.map((id) => waitForRun(stack, id)))) as unknown as RunView[];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs.map((r) => r.attempt)).toEqual([1, 1]);
    expect(runs.map((r) => r.worker)).toEqual(workers);
  });

  it('hold a tenant to its cap of concurrent syncs', async () => {
    const stack = await startStack({ workers: 1, env: { WORKER_CONCURRENCY: '3', TENANT_MAX_CONCURRENT_SYNCS: '1' } });
    stacks.push(stack);
    const runIds: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const source = await sourceTable(stack.env.DATABASE_URL, 100);
      tables.push(source);
      const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: `s${i}`, plugin: 'tap-postgres', config: source.config });
      const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: `p${i}`, source_connector_id: connector.body.id, streams: [{ stream: source.stream }] });
      runIds.push((await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id);
    }
    const [a, b] = (await Promise.all(runIds.map((id) => waitForRun(stack, id)))) as unknown as RunView[];
    expect([a!.status, b!.status]).toEqual(['succeeded', 'succeeded']);
    const [first, second] = [a!, b!].sort((x, y) => Date.parse(x.started_at) - Date.parse(y.started_at));
    expect(Date.parse(second!.started_at)).toBeGreaterThanOrEqual(Date.parse(first!.finished_at) - 1000);
  });

  it('pick up a sync whose worker was killed with SIGKILL, and the rows equal the source', async () => {
    const stack = await startStack({ workers: 2, env: { WORKER_CONCURRENCY: '1' } });
    stacks.push(stack);
    const source = await sourceTable(stack.env.DATABASE_URL, 300_000);
    tables.push(source);
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'big', plugin: 'tap-postgres', config: source.config });
    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: 'big', source_connector_id: connector.body.id, streams: [{ stream: source.stream }] });
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;

    // Kill the worker once rows are landing: mid-sync.
    let victim: RunView | undefined;
    await vi.waitFor(
      async () => {
        const run = (await stack.api<RunView>('GET', `/runs/${runId}`)).body;
        expect(run.status, 'the sync must still be running when its worker is killed (if it ended, make the table bigger)').toBe('running');
        expect(await rowsLanding(stack, pipeline.body.destination.database, source.table)).toBeGreaterThan(0);
        victim = run;
      },
      { timeout: 120_000, interval: 200 },
    );
    expect(victim?.worker).toMatch(/:\d+$/);
    const pid = Number(victim!.worker!.split(':').at(-1));
    process.kill(pid, 'SIGKILL');
    // As a supervisor would: a fresh worker comes up (and stops what the dead one left running).
    stack.addWorker();

    const finished = (await waitForRun(stack, runId, 240_000)) as unknown as RunView;
    expect(finished.status, String(finished.error)).toBe('succeeded');
    expect(finished.attempt).toBeGreaterThanOrEqual(2);
    expect(finished.worker).not.toBe(victim!.worker);
    expect(await clickhouseCount(stack, pipeline.body.destination.database, source.table)).toEqual({ rows: 300_000, distinct: 300_000 });
    const runs = await stack.api<{ data: RunView[] }>('GET', `/runs?pipeline_id=${pipeline.body.id}`);
    expect(runs.body.data).toHaveLength(1);
    // the dead worker's temp folder (Meltano's config files, with secrets) is gone
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`sluice-run-${pid}-`))).toEqual([]);
  });
});

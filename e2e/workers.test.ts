import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type RunView = { id: string; status: string; attempt: number; worker: string | null; started_at: string; finished_at: string; error: string | null };

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

describe('two workers on one queue', () => {
  const stacks: Stack[] = [];
  const tables: Array<Awaited<ReturnType<typeof sourceTable>>> = [];
  afterAll(async () => {
    for (const t of tables) await t.drop();
    for (const s of stacks) await s.stop();
  });

  it('share the work, and no run is executed twice', async () => {
    const stack = await startStack({ workers: 2, env: { WORKER_CONCURRENCY: '1', TENANT_MAX_CONCURRENT_SYNCS: '10' } });
    stacks.push(stack);
    const runIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const source = await sourceTable(stack.env.DATABASE_URL, 200);
      tables.push(source);
      const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: `s${i}`, plugin: 'tap-postgres', config: source.config });
      const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: `p${i}`, source_connector_id: connector.body.id, streams: [{ stream: source.stream }] });
      runIds.push((await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id);
    }
    const runs = (await Promise.all(runIds.map((id) => waitForRun(stack, id)))) as unknown as RunView[];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(runs.map((r) => r.attempt)).toEqual([1, 1, 1, 1]);
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
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
    for (let i = 0; i < 600; i += 1) {
      const run = (await stack.api<RunView>('GET', `/runs/${runId}`)).body;
      if (run.status === 'running' && (await clickhouseCount(stack, pipeline.body.destination.database, source.table)).rows > 0) {
        victim = run;
        break;
      }
      if (['succeeded', 'failed'].includes(run.status)) throw new Error(`the sync ended (${run.status}) before the test could kill its worker: make the table bigger`);
      await new Promise((r) => setTimeout(r, 200));
    }
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

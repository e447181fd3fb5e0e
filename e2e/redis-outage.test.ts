import { execa } from 'execa';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runs } from '../db/schema/index.js';
import { sourceTable } from './source-table.js';
import { readSse, startStack, waitForRun, type Stack } from './stack.js';

/** A Redis server of this test's own (the shared one must stay up for the other tests). */
async function privateRedis() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-test-redis-'));
  const start = async () => {
    await execa('redis-server', ['--daemonize', 'yes', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--pidfile', path.join(dir, 'redis.pid')]);
    for (let i = 0; i < 50; i += 1) {
      if ((await execa('redis-cli', ['-p', String(port), 'ping'], { reject: false })).stdout === 'PONG') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('private redis did not start');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await execa('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { reject: false });
    },
    start,
  };
}

describe('Redis briefly down during a sync', () => {
  let stack: Stack | undefined;
  let redis: Awaited<ReturnType<typeof privateRedis>> | undefined;
  let source: Awaited<ReturnType<typeof sourceTable>> | undefined;
  afterAll(async () => {
    await source?.drop();
    await stack?.stop().catch(() => undefined);
    await redis?.stop();
  });

  it('the run still finishes correctly, its log survives, and exactly one state is saved', async () => {
    redis = await privateRedis();
    stack = await startStack({ workers: 1, env: { REDIS_URL: redis.url } });
    source = await sourceTable(stack.env.DATABASE_URL, 200_000);
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', { name: 'p', source_connector_id: connector.body.id, streams: [{ stream: source.stream }] });
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;
    const statusInPostgres = async () => (await stack!.db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId)))[0]?.status;
    const clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD, log: { level: ClickHouseLogLevel.OFF } });
    const tableMade = async () => {
      // The table, or the copy a full refresh loads before swapping it in.
      const query = `SELECT count() AS n FROM system.tables WHERE database = '${pipeline.body.destination.database}' AND (name = 'public_${source!.table}' OR name LIKE 'public_${source!.table}\\_\\_sluice\\_load\\_%')`;
      return Number((await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n);
    };

    // Redis goes away as soon as the run is running, before its plugins have printed a line,
    // and comes back only once the target has made its table: the plugins started, and
    // logged, while Redis was gone.
    await vi.waitFor(async () => expect(await statusInPostgres()).toBe('running'), { timeout: 120_000, interval: 100 });
    await redis.stop();
    const downAt = Date.now();
    await vi.waitFor(async () => expect(await tableMade()).toBe(1), { timeout: 120_000, interval: 200 });
    await clickhouse.close();
    // The outage overlapped the sync: it is still going as Redis comes back.
    expect(await statusInPostgres()).toBe('running');
    const upAt = Date.now();
    await redis.start();

    const run = (await waitForRun(stack, runId, 240_000)) as { status: string; error: string | null; rows_loaded: number };
    expect(run.status, String(run.error)).toBe('succeeded');
    expect(run.rows_loaded).toBe(200_000);
    const log = await fetch(`${stack.baseUrl}/api/v1/runs/${runId}/log`, { headers: { authorization: `Bearer ${stack.token}` } }).then((r) => r.text());
    expect(log).toMatch(/Sync completed/);
    expect(log.trim().split('\n').at(-1)).toMatch(/END +succeeded$/);
    // Lines printed while Redis was down could not be written then: they were kept and
    // written once it was back (a stream entry's id is the time Redis stored it).
    const live = await readSse(`${stack.baseUrl}/api/v1/runs/${runId}/logs`, stack.token);
    const heldBack = live.events.filter((e) => {
      const at = Date.parse((JSON.parse(e.data) as { at: string }).at);
      return at >= downAt && at < upAt;
    });
    expect(heldBack.length, 'log lines printed during the outage').toBeGreaterThan(0);
    for (const e of heldBack) expect(Number(e.id?.split('-')[0])).toBeGreaterThanOrEqual(upAt);
    const sql = postgres(stack.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    const states = await sql`select run_id from pipeline_states where pipeline_id = ${pipeline.body.id}`;
    await sql.end();
    expect(states).toEqual([{ run_id: runId }]);
  });
});

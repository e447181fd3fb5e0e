import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

/** A TCP proxy to ClickHouse that can be switched off (connections refused) and on again on the same port. */
async function switchableProxy(target: URL) {
  let server: Server | undefined;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return {
    port,
    async up() {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 8123), target.hostname);
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async down() {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      server = undefined;
    },
  };
}

describe('the warehouse down during a sync', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let proxy: Awaited<ReturnType<typeof switchableProxy>>;
  afterAll(async () => {
    await proxy?.down();
    await source?.drop();
    await stack?.stop();
  });

  it('retries with backoff once the loader gives up, succeeds when it is back, and saves no half state', async () => {
    proxy = await switchableProxy(new URL(process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123'));
    // The warehouse connector reaches ClickHouse through the proxy: allow its port, no other.
    stack = await startStack({ workers: 1, env: { SYNC_RETRY_DELAY_SECONDS: '1' }, allowNetworks: [`127.0.0.1/32:${proxy.port}`] });
    source = await sourceTable(stack.env.DATABASE_URL, 500);
    const connector = await stack.api<{ id: string }>('POST', '/connectors', { name: 'src', plugin: 'tap-postgres', config: source.config });
    const warehouse = await stack.api<{ id: string }>('POST', '/connectors', { name: 'flaky warehouse', plugin: 'target-clickhouse', config: { url: `http://127.0.0.1:${proxy.port}`, user: 'default' } });
    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', {
      name: 'through the proxy',
      source_connector_id: connector.body.id,
      destination_connector_id: warehouse.body.id,
      streams: [{ stream: source.stream }],
    });
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;

    let waiting: { status: string; error: string | null } | undefined;
    for (let i = 0; i < 600 && !waiting; i += 1) {
      const run = (await stack.api<{ status: string; error: string | null }>('GET', `/runs/${runId}`)).body;
      if (run.error?.startsWith('Will retry')) waiting = run;
      else if (['succeeded', 'failed', 'cancelled'].includes(run.status)) throw new Error(`run ended ${run.status}: ${run.error}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(waiting?.error).toMatch(/warehouse \(ClickHouse\) could not be reached/);
    await proxy.up();

    const run = (await waitForRun(stack, runId, 180_000)) as { status: string; attempt: number; error: string | null; rows_loaded: number };
    expect(run.status, String(run.error)).toBe('succeeded');
    expect(run.attempt).toBeGreaterThanOrEqual(2);
    expect(run.rows_loaded).toBe(500);
    const sql = postgres(stack.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    const states = await sql`select source, run_id from pipeline_states where pipeline_id = ${pipeline.body.id}`;
    await sql.end();
    expect(states).toEqual([{ source: 'sync', run_id: runId }]);
    const log = await fetch(`${stack.baseUrl}/api/v1/runs/${runId}/log`, { headers: { authorization: `Bearer ${stack.token}` } }).then((r) => r.text());
    expect(log).toMatch(/This looks temporary; Sluice will retry/);
  });

  it('does not retry a sync that fails for a bad setting', async () => {
    const broken = await stack.api<{ id: string }>('POST', '/connectors', { name: 'wrong user', plugin: 'tap-postgres', config: { ...source.config, user: 'no_such_role' } });
    const pipeline = await stack.api<{ id: string }>('POST', '/pipelines', { name: 'doomed', source_connector_id: broken.body.id, streams: [{ stream: source.stream }] });
    const runId = (await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`)).body.run_id;
    const run = (await waitForRun(stack, runId, 120_000)) as { status: string; attempt: number; error: string | null };
    expect(run.status).toBe('failed');
    expect(run.attempt).toBe(1);
    expect(run.error).toBe('The user "no_such_role" does not exist on that server. Check the user name.');
    expect(run.error).not.toMatch(/Will retry|Traceback/);
  });
});

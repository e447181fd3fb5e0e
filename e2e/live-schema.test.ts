import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTable } from './source-table.js';
import { startStack, waitForRun, type Stack } from './stack.js';

type RunView = { id: string; status: string; error?: string | null };

// Our own PostgreSQL source (tap-sluice-postgres, capability live-schema) checks each table
// as it reads it, so its syncs start from the connector's last discovery instead of starting
// the tap a second time to discover: through the API and a real worker, what changes at the
// source reach the run as the tap says them.
describe('syncs of tap-sluice-postgres start from the last discovery', () => {
  let stack: Stack;
  let source: Awaited<ReturnType<typeof sourceTable>>;
  let clickhouse: ClickHouseClient;
  let connectorId: string;
  const databases: string[] = [];

  const pipeline = async (name: string, body: { source_connector_id?: string; streams: unknown[] }) => {
    const database = `sluice_${stack.tenant.slug.replace(/-/g, '_')}__${name}`;
    databases.push(database);
    const created = await stack.api<{ id: string }>('POST', '/pipelines', { name, source_connector_id: connectorId, destination_database: database, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id, database };
  };
  const sync = async (pipelineId: string) => {
    const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipelineId}/runs`);
    expect(started.status).toBe(202);
    const run = (await waitForRun(stack, started.body.run_id)) as unknown as RunView;
    const log = await fetch(`${stack.baseUrl}/api/v1/runs/${run.id}/log`, { headers: { authorization: `Bearer ${stack.token}` } }).then((r) => r.text());
    return { run, log };
  };
  /** How many times the tap started: it says where it connects first thing, in a discovery and in a sync alike. */
  const tapStarts = (log: string) => log.split('\n').filter((line) => line.includes('[tap-sluice-postgres] INFO tap-sluice-postgres: PostgreSQL at')).length;
  const FROM_LAST_DISCOVERY = /Using the source's tables as found [a-z0-9 ]+ ago: this source checks each table as it reads it/;
  const DISCOVERING = "Looking at the source's tables first";

  beforeAll(async () => {
    stack = await startStack({ workers: 1 });
    source = await sourceTable(stack.env.DATABASE_URL, 5);
    clickhouse = createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'our reader', plugin: 'tap-sluice-postgres', config: source.config });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    connectorId = created.body.id;
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
  });
  afterAll(async () => {
    if (clickhouse) {
      for (const database of databases) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
      await clickhouse.close();
    }
    await source?.drop();
    await stack?.stop();
  });

  let incremental: { id: string; database: string };

  it('without discovering again: a column dropped at the source is skipped with a warning, one added is loaded', async () => {
    incremental = await pipeline('lsinc', { streams: [{ stream: source.stream, sync_mode: 'incremental_deduped', replication_key: 'updated_at' }] });
    const first = await sync(incremental.id);
    expect(first.run.status, String(first.run.error)).toBe('succeeded');
    expect(first.log).toMatch(FROM_LAST_DISCOVERY);
    expect(first.log).not.toContain(DISCOVERING);
    expect(tapStarts(first.log)).toBe(1);

    await source.sql.unsafe(`alter table ${source.table} drop column name, add column note text default 'added'`);
    await source.sql.unsafe(`insert into ${source.table} (id, amount, updated_at) values (6, 0.06, timestamptz '2024-01-01T00:00:06Z')`);
    const second = await sync(incremental.id);
    expect(second.run.status, String(second.run.error)).toBe('succeeded');
    expect(second.log).toMatch(FROM_LAST_DISCOVERY);
    expect(second.log).not.toContain(DISCOVERING);
    expect(tapStarts(second.log)).toBe(1);
    expect(second.log).toMatch(new RegExp(`WARNING +\\[tap-sluice-postgres\\] WARNING stream "${source.stream}": columns no longer in the table, skipped: name`));
    expect(second.log).toContain(`stream "${source.stream}": columns added since the catalog was discovered, read as well: note`);
    const rows = await (await clickhouse.query({ query: `SELECT id, note FROM ${incremental.database}.public_${source.table} FINAL WHERE id >= 5 ORDER BY id`, format: 'JSONEachRow' })).json<{ id: string; note: string | null }>();
    // Row 5 is read again from the bookmark (>=), now with the new column.
    expect(rows.map((r) => [Number(r.id), r.note])).toEqual([[5, 'added'], [6, 'added']]);
  });

  it('a connector never discovered is discovered before its sync, as any other source', async () => {
    const created = await stack.api<{ id: string }>('POST', '/connectors', { name: 'never discovered', plugin: 'tap-sluice-postgres', config: source.config });
    const full = await pipeline('lsnew', { source_connector_id: created.body.id, streams: [{ stream: source.stream, sync_mode: 'full_refresh_overwrite' }] });
    const { run, log } = await sync(full.id);
    expect(run.status, String(run.error)).toBe('succeeded');
    expect(log).toContain(DISCOVERING);
    expect(log).not.toMatch(FROM_LAST_DISCOVERY);
    expect(tapStarts(log)).toBe(2);
  });

  it('a replication key column dropped at the source fails the sync, naming the column; after a discovery Sluice refuses it before the tap starts', async () => {
    await source.sql.unsafe(`alter table ${source.table} drop column updated_at`);
    const failed = await sync(incremental.id);
    expect(failed.run.status).toBe('failed');
    expect(failed.run.error).toBe(
      `Stream "${source.stream}": the column "updated_at" no longer exists in the source. Run a discovery again, then choose another key or a full-refresh mode for this stream, or restore the column.`,
    );
    expect(failed.log).not.toContain(DISCOVERING);
    expect(tapStarts(failed.log)).toBe(1);

    // The checks against the stored catalog still apply: once discovered again, the tap is never started.
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
    const refused = await sync(incremental.id);
    expect(refused.run).toMatchObject({ status: 'failed', error: `Stream "${source.stream}": its replication key column "updated_at" no longer exists in the source. Choose another key or a full-refresh mode for this stream.` });
    expect(tapStarts(refused.log)).toBe(0);
  });

  it('a table dropped at the source fails the sync in plain words', async () => {
    const full = await pipeline('lsfull', { streams: [{ stream: source.stream, sync_mode: 'full_refresh_overwrite' }] });
    await source.sql.unsafe(`drop table ${source.table}`);
    const { run, log } = await sync(full.id);
    expect(run.status).toBe('failed');
    expect(run.error).toBe(
      `Stream "${source.stream}": the table no longer exists in the source, or the user Sluice signs in as may no longer read it. Run a discovery again and take this stream out of the pipeline, or restore the table or the user's read access.`,
    );
    expect(log).not.toContain(DISCOVERING);
  });
});

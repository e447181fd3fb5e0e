import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { replicationSlotName } from '../meltano/log-based.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';
import { startStack, waitForRun, type Stack } from './stack.js';

// Deletes for incremental syncs, through the API and a real worker: a PostgreSQL table read
// from its change log (tap-postgres LOG_BASED, wal2json, a slot per pipeline) on the sources'
// PostgreSQL, which setup.sh runs with wal_level=logical and wal2json allowed.
describe('reading a PostgreSQL source from its change log (LOG_BASED)', () => {
  let stack: Stack;
  let connectorId = '';
  // Dropped in afterAll too: a test that fails half way must not leave the source keeping its log.
  let slot = '';
  const suffix = randomBytes(4).toString('hex');
  const table = `lb_orders_${suffix}`;
  const spaced = `lb accounts ${suffix}`;
  const stream = `public-${table}`;
  const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: '/sluice_test_source' });
  const source = postgres(sourceUrl.toString(), { max: 1, onnotice: () => {} });
  const clickhouse = () => createClient({ url: stack.env.CLICKHOUSE_URL, username: stack.env.CLICKHOUSE_USER, password: stack.env.CLICKHOUSE_PASSWORD });
  const slotExists = async (slot: string) => (await source`select 1 from pg_replication_slots where slot_name = ${slot}`).length > 0;

  type Row = { id: number; label: string | null; amount: number | null };
  const sourceRows = async () => (await source.unsafe(`select id, label, amount::text as amount from ${table} order by id`)).map((r) => ({ id: Number(r.id), label: r.label as string | null, amount: r.amount === null ? null : Number(r.amount) }));
  const warehouseRows = async (database: string, where: string): Promise<Row[]> => {
    const client = clickhouse();
    const result = await client.query({ query: `SELECT id, label, toString(amount) AS amount FROM \`${database}\`.\`public_${table}\` FINAL WHERE ${where} ORDER BY id`, format: 'JSONEachRow' });
    const rows = await result.json<{ id: string | number; label: string | null; amount: string | null }>();
    await client.close();
    return rows.map((r) => ({ id: Number(r.id), label: r.label, amount: r.amount === null ? null : Number(r.amount) }));
  };

  beforeAll(async () => {
    await ensureDatabase(sourceUrl.toString());
    await source.unsafe(`create table ${table} (id int primary key, label text, amount numeric(12,2))`);
    await source.unsafe(`insert into ${table} select g, 'row ' || g, g * 1.25 from generate_series(1, 5) g`);
    await source.unsafe(`create table "${spaced}" (id int primary key, note text)`);
    stack = await startStack({ workers: 1 });
    const config = { host: sourceUrl.hostname, port: Number(sourceUrl.port || 5432), user: 'postgres', password: 'unused-with-trust-auth', database: 'sluice_test_source', filter_schemas: ['public'] };
    connectorId = (await stack.api<{ id: string }>('POST', '/connectors', { name: 'pg', plugin: 'tap-postgres', config })).body.id;
  });
  afterAll(async () => {
    if (slot) await source`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot} and not active`;
    await source.unsafe(`drop table if exists ${table}, "${spaced}"`);
    await source.end();
    await stack?.stop();
  });

  it('offers LOG_BASED for a plain table with a primary key, loads inserts, updates and deletes, confirms the slot, and drops it with the pipeline', async () => {
    const discover = await stack.api<{ run_id: string }>('POST', `/connectors/${connectorId}/discover`);
    expect((await waitForRun(stack, discover.body.run_id)).status).toBe('succeeded');
    const streams = await stack.api<{ data: Array<{ stream: string; replication_methods: string[] }> }>('GET', `/connectors/${connectorId}/streams`);
    expect(streams.body.data.find((s) => s.stream === stream)?.replication_methods).toEqual(['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED']);
    // wal2json's table filter cannot take a space: not offered, and refused when asked for.
    expect(streams.body.data.find((s) => s.stream === `public-${spaced}`)?.replication_methods).toEqual(['FULL_TABLE', 'INCREMENTAL']);
    const refused = await stack.api<{ error: { fields: Record<string, string[]> } }>('POST', '/pipelines', {
      name: 'spaced',
      source_connector_id: connectorId,
      streams: [{ stream: `public-${spaced}`, sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields['streams.0.replication_method']![0]).toMatch(/cannot be read from the database's change log: its name contains a space/);

    const pipeline = await stack.api<{ id: string; destination: { database: string } }>('POST', '/pipelines', {
      name: 'log-based',
      source_connector_id: connectorId,
      streams: [{ stream, sync_mode: 'incremental_deduped', replication_method: 'LOG_BASED' }],
    });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    slot = replicationSlotName(pipeline.body.id);
    const database = pipeline.body.destination.database;
    const sync = async () => {
      const started = await stack.api<{ run_id: string }>('POST', `/pipelines/${pipeline.body.id}/runs`);
      const run = await waitForRun(stack, started.body.run_id);
      expect(run.status, String(run.error)).toBe('succeeded');
      // Rows the warehouse took (the tap's own record count leaves out its initial copy).
      return Number(run.rows_loaded ?? 0);
    };

    // 1: the table is copied whole, and the slot keeps what changes from then on.
    expect(await sync()).toBe(5);
    expect(await slotExists(slot)).toBe(true);
    expect(await warehouseRows(database, '_sdc_deleted_at IS NULL')).toEqual(await sourceRows());

    // 2: only the changes, deletes included.
    await source.unsafe(`insert into ${table} values (6, 'six', 7.5)`);
    await source.unsafe(`update ${table} set label = 'TWO', amount = 22.22 where id = 2`);
    await source.unsafe(`delete from ${table} where id = 3`);
    expect(await sync()).toBe(3);
    expect(await warehouseRows(database, '_sdc_deleted_at IS NULL')).toEqual(await sourceRows());
    expect((await warehouseRows(database, '_sdc_deleted_at IS NOT NULL')).map((r) => r.id)).toEqual([3]);

    // 3: the slot was told what the warehouse holds, so nothing is read again.
    expect(await sync()).toBe(0);

    // Deleting the pipeline releases the slot on the source (a worker drops it).
    expect((await stack.api('DELETE', `/pipelines/${pipeline.body.id}`)).status).toBe(204);
    await expect.poll(() => slotExists(slot), { timeout: 30_000, interval: 500 }).toBe(false);
  });
});

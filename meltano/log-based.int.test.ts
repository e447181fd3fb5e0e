import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import postgres from 'postgres';
import { dir } from 'tmp-promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../db/migrate.js';
import { localEnv, sourceDatabaseUrl } from '../scripts/local-env.js';
import { selectStreams, streamIdOf, type Catalog } from './catalog-selection.js';
import { committedLsn, logBasedTapConfig, markLogBased, replicationSlotName } from './log-based.js';
import { confirmCommitted, dropSlot, prepareSlot, type SourceConnection } from './log-based-slot.js';
import { projectRoot } from './project.js';

// The recipe, run for real: tap-postgres 0.10.0 LOG_BASED (wal2json) on the sources' PostgreSQL
// piped into our target, as the worker would: make the slot, sync, confirm the committed
// position, change rows, sync again; the deleted row's newest version carries _sdc_deleted_at.
const tapBin = path.join(projectRoot, '.meltano', 'extractors', 'tap-postgres', 'venv', 'bin', 'tap-postgres');
const targetBin = path.join(projectRoot, 'meltano', 'target-clickhouse', 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl });
const suffix = randomBytes(4).toString('hex');
const database = `t_logbased_${suffix}`;
// Upper case, a dot and a quote: names wal2json takes once the tap escapes them.
const table = `Mixed.Case'Orders_${suffix}`;
const quoted = `"${table}"`;
const stream = `public-${table}`;
const sourceUrl = Object.assign(new URL(sourceDatabaseUrl()), { pathname: '/sluice_test_source' });
const connection: SourceConnection = { host: sourceUrl.hostname, port: Number(sourceUrl.port || 5432), user: 'postgres', password: 'unused-with-trust-auth', database: 'sluice_test_source' };
const source = postgres(sourceUrl.toString(), { max: 1, onnotice: () => {} });
const pipelineId = randomUUID();
const slot = replicationSlotName(pipelineId);
let folder: Awaited<ReturnType<typeof dir>>;

type Message = { type: string; stream?: string; record?: Record<string, unknown>; value?: unknown };

async function sync(state: unknown): Promise<{ records: Message[]; state: unknown }> {
  const statePath = path.join(folder.path, 'state.json');
  await writeFile(statePath, JSON.stringify(state));
  const tap = await execa(tapBin, ['--config', path.join(folder.path, 'tap.json'), '--catalog', path.join(folder.path, 'catalog.json'), '--state', statePath], { reject: false, maxBuffer: 64 * 1024 * 1024 });
  expect(tap.exitCode, tap.stderr.slice(-3000)).toBe(0);
  const target = await execa(targetBin, ['--config', path.join(folder.path, 'target.json')], { input: tap.stdout, reject: false });
  expect(target.exitCode, target.stderr.slice(-3000)).toBe(0);
  const messages = tap.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Message);
  const states = target.stdout.split('\n').filter(Boolean);
  return { records: messages.filter((m) => m.type === 'RECORD'), state: JSON.parse(states.at(-1) ?? JSON.stringify(state)) };
}

/** What the worker does around a sync: slot ready (or a fresh copy), sync, confirm what is committed. */
async function pipelineSync(state: unknown) {
  const ready = await prepareSlot(connection, slot, committedLsn(state, [stream]));
  expect(ready.recopy).toBeUndefined();
  const result = await sync(state);
  const committed = committedLsn(result.state, [stream]);
  expect(committed).toBeDefined();
  await confirmCommitted(connection, slot, committed!);
  return result;
}

async function warehouseRows() {
  const [found] = await (await clickhouse.query({ query: `SELECT name FROM system.tables WHERE database = '${database}'`, format: 'JSONEachRow' })).json<{ name: string }>();
  const rows = await clickhouse.query({ query: `SELECT id, label, toString(amount) AS amount, _sdc_deleted_at FROM ${database}.\`${found!.name}\` FINAL ORDER BY id`, format: 'JSONEachRow' });
  return rows.json<{ id: string | number; label: string | null; amount: string | null; _sdc_deleted_at: string | null }>();
}

beforeAll(async () => {
  folder = await dir({ unsafeCleanup: true });
  await ensureDatabase(sourceUrl.toString());
  await source.unsafe(`create table ${quoted} (id int primary key, label text, amount numeric(12,2))`);
  await source.unsafe(`insert into ${quoted} values (1, 'one', 1.10), (2, 'two', 2.20), (3, 'three', 3.30)`);
  const tapConfig = { host: connection.host, port: connection.port, user: connection.user, password: connection.password, database: connection.database, filter_schemas: ['public'], ...logBasedTapConfig(pipelineId) };
  await writeFile(path.join(folder.path, 'tap.json'), JSON.stringify(tapConfig));
  await writeFile(path.join(folder.path, 'target.json'), JSON.stringify({ url: clickhouseUrl, database }));
  const discovered = await execa(tapBin, ['--config', path.join(folder.path, 'tap.json'), '--discover'], { maxBuffer: 64 * 1024 * 1024 });
  const catalog = selectStreams(JSON.parse(discovered.stdout) as Catalog, [{ stream }]);
  for (const entry of catalog.streams ?? []) if (streamIdOf(entry) === stream) markLogBased(entry);
  await writeFile(path.join(folder.path, 'catalog.json'), JSON.stringify(catalog));
});

afterAll(async () => {
  await dropSlot(connection, slot);
  await source.unsafe(`drop table if exists ${quoted}`);
  await source.end();
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
  await folder?.cleanup();
});

describe('tap-postgres LOG_BASED | target-clickhouse', () => {
  it('copies the table first, then loads inserts, updates and deletes from the log', async () => {
    const first = await pipelineSync({});
    // The first run copies the table (no log position on these rows yet).
    expect(first.records.map((m) => [m.record?.id, m.record?._sdc_lsn, m.record?._sdc_deleted_at])).toEqual([[1, null, null], [2, null, null], [3, null, null]]);
    expect(first.state).toMatchObject({ bookmarks: { [stream]: { replication_key_value: expect.any(Number) } } });

    await source.unsafe(`insert into ${quoted} values (4, 'four', 4.40)`);
    await source.unsafe(`update ${quoted} set label = 'TWO', amount = 22.22 where id = 2`);
    await source.unsafe(`delete from ${quoted} where id = 3`);
    const second = await pipelineSync(first.state);
    // Only the changes, in order, each with its log position; a delete carries the key only.
    expect(second.records.map((m) => m.record)).toEqual([
      { id: 4, label: 'four', amount: 4.4, _sdc_deleted_at: null, _sdc_lsn: expect.any(Number) },
      { id: 2, label: 'TWO', amount: 22.22, _sdc_deleted_at: null, _sdc_lsn: expect.any(Number) },
      { id: 3, _sdc_deleted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), _sdc_lsn: expect.any(Number) },
    ]);

    const rows = await warehouseRows();
    // (amount: how a numeric lands is the target's type mapping; here only the value counts)
    expect(rows.map((r) => [Number(r.id), r.label, r.amount === null ? null : Number(r.amount), r._sdc_deleted_at !== null])).toEqual([
      [1, 'one', 1.1, false],
      [2, 'TWO', 22.22, false],
      [3, null, null, true], // the deleted row's newest version: deleted, its other columns empty
      [4, 'four', 4.4, false],
    ]);

    // The slot was told what is committed, so a run without changes reads nothing again.
    const third = await pipelineSync(second.state);
    expect(third.records).toEqual([]);
  });
});

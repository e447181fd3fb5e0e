import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import postgres from 'postgres';
import { dir } from 'tmp-promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../../db/migrate.js';
import { localEnv, sourceDatabaseUrl } from '../../scripts/local-env.js';
import { safeName, tableName } from '../target-clickhouse/identifiers.js';

// tap-sluice-postgres against the sources' PostgreSQL (setup.sh, port 5433), alone and piped
// into target-clickhouse, with names that need quoting and every common type.
const bin = path.join(import.meta.dirname, 'bin', 'tap-sluice-postgres');
const targetBin = path.join(import.meta.dirname, '..', 'target-clickhouse', 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl, username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' });
const suffix = randomBytes(4).toString('hex');
const chDatabase = `t_pgtap_${suffix}`;
const schemaName = `Tap "Odd" é ${suffix}`;
const tableOdd = 'Select "T" ü';
const stream = `${schemaName}-${tableOdd}`;

const url = new URL(sourceDatabaseUrl());
url.pathname = '/sluice_test_source';
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
const config = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password: decodeURIComponent(url.password), database: 'sluice_test_source', filter_schemas: [schemaName] };
const work = await dir({ unsafeCleanup: true });
const fileOf = async (name: string, value: unknown) => {
  const file = path.join(work.path, name);
  await writeFile(file, JSON.stringify(value));
  return file;
};

type Catalog = { streams: { tap_stream_id: string; key_properties: string[]; schema: { properties: Record<string, Record<string, unknown>> }; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };

async function runTap(args: string[], extraConfig: Record<string, unknown> = {}) {
  const result = await execa(bin, ['--config', await fileOf('config.json', { ...config, ...extraConfig }), ...args], { reject: false, maxBuffer: 1 << 28 });
  return result;
}
/** Messages, with the bare NaN/Infinity tokens Python taps also write read as strings. */
const messages = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l.replace(/:(-?Infinity|NaN)([,}])/g, ':"$1"$2')) as Record<string, any>);

async function catalogSelecting(streams: string[], top: Record<string, unknown> = {}): Promise<string> {
  const discovered = await runTap(['--discover']);
  const catalog = JSON.parse(discovered.stdout) as Catalog;
  for (const entry of catalog.streams) {
    const meta = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    meta.selected = streams.includes(entry.tap_stream_id);
    if (meta.selected) Object.assign(meta, top);
  }
  return fileOf('catalog.json', catalog);
}

beforeAll(async () => {
  await ensureDatabase(url.toString());
  const s = `"${schemaName.replace(/"/g, '""')}"`;
  await sql.unsafe(`create schema ${s}`);
  await sql.unsafe(`create table ${s}."Select ""T"" ü" (
    "id" bigint primary key, "user name" text, "naïve" timestamp, tz timestamptz, d date, n numeric(20,4), f8 float8, b bool,
    u uuid, jb jsonb, arr int[], by bytea, iv interval, vc varchar(10), "order" int not null)`);
  await sql.unsafe(`insert into ${s}."Select ""T"" ü" values
    (9223372036854775807, E'tab\\there\\nnew "q" \\\\ back é 😀', '2024-01-02 03:04:05', '2024-01-02 03:04:05+02', '2024-02-29', 1234567890123456.0123, 1.5, true,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"z":1,"a":{"k":[null, "x\\"y"]}}', '{1,2,NULL}', '\\x00ff10', '1 day 02:03:04', 'short', 1),
    (-9223372036854775808, null, null, null, null, -0.0001, -2.5e-7, false, null, null, '{}', '', null, null, 2),
    (3, '', '2000-01-01 00:00:00', '2030-06-01 12:00:00+00', '1999-12-31', 0, 0, null, null, '[]', null, null, null, '', 3),
    (4, 'four', null, null, null, 99999999999999.9999, 1e300, true, null, '"text"', null, null, null, null, 4)`);
  await sql.unsafe(`create view ${s}."a view" as select id, "user name" from ${s}."Select ""T"" ü"`);
});

afterAll(async () => {
  await sql.unsafe(`drop schema if exists "${schemaName.replace(/"/g, '""')}" cascade`);
  await sql.end();
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${chDatabase}` });
  await clickhouse.close();
  await work.cleanup();
});

describe('tap-sluice-postgres', () => {
  it('describes itself with --about', async () => {
    const about = JSON.parse((await execa(bin, ['--about', '--format=json'])).stdout) as { capabilities: string[]; settings: { properties: Record<string, { secret?: boolean }> } };
    expect(about.capabilities).toEqual(['catalog', 'discover', 'state', 'about', 'live-schema']);
    expect(about.settings.properties.password!.secret).toBe(true);
  });

  it('discovers tables and views as <schema>-<table> with keys, exact types and metadata', async () => {
    const result = await runTap(['--discover']);
    expect(result.exitCode, result.stderr).toBe(0);
    const catalog = JSON.parse(result.stdout) as Catalog;
    expect(catalog.streams.map((s) => s.tap_stream_id).sort()).toEqual([`${schemaName}-a view`, stream].sort());
    const entry = catalog.streams.find((s) => s.tap_stream_id === stream)!;
    expect(entry.key_properties).toEqual(['id']);
    expect(entry.schema.properties.n).toMatchObject({ 'x-sql-datatype': 'numeric(20,4)' });
    expect(entry.schema.properties.tz).toMatchObject({ format: 'date-time', 'x-sql-datatype': 'timestamp with time zone' });
    expect(entry.schema.properties.order).toMatchObject({ type: 'integer' });
    const top = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    expect(top).toMatchObject({ 'table-key-properties': ['id'], 'replication-methods': ['FULL_TABLE', 'INCREMENTAL'], 'selected-by-default': true });
    expect(top['valid-replication-keys']).toEqual(expect.arrayContaining(['id', 'naïve', 'tz', 'd', 'n', 'order']));
    expect(entry.metadata.find((m) => m.breadcrumb[1] === 'id')!.metadata.inclusion).toBe('automatic');
  });

  it('reads every value exactly, and only the selected streams and properties', async () => {
    const catalogFile = await catalogSelecting([stream]);
    const catalog = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(catalogFile, 'utf8'))) as Catalog;
    const entry = catalog.streams.find((s) => s.tap_stream_id === stream)!;
    entry.metadata.find((m) => m.breadcrumb[1] === 'iv')!.metadata.selected = false;
    const result = await runTap(['--catalog', await fileOf('catalog.json', catalog)]);
    expect(result.exitCode, result.stderr).toBe(0);
    // int8 extremes and numeric digits written from their own text
    expect(result.stdout).toContain('"id":9223372036854775807,');
    expect(result.stdout).toContain('"id":-9223372036854775808,');
    expect(result.stdout).toContain('"n":1234567890123456.0123,');
    const out = messages(result.stdout);
    expect(out.filter((m) => m.type === 'SCHEMA').map((m) => m.stream)).toEqual([stream]);
    const records = out.filter((m) => m.type === 'RECORD').map((m) => m.record as Record<string, unknown>);
    expect(records).toHaveLength(4);
    expect(Object.keys(records[0]!)).not.toContain('iv');
    expect(records.find((r) => r.order === 1)).toEqual({
      id: 9223372036854775807,
      'user name': 'tab\there\nnew "q" \\ back é 😀',
      naïve: '2024-01-02T03:04:05+00:00',
      tz: '2024-01-02T01:04:05+00:00',
      d: '2024-02-29',
      n: 1234567890123456.0123,
      f8: 1.5,
      b: true,
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      jb: { a: { k: [null, 'x"y'] }, z: 1 },
      arr: [1, 2, null],
      by: '00ff10',
      vc: 'short',
      order: 1,
    });
    expect(records.find((r) => r.order === 2)).toMatchObject({ 'user name': null, n: -0.0001, f8: -2.5e-7, arr: [], by: '' });
    expect(records.find((r) => r.order === 4)).toMatchObject({ jb: 'text' });
    expect(out.at(-1)).toEqual({ type: 'STATE', value: { bookmarks: {} } });
    expect(result.stderr).toMatch(/METRIC: \{"type":"counter","metric":"record_count","value":4,/);
  });

  it('bookmarks an incremental stream as it goes and resumes from the bookmark (>=)', async () => {
    const catalogFile = await catalogSelecting([stream], { 'replication-method': 'INCREMENTAL', 'replication-key': 'order' });
    const first = await runTap(['--catalog', catalogFile], { state_every_rows: 2 });
    expect(first.exitCode, first.stderr).toBe(0);
    const out = messages(first.stdout);
    const kinds = out.map((m) => (m.type === 'RECORD' ? `R${String(m.record.order)}` : m.type === 'STATE' ? `K${String(m.value.bookmarks[stream]?.replication_key_value)}` : m.type));
    // States after the records they cover (a chunk may hold more than 2 rows), the last one at the end.
    expect(kinds[0]).toBe('SCHEMA');
    expect(kinds.filter((k) => k.startsWith('R'))).toEqual(['R1', 'R2', 'R3', 'R4']);
    expect(kinds.at(-1)).toBe('K4');
    for (const [i, k] of kinds.entries()) if (k.startsWith('K')) expect(kinds.slice(0, i)).toContain(`R${k.slice(1)}`);

    await sql.unsafe(`insert into "${schemaName.replace(/"/g, '""')}"."Select ""T"" ü" (id, "order") values (5, 5)`);
    const state = out.at(-1)!.value as unknown;
    const second = await runTap(['--catalog', catalogFile, '--state', await fileOf('state.json', state)]);
    expect(second.exitCode, second.stderr).toBe(0);
    const again = messages(second.stdout);
    expect(again.filter((m) => m.type === 'RECORD').map((m) => m.record.order)).toEqual([4, 5]);
    expect(again.at(-1)).toEqual({ type: 'STATE', value: { bookmarks: { [stream]: { replication_key: 'order', replication_key_value: 5 } } } });
    await sql.unsafe(`delete from "${schemaName.replace(/"/g, '""')}"."Select ""T"" ü" where id = 5`);
  });

  it('reads several tables at once without mixing their lines', async () => {
    const catalogFile = await catalogSelecting([stream, `${schemaName}-a view`]);
    const result = await runTap(['--catalog', catalogFile], { max_parallel_streams: 2 });
    expect(result.exitCode, result.stderr).toBe(0);
    const out = messages(result.stdout);
    const count = (s: string) => out.filter((m) => m.type === 'RECORD' && m.stream === s).length;
    expect([count(stream), count(`${schemaName}-a view`)]).toEqual([4, 4]);
    expect(out.filter((m) => m.type === 'SCHEMA')).toHaveLength(2);
  });

  it('says plainly when the server is not there or the database does not exist', async () => {
    const refused = await runTap(['--discover'], { port: 1 });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/connection refused/);
    const gone = await runTap(['--discover'], { database: `nope_${suffix}` });
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toMatch(/does not exist/);
  });

  it('reads a table as it is now, whatever changed since the catalog was discovered', async () => {
    const s = `"${schemaName.replace(/"/g, '""')}"`;
    const changing = `${schemaName}-changing`;
    await sql.unsafe(`create table ${s}.changing (id int primary key, dropped text, kept text)`);
    await sql.unsafe(`insert into ${s}.changing values (1, 'x', 'one')`);
    const catalogFile = await catalogSelecting([changing]);
    await sql.unsafe(`alter table ${s}.changing drop column dropped, add column added text default 'new'`);
    const result = await runTap(['--catalog', catalogFile]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`WARNING stream "${changing}": columns no longer in the table, skipped: dropped`);
    expect(result.stderr).toContain(`INFO stream "${changing}": columns added since the catalog was discovered, read as well: added`);
    expect(messages(result.stdout).filter((m) => m.type === 'RECORD').map((m) => m.record)).toEqual([{ id: 1, kept: 'one', added: 'new' }]);

    // A catalog that leaves a column out chose its columns one by one: a new one stays out.
    const catalog = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(catalogFile, 'utf8'))) as Catalog;
    catalog.streams.find((e) => e.tap_stream_id === changing)!.metadata.find((m) => m.breadcrumb[1] === 'kept')!.metadata.selected = false;
    const chosen = await runTap(['--catalog', await fileOf('catalog.json', catalog)]);
    expect(chosen.exitCode, chosen.stderr).toBe(0);
    expect(chosen.stderr).toContain('not read (the catalog selects columns one by one): added');
    expect(messages(chosen.stdout).filter((m) => m.type === 'RECORD').map((m) => m.record)).toEqual([{ id: 1 }]);
    await sql.unsafe(`drop table ${s}.changing`);
  });

  it('says a selected table is gone', async () => {
    const catalog = { streams: [{ tap_stream_id: `${schemaName}-gone`, schema: { properties: { id: {} } }, metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] };
    const result = await runTap(['--catalog', await fileOf('catalog.json', catalog)]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/the table or view is gone/);
  });

  it('pipes into target-clickhouse: every row and column as in the source', async () => {
    const catalogFile = await catalogSelecting([stream]);
    const targetConfig = await fileOf('target.json', { url: clickhouseUrl, database: chDatabase, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD ?? '' });
    const tap = spawn(bin, ['--config', await fileOf('config.json', config), '--catalog', catalogFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const target = execa(targetBin, ['--config', targetConfig], { stdin: 'pipe', reject: false });
    tap.stdout.pipe(target.stdin!);
    let tapErr = '';
    tap.stderr.on('data', (d: Buffer) => (tapErr += d.toString()));
    const tapCode = await new Promise<number | null>((resolve) => tap.on('close', resolve));
    const loaded = await target;
    expect(tapCode, tapErr).toBe(0);
    expect(loaded.exitCode, loaded.stderr).toBe(0);
    const col = (name: string) => `\`${safeName(name)}\``;
    const chTable = `${chDatabase}.\`${tableName('', stream)}\``;
    const query = `SELECT toString(${col('id')}) AS id, ${col('user name')} AS name, toString(${col('n')}) AS n, toString(${col('tz')}) AS tz, toString(${col('d')}) AS d, toString(${col('b')}) AS b, toString(${col('u')}) AS u, ${col('jb')} AS jb, ${col('arr')} AS arr, toString(${col('order')}) AS ord FROM ${chTable} FINAL ORDER BY ${col('order')}`;
    const got = await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<Record<string, string | null>>();
    const want = await sql.unsafe<Record<string, string | null>[]>(
      `select id::text as id, "user name" as name, n::text as n, to_char(tz at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as tz, d::text as d, case when b then '1' when not b then '0' end as b, u::text as u, jb::text as jb, array_to_json(arr)::text as arr, "order"::text as ord
         from "${schemaName.replace(/"/g, '""')}"."Select ""T"" ü" order by "order"`,
    );
    const norm = (rows: Record<string, string | null>[]) =>
      rows.map((r) => ({
        ...r,
        // ClickHouse prints decimals without trailing zeros, booleans as 1/0 or true/false.
        n: r.n == null ? null : String(Number(r.n)) === r.n ? r.n : r.n.replace(/\.?0+$/, ''),
        b: r.b === 'true' ? '1' : r.b === 'false' ? '0' : r.b,
        jb: r.jb == null ? null : JSON.stringify(JSON.parse(r.jb)),
        arr: r.arr == null ? null : JSON.stringify(JSON.parse(r.arr)),
        tz: r.tz?.slice(0, 19) ?? null,
      }));
    expect(norm(got)).toEqual(norm([...want]));
  });
});

import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { ensureDatabase } from '../db/migrate.js';
import { sourceDatabaseUrl } from '../scripts/local-env.js';

/**
 * A PostgreSQL database the way real ones are: a table whose name has a space and capitals,
 * a reserved word, a space and non-ASCII letters in column names, every type users commonly
 * have, the edge values of each, NULL beside empty, and many ordinary rows. It lives on the
 * sources' PostgreSQL in a database of its own, so discovery sees only it.
 */
export const ACCOUNTS = 'Customer Accounts';

/** Column → PostgreSQL type. Order is the table's. */
export const ACCOUNT_COLUMNS: Array<[string, string]> = [
  ['id', 'integer primary key'],
  ['select', 'text'],
  ['Name With Space', 'text'],
  ['ünïcode', 'varchar(20)'],
  ['code', 'char(3)'],
  ['i2', 'smallint'],
  ['i4', 'integer'],
  ['i8', 'bigint'],
  ['amount', 'numeric(38,10)'],
  ['price', 'numeric(12,2)'],
  ['loose', 'numeric'],
  ['f4', 'real'],
  ['f8', 'double precision'],
  ['flag', 'boolean'],
  ['day', 'date'],
  ['at_local', 'timestamp'],
  ['at_utc', 'timestamptz'],
  ['clock', 'time'],
  ['doc', 'jsonb'],
  ['raw', 'json'],
  ['nums', 'integer[]'],
  ['tags', 'text[]'],
  ['uid', 'uuid'],
  ['bytes', 'bytea'],
  ['addr', 'inet'],
  ['updated_at', 'timestamptz not null'],
];

/**
 * The edge rows, one value per column (SQL literals; NULL where left out). Each row stresses
 * something: extremes of every integer, numeric(38,10) at full width, dates before 1970 and
 * after 2106, infinity, sub-second and pre-1970 timestamps, JSON scalars (a JSON string
 * must keep its quotes), empty string beside NULL, arrays with NULL inside.
 */
const EDGE_ROWS: Array<Record<string, string>> = [
  {
    id: '1', select: `'from'`, 'Name With Space': `'Zoë 🚀 日本'`, ünïcode: `'ünï'`, code: `'ab'`,
    i2: '32767', i4: '2147483647', i8: '9223372036854775807',
    amount: '9999999999999999999999999999.9999999999', price: '9999999999.99', loose: '654320.9817654285',
    f4: '3.4028235e38', f8: '1.7976931348623157e308', flag: 'true',
    day: `'1900-01-01'`, at_local: `'1900-01-01 12:00:00.123456'`, at_utc: `'2200-01-01 00:00:00+00'`, clock: `'23:59:59.999999'`,
    doc: `'"just a string"'`, raw: `'42'`, nums: `'{1,NULL,3}'`, tags: `'{"a b","c,d",""}'`,
    uid: `'5f0c6f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f'`, bytes: `'\\x00ff'`, addr: `'10.0.0.1'`,
  },
  {
    id: '2', select: `''`, 'Name With Space': `'O''Brien "q" \\ back'`, ünïcode: `''`, code: `''`,
    i2: '-32768', i4: '-2147483648', i8: '-9223372036854775808',
    amount: '-9999999999999999999999999999.9999999999', price: '-0.01', loose: '100000000000000000000000000',
    f4: '-1.5', f8: '-2.2250738585072014e-308', flag: 'false',
    day: `'1969-12-31'`, at_local: `'1969-12-31 23:59:59'`, at_utc: `'1970-01-01 00:00:00+00'`, clock: `'00:00:00'`,
    doc: `'42'`, raw: `'"42"'`, nums: `'{}'`, tags: `'{}'`, bytes: `'\\x'`, addr: `'::1'`,
  },
  {
    id: '3', amount: '654320.9817654285', price: '0', loose: '0.1', f4: '0.1', f8: '0.1',
    day: `'1970-01-01'`, at_local: `'2106-02-07 06:28:16'`, at_utc: `'2024-02-29 12:34:56.5+02:00'`,
    doc: `'{"a": {"b": [1, 2.5, null]}, "é": "x", "n": null}'`, raw: `'[1, "x", {"y": false}]'`, nums: `'{0}'`,
  },
  { id: '4', day: `'2105-12-31'`, at_local: `'2106-02-07 06:28:15'`, at_utc: `'2024-02-29 10:34:56+00'`, doc: `'null'`, raw: `'{}'`, f8: `'NaN'`, loose: `'NaN'` },
  { id: '5', day: `'2200-01-01'`, at_local: `'1970-01-01 00:00:00'`, doc: `'[]'`, raw: `'null'`, f8: `'Infinity'`, f4: `'-Infinity'` },
  { id: '6', day: `'infinity'`, at_local: `'-infinity'`, at_utc: `'infinity'`, doc: `'true'`, amount: '0.0000000001', price: '12.34' },
  { id: '7' },
];

const literal = (row: Record<string, string>, column: string) => row[column] ?? 'NULL';
export const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Ordinary rows: varied but reproducible values in every column (ids from 1001). */
function ordinaryRowsSql(table: string, from: number, to: number) {
  return `insert into ${quoted(table)} (${ACCOUNT_COLUMNS.map(([c]) => quoted(c)).join(', ')})
    select g, 'w' || g, 'name ' || g, left(md5(g::text), 20), chr(65 + g % 26),
      (g % 30000)::smallint, g * 7919 % 2000000000, g::bigint * 1000000007,
      round((g * 1.2345678901)::numeric, 10), round((g / 7.0)::numeric, 2), (g * 3)::numeric / 8,
      (g / 3.0)::real, g / 7.0::double precision, g % 2 = 0,
      date '1990-01-01' + g, timestamp '2020-01-01' + g * interval '1 second 1 millisecond', timestamptz '2021-06-01T00:00:00Z' + g * interval '1 minute',
      time '08:00' + g * interval '1 second',
      jsonb_build_object('g', g, 'even', g % 2 = 0, 'label', 'row ' || g), to_json(g), array[g, g + 1], array['t' || g],
      md5(g::text)::uuid, decode(lpad(to_hex(g), 8, '0'), 'hex'), ('10.1.' || (g % 250) || '.' || (g % 200))::inet,
      timestamptz '2024-01-01T00:00:00Z' + g * interval '1 second'
    from generate_series(${from}, ${to}) g`;
}

export async function fidelitySource(options: { ordinaryRows: number }) {
  const url = new URL(sourceDatabaseUrl());
  const database = `fid_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${database}`;
  await ensureDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`create table ${quoted(ACCOUNTS)} (${ACCOUNT_COLUMNS.map(([c, t]) => `${quoted(c)} ${t}`).join(', ')})`);
  for (const row of EDGE_ROWS) {
    const values = ACCOUNT_COLUMNS.map(([c]) => (c === 'updated_at' ? `timestamptz '2023-06-01T00:00:00Z' + ${row.id} * interval '1 second'` : literal(row, c)));
    await sql.unsafe(`insert into ${quoted(ACCOUNTS)} values (${values.join(', ')})`);
  }
  if (options.ordinaryRows > 0) await sql.unsafe(ordinaryRowsSql(ACCOUNTS, 1001, 1000 + options.ordinaryRows));
  return {
    database,
    sql,
    stream: `public-${ACCOUNTS}`,
    config: { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password: 'unused-with-trust-auth', database, filter_schemas: ['public'] },
    /** Changes between syncs: updates (bumping updated_at), inserts and deletes; returns the deleted ids. */
    async change(step: number) {
      await sql.unsafe(`update ${quoted(ACCOUNTS)} set "select" = 'changed ${step}', amount = amount / 3, updated_at = now() where id in (3, 1001, 1002)`);
      await sql.unsafe(ordinaryRowsSql(ACCOUNTS, 100_000 * step + 1, 100_000 * step + 5));
      await sql.unsafe(`update ${quoted(ACCOUNTS)} set updated_at = now() where id > 100000 * ${step}`);
      const deleted = await sql.unsafe<Array<{ id: number }>>(`delete from ${quoted(ACCOUNTS)} where id in (4, 1003) returning id`);
      return deleted.map((r) => r.id);
    },
    async drop() {
      await sql.end({ timeout: 5 });
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const root = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      await root.unsafe(`drop database if exists ${quoted(database)} with (force)`);
      await root.end({ timeout: 5 });
    },
  };
}

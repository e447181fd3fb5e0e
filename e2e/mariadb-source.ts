import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/**
 * A MariaDB database of the test's own on the machine's MariaDB (127.0.0.1:3306, root
 * without a password), reached with the `mariadb` command-line client (no npm driver):
 * a table whose name has a space, a reserved word and a space in column names, the types
 * MySQL users commonly have with the edge values of each, NULL beside empty, and ~1000
 * ordinary rows.
 */
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' };
export const ORDERS = 'Order Items';

/**
 * How a column's values are compared: `int` and `text` as text, `decimal` digit for digit,
 * `float` as the same double, `instant` (DATE, DATETIME, TIMESTAMP) as epoch microseconds,
 * `time` as seconds, `bool` as 0/1, `bits` as a number, `hex` as lowercase hex; `unsupported`
 * columns are types the tap does not offer.
 */
export type ColumnKind = 'int' | 'decimal' | 'float' | 'text' | 'instant' | 'time' | 'bool' | 'bits' | 'hex' | 'unsupported';
export const ORDER_COLUMNS: Array<{ name: string; ddl: string; kind: ColumnKind }> = [
  { name: 'id', ddl: 'int primary key', kind: 'int' },
  { name: 'select', ddl: 'varchar(50)', kind: 'text' },
  { name: 'unit price', ddl: 'decimal(38,10)', kind: 'decimal' },
  { name: 'money', ddl: 'decimal(10,2)', kind: 'decimal' },
  { name: 'big', ddl: 'bigint', kind: 'int' },
  { name: 'ubig', ddl: 'bigint unsigned', kind: 'int' },
  { name: 'tiny', ddl: 'tinyint', kind: 'int' },
  { name: 'utiny', ddl: 'tinyint unsigned', kind: 'int' },
  { name: 'f', ddl: 'float', kind: 'float' },
  { name: 'd', ddl: 'double', kind: 'float' },
  { name: 'name', ddl: 'varchar(255)', kind: 'text' },
  { name: 'body', ddl: 'text', kind: 'text' },
  { name: 'code', ddl: 'char(3)', kind: 'text' },
  { name: 'day', ddl: 'date', kind: 'instant' },
  { name: 'at', ddl: 'datetime(6)', kind: 'instant' },
  { name: 'ts', ddl: 'timestamp(3) null default null', kind: 'instant' },
  { name: 'tod', ddl: 'time', kind: 'time' },
  { name: 'doc', ddl: 'json', kind: 'text' },
  { name: 'status', ddl: "enum('new','paid','shipped','ça va')", kind: 'text' },
  { name: 'flag', ddl: 'bool', kind: 'bool' },
  { name: 'bit1', ddl: 'bit(1)', kind: 'bool' },
  { name: 'bits', ddl: 'bit(8)', kind: 'bits' },
  { name: 'tag', ddl: 'varbinary(16)', kind: 'hex' },
  { name: 'raw', ddl: 'blob', kind: 'unsupported' },
  { name: 'yr', ddl: 'year', kind: 'unsupported' },
  { name: 'colors', ddl: "set('red','green','blue')", kind: 'unsupported' },
  { name: 'updated_at', ddl: 'datetime not null', kind: 'instant' },
];

/** Edge rows (SQL literals per column; NULL where left out), ids after the ordinary rows. */
const EDGE_ROWS: Array<Record<string, string>> = [
  // NULL everywhere it can be.
  { id: '1001' },
  // Empty beside NULL, zeros.
  { id: '1002', select: "''", name: "''", body: "''", code: "''", 'unit price': '0', money: '0', big: '0', ubig: '0', f: '0', d: '0', tod: "'00:00:00'", doc: "'{}'", flag: '0', bit1: "b'0'", bits: "b'0'", tag: "x''", raw: "x''", yr: '2000', colors: "''" },
  // The largest values of each type.
  {
    id: '1003', select: "'from'", 'unit price': '9999999999999999999999999999.9999999999', money: '99999999.99', big: '9223372036854775807', ubig: '18446744073709551615',
    tiny: '127', utiny: '255', f: '3.40282e38', d: '1.7976931348623157e308', day: "'9999-12-31'", at: "'9999-12-31 23:59:59.999999'", ts: "'2038-01-19 03:14:07.999'",
    tod: "'838:59:59'", status: "'ça va'", flag: '1', bit1: "b'1'", bits: "b'11111111'", tag: "x'ffffffffffffffffffffffffffffffff'", yr: '2155', colors: "'red,green,blue'",
  },
  // The smallest.
  {
    id: '1004', 'unit price': '-9999999999999999999999999999.9999999999', money: '-99999999.99', big: '-9223372036854775808', tiny: '-128', f: '-1.17549e-38', d: '-2.2250738585072014e-308',
    day: "'1000-01-01'", at: "'1000-01-01 00:00:00'", ts: "'1970-01-01 00:00:01'", tod: "'-838:59:59'", doc: "'[]'", yr: '1901',
  },
  // Zero dates (this server's sql_mode lets them in): not dates any column can hold.
  { id: '1005', day: "'0000-00-00'", at: "'0000-00-00 00:00:00'", ts: "'0000-00-00 00:00:00'" },
  // Text that needs quoting and escaping; JSON with unicode keys and nesting.
  {
    id: '1006', select: "'O''Brien \"q\" \\\\ back'", name: "'👩‍👩‍👧 e\u0301 ÿ 日本語 🚀'", body: "'tab\\there\\r\\nCRLF \\\\N, comma'", code: "'ü '",
    doc: "'{\"é\": {\"n\": [1, 2.5, null, \"x\"]}, \"q\": \"\\\\\"\"}'", tag: "x'00'",
  },
  // Doubles at the edge of what a double keeps; the smallest decimal step.
  { id: '1007', d: '0.1e0 + 0.2e0', f: '0.1', 'unit price': '0.0000000001', money: '0.01' },
  // Just before 1970 and the last second ClickHouse's DateTime holds.
  { id: '1008', day: "'1969-12-31'", at: "'1969-12-31 23:59:59.5'", ts: "'2024-02-29 12:34:56.789'", d: '1e-300' },
];

export const quoted = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const literal = (row: Record<string, string>, column: string) => row[column] ?? 'NULL';

/** Runs SQL (several statements allowed) with the command-line client; returns its output lines (raw, tab-separated). */
export async function mariadb(sql: string, database?: string): Promise<string[]> {
  const result = await execa(
    'mariadb',
    ['-h', MARIADB.host, '-P', String(MARIADB.port), '-u', MARIADB.user, '--default-character-set=utf8mb4', '--batch', '--raw', '--skip-column-names', ...(database ? [database] : [])],
    { input: sql, reject: false },
  );
  if (result.exitCode !== 0) throw new Error(`mariadb failed: ${result.stderr}\n${sql.slice(0, 500)}`);
  return result.stdout === '' ? [] : result.stdout.split('\n');
}

/** The ordinary rows, made by the server from its sequence table (seq_1_to_N). */
function ordinaryRows(rows: number): string {
  const columns = ORDER_COLUMNS.map((c) => quoted(c.name)).join(', ');
  return `insert into ${quoted(ORDERS)} (${columns}) select
    seq, concat('word ', seq), seq * 1234.5678901234 / 7, seq / 100, if(seq % 2, -1, 1) * cast(seq as signed) * 1000000007, seq * 9000000000000,
    cast(seq as signed) % 256 - 128, seq % 256, seq / 8, seq / 3e0,
    concat('Zoë ', seq, ' 🚀 日本'), case seq % 10 when 0 then null when 1 then '' else concat('line1\\nline2 "q" \\\\ ', seq) end, lpad(seq % 1000, 3, '0'),
    date '2000-01-01' + interval seq day, timestamp '2024-01-01 00:00:00.123456' + interval seq * 3607 second, from_unixtime(1700000000 + seq * 60),
    sec_to_time(seq * 61 % 86400), json_object('n', seq, 'tags', json_array('a', seq), 'ok', seq % 2 = 0), elt(seq % 4 + 1, 'new', 'paid', 'shipped', 'ça va'),
    seq % 2, seq % 2, seq % 256, unhex(lpad(hex(seq), 6, '0')), unhex(hex(seq)), 1901 + seq % 255, elt(seq % 3 + 1, 'red', 'green,blue', ''),
    timestamp '2024-01-01 00:00:00' + interval seq minute
    from seq_1_to_${rows}`;
}

export async function mariadbSource(options: { ordinaryRows: number }) {
  const database = `e2e_maria_${randomBytes(4).toString('hex')}`;
  const ddl = ORDER_COLUMNS.map((c) => `${quoted(c.name)} ${c.ddl}`).join(', ');
  const edges = EDGE_ROWS.map((row) => `(${ORDER_COLUMNS.map((c) => (c.name === 'updated_at' ? `timestamp '2024-06-01 00:00:00' + interval ${row.id} second` : literal(row, c.name))).join(', ')})`).join(',\n');
  const drop = () => mariadb(`drop database if exists ${quoted(database)}`).then(() => undefined);
  await mariadb(`create database ${quoted(database)} character set utf8mb4 collate utf8mb4_unicode_ci;
    use ${quoted(database)};
    set time_zone = '+00:00';
    create table ${quoted(ORDERS)} (${ddl}) engine=InnoDB;
    ${ordinaryRows(options.ordinaryRows)};
    insert into ${quoted(ORDERS)} values ${edges};`).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  return {
    database,
    stream: `${database}-${ORDERS}`,
    config: { host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, filter_dbs: database },
    /** Updates rows 1..5 (a newer updated_at), inserts 3 and deletes 2; returns the deleted ids. */
    async change(): Promise<number[]> {
      await mariadb(`set time_zone = '+00:00';
        update ${quoted(ORDERS)} set name = concat('changed ', id, ' ✓'), money = money + 1, updated_at = timestamp '2025-01-01 00:00:00' + interval id second where id between 1 and 5;
        insert into ${quoted(ORDERS)} (id, ${quoted('select')}, name, updated_at) values (2001, 'new', 'nouveau 🆕', '2025-02-01 00:00:00'), (2002, 'new', '', '2025-02-01 00:00:01'), (2003, null, null, '2025-02-01 00:00:02');
        delete from ${quoted(ORDERS)} where id in (7, 1002);`, database);
      return [7, 1002];
    },
    drop,
  };
}

import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceDatabaseUrl } from '../../scripts/local-env.js';
import { copyColumn, jsonExpression, type PgColumn } from './column-types.js';
import { recordFramer } from './copy-lines.js';

// The tap writes the JSON of common types itself from COPY's text; PostgreSQL's to_json is the
// reference. Both read the same awkward values here and must agree byte for byte.
const sql = postgres(sourceDatabaseUrl(), {
  max: 1,
  onnotice: () => {},
  connection: { TimeZone: 'UTC', DateStyle: 'ISO, YMD', IntervalStyle: 'postgres', extra_float_digits: 1, client_encoding: 'UTF8', standard_conforming_strings: 'on' },
});
afterAll(() => sql.end());

const column = (name: string, typname: string, sqlType: string): PgColumn => ({ name, typname, sqlType, elementTypname: undefined, notNull: false });

async function copyText(query: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await sql.unsafe(`COPY (${query}) TO STDOUT`).readable()) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Each value of `values` (SQL literals of `sqlType`) framed by the tap and written by to_json; the two lists of lines. */
async function bothWays(typname: string, sqlType: string, values: string[]) {
  const c = column('v "é"', typname, sqlType);
  const source = `(SELECT v AS "v ""é""", n FROM (VALUES ${values.map((v, i) => `(${v}::${sqlType}, ${i})`).join(', ')}) AS t(v, n)) AS s`;
  const framer = recordFramer('s', [{ name: c.name, encoding: copyColumn(c).encoding }], false);
  framer.push(await copyText(`SELECT ${copyColumn(c).sql} FROM ${source} ORDER BY n`));
  framer.finish();
  const ours = Buffer.concat(framer.take(true)).toString('utf8').split('\n').filter(Boolean);
  const reference = (await copyText(`SELECT '{"type":"RECORD","stream":"s","record":{"v \\"é\\"":' || ${jsonExpression(c)} || '}}' FROM ${source} ORDER BY n`))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    // COPY's own escaping of the reference's text
    .map((line) => line.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' })[ch] ?? ch));
  return { ours, reference };
}

describe('the JSON the tap writes from COPY text is what to_json writes', () => {
  it('text: quotes, backslashes, every control character, tabs and line breaks, non-ASCII, empty and NULL', async () => {
    const controls = Array.from({ length: 32 }, (_, i) => `chr(${i === 0 ? 1 : i})`).join(' || ');
    const { ours, reference } = await bothWays('text', 'text', [
      `'plain'`,
      `''`,
      'NULL',
      `'say "hi" \\ back\\slash \\\\N \\N'`,
      `E'a\\tb\\nc\\rd\\be\\ff\\vg'`,
      controls,
      `'é ü 漢字 😀 ' || chr(127)`,
      `'\\N'`,
      `'null'`,
    ]);
    expect(ours).toEqual(reference);
    expect(ours).toHaveLength(9);
  });

  it('varchar, char (padded), uuid and date, including BC and infinity', async () => {
    for (const [typname, sqlType, values] of [
      ['varchar', 'character varying(20)', [`'x"y'`, 'NULL']],
      ['bpchar', 'character(5)', [`'ab'`, `'abcde'`]],
      ['uuid', 'uuid', [`'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`]],
      ['date', 'date', [`'2024-02-29'`, `'0001-01-01 BC'`, `'4713-01-01 BC'`, `'10000-01-01'`, `'infinity'`, `'-infinity'`, 'NULL']],
    ] as const) {
      const { ours, reference } = await bothWays(typname, sqlType, [...values]);
      expect(ours, sqlType).toEqual(reference);
    }
  });

  it('timestamps with and without zone: fractions, BC, years past 9999, infinity', async () => {
    const values = [`'2024-01-01 00:00:01'`, `'2024-01-01 00:00:01.5'`, `'1900-06-01 00:00:00.000001'`, `'0001-01-01 00:00:00 BC'`, `'4713-01-01 12:00:00 BC'`, `'10000-01-01 12:00:00'`, `'294276-12-31 23:59:59.999999'`, `'infinity'`, `'-infinity'`, 'NULL'];
    for (const [typname, sqlType] of [
      ['timestamptz', 'timestamp with time zone'],
      ['timestamp', 'timestamp without time zone'],
      ['timestamptz', 'timestamp(3) with time zone'],
    ] as const) {
      const { ours, reference } = await bothWays(typname, sqlType, values);
      expect(ours, sqlType).toEqual(reference);
    }
  });

  it('numbers in their own digits, NaN and infinities bare; booleans', async () => {
    for (const [typname, sqlType, values] of [
      ['int2', 'smallint', [`'-32768'`, '32767', 'NULL']],
      ['int8', 'bigint', [`'-9223372036854775808'`, '9223372036854775807']],
      ['numeric', 'numeric', [`'12345678901234567890123456789.123456789'`, `'NaN'`, `'Infinity'`, `'-Infinity'`, `'-0.000'`]],
      ['float8', 'double precision', [`'0.1'`, `'1e308'`, `'NaN'`, `'-Infinity'`, `'-0'`]],
      ['float4', 'real', [`'0.1'`, `'3.4e38'`]],
      ['bool', 'boolean', ['true', 'false', 'NULL']],
    ] as const) {
      const { ours, reference } = await bothWays(typname, sqlType, [...values]);
      expect(ours, sqlType).toEqual(reference);
    }
  });
});

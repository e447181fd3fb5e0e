import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { execa } from 'execa';
import { file } from 'tmp-promise';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '../../scripts/local-env.js';
import { featuresOf } from './column-types.js';
import { sameNumber } from './number-text.js';
import { daysFromCivil } from './value-ranges.js';

// Every value sent through the real target binary is read back from ClickHouse and compared
// with what was sent: exact, or NULL with its source text in _sluice_rejects, or kept with a
// counted loss. Expectations are written per server version (18.16 runs here; 24.x from its docs).
const bin = path.join(import.meta.dirname, 'bin', 'target-clickhouse');
const env = await localEnv();
const clickhouseUrl = env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const clickhouse = createClient({ url: clickhouseUrl, username: env.CLICKHOUSE_USER ?? 'default', password: env.CLICKHOUSE_PASSWORD ?? '' });
const database = `t_fidelity_${randomBytes(4).toString('hex')}`;

async function runTarget(lines: string[], extra: Record<string, unknown> = {}) {
  const config = await file({ postfix: '.json' });
  await writeFile(config.path, JSON.stringify({ url: clickhouseUrl, database, ...extra }));
  const result = await execa(bin, ['--config', config.path], { input: lines.join('\n'), reject: false });
  await config.cleanup();
  const metrics = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('METRIC: '))
    .map((l) => JSON.parse(l.slice(8)) as { metric: string; value: { stream: string; ok: boolean; lossy: Array<{ column: string; reason: string; count: number; kept: boolean }> } });
  return { ...result, reconciliation: (stream: string) => metrics.find((m) => m.metric === 'reconciliation' && m.value.stream === stream)?.value };
}

/** Rows as TSV text: ClickHouse 18.16 prints wide Decimals wrongly through toString, and JSON numbers lose digits in JS. */
async function tsv(query: string): Promise<string[][]> {
  const text = await (await clickhouse.query({ query, format: 'TabSeparated' })).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').map((field) => (field === '\\N' ? field : field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0' })[c] ?? c))));
}
const features = featuresOf((await tsv('SELECT version()'))[0]![0]!);
const schema = (stream: string, properties: Record<string, unknown>, keys = ['id']) => JSON.stringify({ type: 'SCHEMA', stream, schema: { properties }, key_properties: keys });
/** A RECORD line with `values` as raw JSON text, so number tokens reach the target exactly as written. */
const record = (stream: string, values: Record<string, string>) => `{"type":"RECORD","stream":"${stream}","record":{${Object.entries(values).map(([k, v]) => `"${k}":${v}`).join(',')}}}`;
const rejects = (stream: string) => tsv(`SELECT column, key, value, reason FROM ${database}._sluice_rejects WHERE stream = '${stream}' ORDER BY _sdc_sequence, column`);

afterAll(async () => {
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
});

describe('numbers', () => {
  // [source text of d (numeric(38,10)), kept exactly?] and [source text of f (bare number → Float64), outcome]
  const decimals: Array<[string, boolean]> = [
    ['1234567890123456789012345678.0123456789', true],
    ['-9999999999999999999999999999.9999999999', true],
    ['100000000000000000000000000', true],
    ['1.5e-7', true],
    ['0.00000000001', false],
    ['12345678901234567890123456789', false],
    ['NaN', false],
  ];
  const floats: Array<[string, 'exact' | 'rejected']> = [
    ['0.1', 'exact'],
    ['0.30000000000000004', 'exact'],
    ['123456.78901234567', 'exact'],
    ['100000000000000000000000000', 'exact'],
    ['NaN', 'exact'],
    ['Infinity', 'exact'],
    ['-Infinity', 'exact'],
    ['654320.9817654285', 'rejected'],
    ['0.123456789012345678901', 'rejected'],
  ];

  it('Decimal(38,10) exact to its edge, Float64 exact where it round-trips, NaN and infinities exact; the rest NULL, kept and counted', async () => {
    const lines = [schema('nums', { id: { type: 'integer' }, d: { type: ['number', 'null'], 'x-sql-datatype': 'numeric(38,10)' }, f: { type: ['number', 'null'] } })];
    const count = Math.max(decimals.length, floats.length);
    for (let id = 1; id <= count; id += 1) lines.push(record('nums', { id: String(id), d: decimals[id - 1]?.[0] ?? 'null', f: floats[id - 1]?.[0] ?? 'null' }));
    const result = await runTarget(lines);
    expect(result.exitCode, result.stderr).toBe(0);

    const stored = await tsv(`SELECT id, d, f FROM ${database}.nums ORDER BY id`);
    expect(stored).toHaveLength(count);
    for (const [i, [text, exact]] of decimals.entries()) {
      const value = stored[i]![1]!;
      if (exact) expect(sameNumber(value, text), `d ${text} → ${value}`).toBe(true);
      else expect(value, `d ${text}`).toBe('\\N');
    }
    const floatText = (text: string) => ({ NaN: 'nan', Infinity: 'inf', '-Infinity': '-inf' })[text];
    for (const [i, [text, outcome]] of floats.entries()) {
      const value = stored[i]![2]!;
      if (outcome === 'rejected') expect(value, `f ${text}`).toBe('\\N');
      else if (floatText(text)) expect(value).toBe(floatText(text));
      else expect(Number(value), `f ${text} → ${value}`).toBe(Number(text));
    }

    expect(await rejects('nums')).toEqual([
      ['d', '{"id":5}', '0.00000000001', 'more than 10 digits after the point, which a Decimal(38, 10) column cannot hold'],
      ['d', '{"id":6}', '12345678901234567890123456789', 'more than 28 digits before the point, which a Decimal(38, 10) column cannot hold'],
      ['d', '{"id":7}', 'NaN', 'NaN or Infinity, which a Decimal(38, 10) column cannot hold'],
      ['f', '{"id":8}', '654320.9817654285', expect.stringMatching(/^a number with more significant digits than Float64 keeps/)],
      ['f', '{"id":9}', '0.123456789012345678901', expect.stringMatching(/^a number with more significant digits than Float64 keeps/)],
    ]);
    const reconciliation = result.reconciliation('nums')!;
    expect(reconciliation.ok).toBe(true);
    expect(reconciliation.lossy.map((l) => [l.column, l.count, l.kept])).toEqual([
      ['d', 1, true],
      ['d', 1, true],
      ['d', 1, true],
      ['f', 2, true],
    ]);
    expect(result.stderr).toMatch(/WARNING stream "nums": 2 values of column "f" could not be stored exactly \(a number with more significant digits than Float64 keeps.*\); their source values are in _sluice_rejects/);
  });

  it('untyped_numbers: decimal makes a bare number Decimal(38, 10), exact', async () => {
    const lines = [schema('nums_decimal', { id: { type: 'integer' }, n: { type: ['number', 'null'] } }), record('nums_decimal', { id: '1', n: '654320.9817654285' }), record('nums_decimal', { id: '2', n: '100000000000000000000000000' })];
    const result = await runTarget(lines, { untyped_numbers: 'decimal' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await tsv(`SELECT toTypeName(n), n FROM ${database}.nums_decimal ORDER BY id`)).toEqual([
      ['Nullable(Decimal(38, 10))', '654320.9817654285'],
      ['Nullable(Decimal(38, 10))', '100000000000000000000000000.0000000000'],
    ]);
  });

  it('sets aside an integer beyond Int64 instead of letting ClickHouse wrap it', async () => {
    const result = await runTarget([schema('ints', { id: { type: 'integer' }, n: { type: ['integer', 'null'] } }), record('ints', { id: '1', n: '9223372036854775807' }), record('ints', { id: '2', n: '9223372036854775808' })]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await tsv(`SELECT id, n FROM ${database}.ints ORDER BY id`)).toEqual([['1', '9223372036854775807'], ['2', '\\N']]);
    expect(await rejects('ints')).toEqual([['n', '{"id":2}', '9223372036854775808', 'an integer outside Int64 (±9223372036854775807)']]);
  });
});

describe('JSON', () => {
  it('a JSON column holds the exact JSON text; a string column plain text', async () => {
    const values = ['"just a string"', '42', '"42"', '{"a":[1,"é"],"b":null}', '[1,2]', 'true', 'null'];
    const lines = [schema('docs', { id: { type: 'integer' }, j: { type: ['string', 'number', 'integer', 'array', 'object', 'boolean', 'null'] }, o: { type: ['object', 'null'] }, s: { type: ['string', 'null'] } })];
    values.forEach((j, i) => lines.push(record('docs', { id: String(i + 1), j, o: '{"k":"v"}', s: '"plain"' })));
    const result = await runTarget(lines);
    expect(result.exitCode, result.stderr).toBe(0);
    const stored = (await clickhouse.query({ query: `SELECT j, o, s FROM ${database}.docs ORDER BY id`, format: 'JSONEachRow' })).json<{ j: string | null; o: string; s: string }>();
    expect((await stored).map((r) => r.j)).toEqual(['"just a string"', '42', '"42"', '{"a":[1,"é"],"b":null}', '[1,2]', 'true', null]);
    expect((await stored).every((r) => r.o === '{"k":"v"}' && r.s === 'plain')).toBe(true);
  });

  it('keeps every character of a string: escapes, tabs, line breaks, backslashes, NUL, emoji, lone surrogates, raw control bytes', async () => {
    // Source JSON text of each value, as taps write it (some with escapes a serializer would not choose).
    const texts = [
      '"tab\\there\\nnew line\\r\\nwindows"',
      '"back\\\\slash \\\\N and \\\\t literally"',
      '"\\\\N"',
      '""',
      '"quote \\" and \\/ slash"',
      '"nul \\u0000 bell \\u0007 del \\u007f"',
      '"é \\u00e9 \\u20ac 😀 \\ud83d\\ude00"',
      '"\\b\\f"',
      '"raw\ttab"',
      '"ends with a backslash \\\\"',
      '"\\t"',
    ];
    const lines = [schema('strings', { id: { type: 'integer' }, s: { type: ['string', 'null'] }, j: { type: ['object', 'null'] } })];
    texts.forEach((s, i) => lines.push(record('strings', { id: String(i + 1), s, j: `{"s":${s}}` })));
    // A lone surrogate is kept as its three bytes (WTF-8), not replaced.
    lines.push(record('strings', { id: String(texts.length + 1), s: '"lone \\ud800 surrogate"', j: 'null' }));
    const result = await runTarget(lines);
    expect(result.exitCode, result.stderr).toBe(0);
    const stored = await tsv(`SELECT id, hex(s), hex(j) FROM ${database}.strings ORDER BY id`);
    texts.forEach((text, i) => {
      const expected = JSON.parse(text.replace(/\t/g, '\\t')) as string;
      expect([text, Buffer.from(stored[i]![1]!, 'hex').toString('utf8')]).toEqual([text, expected]);
      // The JSON column keeps the source text itself.
      expect([text, Buffer.from(stored[i]![2]!, 'hex').toString('utf8')]).toEqual([text, `{"s":${text}}`]);
    });
    expect(stored[texts.length]![1]).toBe(Buffer.from('lone \xed\xa0\x80 surrogate', 'latin1').toString('hex').toUpperCase());
  });
});

describe('dates and date-times', () => {
  /** [source text, where the server can hold it] — 'exact', 'rejected' or 'lossy' (kept, counted). */
  type Outcome = 'exact' | 'rejected' | 'lossy';
  const dates: Array<[string, Outcome, Outcome]> = [
    // text, 18.16 (Date), 22.8+ (Date32)
    ['1900-01-01', 'rejected', 'exact'],
    ['1969-12-31', 'rejected', 'exact'],
    ['1970-01-01', 'exact', 'exact'],
    ['2105-12-31', 'exact', 'exact'],
    ['2200-01-01', 'rejected', 'exact'],
    ['9999-12-31', 'rejected', 'rejected'],
    ['2024-02-30', 'rejected', 'rejected'],
  ];
  const times: Array<[string, Outcome, Outcome]> = [
    // text, 18.16 (DateTime), 22.8+ (DateTime64(6, 'UTC'))
    ['1900-01-01T12:00:00.123456+00:00', 'rejected', 'exact'],
    ['1969-12-31T23:59:59+00:00', 'rejected', 'exact'],
    ['1969-12-31T23:30:00-01:00', 'exact', 'exact'],
    ['1970-01-01T00:00:00.000000+00:00', 'exact', 'exact'],
    ['2024-03-01T12:34:56.789+02:00', 'lossy', 'exact'],
    ['2105-12-31T23:59:59Z', 'exact', 'exact'],
    ['2106-02-07T06:28:16+00:00', 'rejected', 'exact'],
    ['2200-01-01T00:00:00.000000+00:00', 'rejected', 'exact'],
    ['0001-01-01T00:00:00.000000+00:00', 'rejected', 'rejected'],
    ['not a date', 'rejected', 'rejected'],
  ];
  const outcome = (row: [string, Outcome, Outcome]) => (features.wideDates ? row[2] : row[1]);
  const micros = (text: string) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text)!;
    const [, y, mo, d, h, mi, s, frac = '', , sign, oh = '0', om = '0'] = match;
    const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
    const seconds = daysFromCivil(Number(y), Number(mo), Number(d)) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s) - offset;
    return BigInt(seconds) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
  };

  it('stores what the server holds exactly, sets aside the rest with its source text, counts dropped fractions; key columns get the default', async () => {
    const started = Math.floor(Date.now() / 1000);
    const lines = [
      schema(
        'times',
        { id: { type: 'integer' }, k: { type: 'string', format: 'date-time' }, d: { type: ['string', 'null'], format: 'date' }, t: { type: ['string', 'null'], format: 'date-time' } },
        ['id', 'k'],
      ),
    ];
    const count = Math.max(dates.length, times.length);
    for (let id = 1; id <= count; id += 1) {
      const d = dates[id - 1]?.[0];
      const t = times[id - 1]?.[0];
      lines.push(record('times', { id: String(id), k: id === 1 ? '"1960-01-01T00:00:00Z"' : '"2024-01-01T00:00:00Z"', d: d ? `"${d}"` : 'null', t: t ? `"${t}"` : 'null' }));
    }
    const result = await runTarget(lines);
    expect(result.exitCode, result.stderr).toBe(0);
    const dayOf = features.wideDates ? 'toInt32(d)' : 'toInt32(toUInt16(d))';
    const microsOf = features.dateTime64 ? 'toUnixTimestamp64Micro(t)' : 'toInt64(toUInt32(t)) * 1000000';
    const stored = await tsv(`SELECT id, ${dayOf}, ${microsOf}, toUInt32(_sdc_received_at), toUInt32(_sdc_batched_at) FROM ${database}.times ORDER BY id`);
    for (const [i, row] of dates.entries()) {
      const value = stored[i]![1]!;
      const [y, m, d] = row[0].split('-').map(Number) as [number, number, number];
      if (outcome(row) === 'rejected') expect(value, row[0]).toBe('\\N');
      else expect(Number(value), row[0]).toBe(daysFromCivil(y, m, d));
    }
    for (const [i, row] of times.entries()) {
      const value = stored[i]![2]!;
      if (outcome(row) === 'rejected') expect(value, row[0]).toBe('\\N');
      else if (outcome(row) === 'lossy') expect(BigInt(value), row[0]).toBe((micros(row[0]) / 1_000_000n) * 1_000_000n);
      else expect(BigInt(value), row[0]).toBe(micros(row[0]));
    }
    // Real load times in every row (18.16 used to leave them at 0000-00-00).
    for (const row of stored) {
      expect(Number(row[3])).toBeGreaterThanOrEqual(started - 1);
      expect(Number(row[4])).toBeGreaterThanOrEqual(started - 1);
      expect(Number(row[4])).toBeLessThanOrEqual(Number(row[3]));
    }

    const kept = await rejects('times');
    const expected = [
      ...(features.wideDates ? [] : [['k', '{"id":1,"k":"1960-01-01T00:00:00Z"}', '"1960-01-01T00:00:00Z"', expect.stringMatching(/^date-time before 1970-01-01.*; the column cannot be empty .* holds 1970-01-01 00:00:00$/)]]),
      ...dates.flatMap((row, i) => (outcome(row) === 'rejected' ? [{ id: i + 1, column: 'd', value: row[0] }] : [])),
      ...times.flatMap((row, i) => (outcome(row) === 'rejected' ? [{ id: i + 1, column: 't', value: row[0] }] : [])),
    ];
    expect(kept.filter((r) => r[0] !== 'k').map((r) => ({ id: (JSON.parse(r[1]!) as { id: number }).id, column: r[0], value: JSON.parse(r[2]!) as string }))).toEqual(
      expected.filter((e): e is { id: number; column: string; value: string } => !Array.isArray(e)).sort((a, b) => a.id - b.id || a.column.localeCompare(b.column)),
    );
    expect(kept.filter((r) => r[0] === 'k')).toEqual(expected.filter(Array.isArray));
    if (!features.wideDates) {
      expect(kept.find((r) => r[2] === '"1969-12-31"')?.[3]).toBe("date before 1970-01-01, which ClickHouse 18.16's Date cannot hold");
      expect(await tsv(`SELECT toUInt32(k) FROM ${database}.times WHERE id = 1`)).toEqual([['0']]);
    }

    const lossy = result.reconciliation('times')!.lossy;
    const total = (column: string, kept: boolean) => lossy.filter((l) => l.column === column && l.kept === kept).reduce((n, l) => n + l.count, 0);
    expect(total('d', true)).toBe(dates.filter((r) => outcome(r) === 'rejected').length);
    expect(total('t', true)).toBe(times.filter((r) => outcome(r) === 'rejected').length);
    expect(total('t', false)).toBe(times.filter((r) => outcome(r) === 'lossy').length);
    if (!features.dateTime64) {
      expect(lossy).toContainEqual({ column: 't', reason: 'fraction of a second dropped: ClickHouse before 20.1 stores whole seconds', count: 1, kept: false });
      expect(result.stderr).toMatch(/WARNING stream "times": 1 value of column "t" could not be stored exactly \(fraction of a second dropped: ClickHouse before 20\.1 stores whole seconds\); they were stored with that loss/);
    }
  });

  it('copies values that need no change as they are, and still checks them', async () => {
    const lines = [schema('fast', { id: { type: 'integer' }, at: { type: ['string', 'null'], format: 'date-time' }, x: { type: ['number', 'null'] } })];
    for (let id = 1; id <= 50; id += 1) lines.push(record('fast', { id: String(id), at: `"2023-11-14T22:13:${String(id % 60).padStart(2, '0')}.000Z"`, x: String(id / 8) }));
    lines.push(record('fast', { id: '51', at: '"1950-01-01T00:00:00Z"', x: 'NaN' }));
    const result = await runTarget(lines);
    expect(result.exitCode, result.stderr).toBe(0);
    const stored = await tsv(`SELECT id, x FROM ${database}.fast ORDER BY id`);
    expect(stored.slice(0, 50).every(([id, x]) => Number(x) === Number(id) / 8)).toBe(true);
    expect(stored[50]).toEqual(['51', 'nan']);
    expect(result.reconciliation('fast')!.lossy.map((l) => l.column)).toEqual(features.wideDates ? [] : ['at']);
  });
});

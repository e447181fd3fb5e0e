import { describe, expect, it } from 'vitest';
import { featuresOf } from './column-types.js';
import { recordRow } from './record-row.js';
import { RowBatch, rowText } from './row-batch.js';
import { planTable } from './table-plan.js';
import { parseTsvRow } from './tsv-text.js';

const properties = {
  id: { type: 'integer' },
  amount: { type: ['number', 'null'] },
  at: { type: ['string', 'null'], format: 'date-time' },
  'a b': { type: ['string', 'null'] },
  tags: { type: ['array', 'null'], items: { type: 'string' } },
  meta: { type: ['object', 'null'] },
  ok: { type: ['boolean', 'null'] },
  day: { type: ['string', 'null'], format: 'date' },
};
const planOn = (version: string) =>
  planTable({ stream: 's', table: 's', database: 'd', properties, required: ['id'], keyProperties: ['id'], existing: new Map(), features: featuresOf(version), tenantId: undefined });

/** The row a record becomes, as text; `undefined` when the record is not well-formed. */
function rowOf(row: ReturnType<typeof recordRow>, json: string, unknown: string[] = []): string | undefined {
  const buf = Buffer.from(`{"record":${json}}`);
  const batch = new RowBatch([]);
  if (!row.append(batch, buf, { start: 10, end: buf.length - 1 }, (p) => void unknown.push(p))) return undefined;
  batch.text('\n');
  batch.endRow(1, 1);
  const text = rowText(batch.seal(), 0);
  batch.release();
  return text;
}

const row = () => recordRow([...planOn('18.16.1').columns.values()], { boolWords: false });
const N = '\\N';

// Records laid out the many ways JSON allows, each with the row it must become
// (columns: id, amount, at, a b, tags, meta, ok, day).
const records: Array<[string, string[] | undefined]> = [
  ['{"id":1,"amount":1.5,"at":"2024-03-01T12:00:00Z","a b":"x","tags":["a"],"meta":{"k":[1,{"n":null}]},"ok":true,"day":"2024-02-29T00:00:00Z"}', ['1', '1.5', '2024-03-01T12:00:00Z', 'x', '["a"]', '{"k":[1,{"n":null}]}', '1', '2024-02-29']],
  ['{ "id" : 5 , "amount" : 2.5 , "at" : "2024-03-01T12:00:00Z" }', ['5', '2.5', '2024-03-01T12:00:00Z', N, N, N, N, N]],
  ['{"amount":-0.25,"id":6}', ['6', '-0.25', N, N, N, N, N, N]],
  ['{"id":7,"amount":3,\n"ok":false,\t"day":"2024-01-02"}', ['7', '3', N, N, N, N, '0', '2024-01-02']],
  ['{}', ['0', N, N, N, N, N, N, N]],
  ['{"id":8,"a b":"say \\"hi\\",\\ttab\\\\ {x}\\n","tags":["]","\\t"],"meta":{"}":"{"},"extra":NaN}', ['8', N, N, 'say "hi",\ttab\\ {x}\n', '["]","\\t"]', '{"}":"{"}', N, N]],
  ['{"id":9,"a b":"\\u00e9\\ud83d\\ude00\\u0000\\/","amount":null}', ['9', N, N, 'é😀\0/', N, N, N, N]],
  ['{"id":99999999999999999999,"amount":1e400}', ['0', N, N, N, N, N, N, N]],
  ['{"id":10,"amount":NaN,"at":"1969-12-31T23:59:59Z"}', ['10', 'nan', N, N, N, N, N, N]],
  ['{"id":11,"a b":42,"meta":"text","tags":[]}', ['11', N, N, '42', '[]', '"text"', N, N]],
  ['{"id":12,"a b":"raw\ttab"}', ['12', N, N, 'raw\ttab', N, N, N, N]],
  // Not well-formed: the walk says so rather than guess.
  ['{"id":13,"a b":"unterminated}', undefined],
  ['{"id":14,}', undefined],
  ['{"id":15 "amount":1}', undefined],
  ['{"id":16,"a b":"bad \\x escape"}', undefined],
  ['{"id":17},"not":"the record"}', undefined],
];

describe('recordRow', () => {
  it('writes each record as its row, whatever came before it (the walk remembers key positions)', () => {
    // The reference: a fresh reader per record, so nothing learnt from earlier records is used.
    const expected = records.map(([json]) => rowOf(row(), json));
    expect(expected.map((r) => r && parseTsvRow(r).map((f) => f ?? N))).toEqual(records.map(([, fields]) => fields));
    const shared = row();
    for (let round = 0; round < 3; round += 1) {
      const order = records.map((_, k) => (k * (round * 7 + 5)) % records.length);
      for (const k of order) expect([records[k]![0], rowOf(shared, records[k]![0])]).toEqual([records[k]![0], expected[k]]);
    }
  });

  it('writes in one pass what the general walk writes, for records whose keys are the columns in order', () => {
    // Per column: values the one pass takes (first), then values it leaves to the general walk.
    const pools = [
      [['1', '-5', 'true', 'null'], ['99999999999999999999', '"7"']],
      [['1.5', 'null', '-0', '1e5', '"x"'], ['0.10000000000000001', 'NaN', 'true']],
      [['"2024-03-01T12:00:00Z"', 'null'], ['"2024-03-01T12:00:00.5Z"', '"1969-01-01T00:00:00Z"', '1800', '"bad"']],
      [['"x"', 'null', '"é"', '""'], ['"a\\tb"', '42', 'true', '"\\\\N"', '"raw\ttab"']],
      [['null'], ['["a"]', '[]']],
      [['null'], ['{"k":1}', '"text"']],
      [['true', 'false', 'null'], ['1', '"yes"']],
      [['null'], ['"2024-02-29"', '"2024-02-29T10:00:00Z"', '19782']],
    ];
    const names = ['id', 'amount', 'at', 'a b', 'tags', 'meta', 'ok', 'day'];
    const shared = row();
    for (let k = 0; k < 400; k += 1) {
      // Every other record takes the one pass; the rest have one odd value somewhere.
      const odd = k % 2 === 1 ? (k >> 1) % names.length : -1;
      const json = `{${names.map((name, c) => { const pool = pools[c]![c === odd ? 1 : 0]!; return `"${name}":${pool[(k * (c + 3) + c) % pool.length]}`; }).join(',')}}`;
      const notes = (reader: ReturnType<typeof row>) => {
        const found: string[] = [];
        reader.eachNote((column, verdict) => found.push(`${column.name} ${verdict.reason}`));
        return found;
      };
      const fresh = row();
      const expected = [rowOf(fresh, json), notes(fresh)];
      expect([json, rowOf(shared, json), notes(shared)]).toEqual([json, ...expected]);
    }
  });

  it('escapes what TabSeparated would split on, so every row stays one line', () => {
    const text = rowOf(row(), '{"id":1,"a b":"a\\tb\\nc\\\\d\\re\\bf\\fg","meta":{"s":"x\\ty"}}')!;
    expect(text).toBe(`1\t${N}\t${N}\ta\\tb\\nc\\\\d\\re\\bf\\fg\t${N}\t{"s":"x\\\\ty"}\t${N}\t${N}`);
    expect(text.split('\t')).toHaveLength(8);
  });

  it('names each property the schema does not declare when it is first met', () => {
    const unknown: string[] = [];
    const reader = row();
    for (let k = 0; k < 3; k += 1) rowOf(reader, `{"id":${k},"surprise":1,"odd \\"name\\"":2}`, unknown);
    expect(unknown).toEqual(['surprise', 'odd "name"']);
  });

  it('tells of each value a check has a reason about, once per record', () => {
    const reader = row();
    const notes: string[] = [];
    const note = () => reader.eachNote((column, verdict) => notes.push(`${column.name}: ${verdict.reject ? 'rejected' : 'kept'}`));
    rowOf(reader, '{"id":1,"amount":0.10000000000000001,"at":"2024-03-01T12:00:00.5Z"}');
    note();
    rowOf(reader, '{"id":2,"amount":0.5}');
    note();
    expect(notes).toEqual(['amount: rejected', 'at: kept']);
  });

  it('writes true and false as a Bool column reads them on servers that have Bool', () => {
    const columns = [...planOn('24.3.1').columns.values()];
    expect(rowOf(recordRow(columns, { boolWords: true }), '{"id":1,"ok":true}')).toBe(`1\t${N}\t${N}\t${N}\t${N}\t${N}\ttrue\t${N}`);
    expect(rowOf(recordRow(columns, { boolWords: false }), '{"id":1,"ok":false}')).toBe(`1\t${N}\t${N}\t${N}\t${N}\t${N}\t0\t${N}`);
  });
});

import { describe, expect, it } from 'vitest';
import { featuresOf } from './column-types.js';
import { FieldIndex, recordPasses } from './record-check.js';
import { planTable } from './table-plan.js';

const plan = planTable({
  stream: 's',
  table: 's',
  database: 'd',
  properties: {
    id: { type: 'integer' },
    amount: { type: ['number', 'null'] },
    at: { type: ['string', 'null'], format: 'date-time' },
    'a b': { type: ['string', 'null'] },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    meta: { type: ['object', 'null'] },
  },
  keyProperties: ['id'],
  existing: new Map(),
  features: featuresOf('18.16.1'),
  tenantId: undefined,
});

const passes = (index: FieldIndex, json: string) => {
  const buf = Buffer.from(`{"record":${json}}`);
  return recordPasses(buf, { start: 10, end: buf.length - 1 }, index);
};

// Records laid out the many ways JSON allows, each with whether every checked value fits.
const records: Array<[string, boolean]> = [
  ['{"id":1,"amount":1.5,"at":"2024-03-01T12:00:00Z","a b":"x","tags":["a"],"meta":{"k":[1,{"n":null}]}}', true],
  ['{"id":2,"amount":0.10000000000000001,"at":"2024-03-01T12:00:00Z","a b":"x","tags":[],"meta":null}', false],
  ['{"id":3,"amount":null,"at":"2024-03-01T12:00:00.5Z","a b":"x","tags":null,"meta":{}}', false],
  ['{"id":4,"amount":2,"at":"1969-12-31T23:59:59Z","a b":"x","tags":null,"meta":{}}', false],
  ['{ "id" : 5 , "amount" : 2.5 , "at" : "2024-03-01T12:00:00Z" }', true],
  ['{"amount":0.10000000000000001,"id":6}', false],
  ['{"id":7,"amount":3}', true],
  ['{"id":8,"amount":3,"at":null,"a b":"say \\"hi\\", {x}","tags":["]"],"meta":{"}":"{"},"extra":NaN}', true],
  ['{"id":9,"a b":"\\u00e9","amount":NaN}', false],
  ['{"id":99999999999999999999,"amount":1}', false],
  ['{"id":10,"amount":1e400}', false],
  ['{"id":11,"amount":1,\n"at":"2024-03-01T12:00:00Z"}', true],
  ['{"id":12,"amount":1,"at":"2024-03-01T12:00:00Z","a b":"x","tags":["a"],"meta":{"k":1}}', true],
  ['{}', true],
  ['{"id":13,"amount":1.5,"at":"2024-03-01T12:00:00Z","a b":"x","tags":["a"],"meta":{"k":[1,{"n":null}]}}', true],
  ['{"id":15,"amount":"1.5"}', true],
  ['{"id":17,"at":"2024-03-01T12:00:00Z"}', true],
  // Keys as long as the ones before them, swapped: only their bytes tell them apart.
  ['{"at":"2024-03-01T12:00:00.5Z","id":18}', false],
  ['{"id":19,"at":"2024-03-01T12:00:00Z"}', true],
  ['{"id":16,"amount":1.5,"at":"2024-03-01T12:00:00Z","a b":"unterminated}', false],
];

describe('recordPasses', () => {
  it('says the same of every record whatever came before it (the compact walk remembers key positions)', () => {
    // The reference: a fresh index per record, so nothing learnt from earlier records is used.
    const expected = records.map(([json]) => passes(new FieldIndex(plan.columns), json));
    expect(expected).toEqual(records.map(([, fits]) => fits));
    const shared = new FieldIndex(plan.columns);
    for (let round = 0; round < 3; round += 1) {
      const order = records.map((_, k) => (k * (round * 7 + 5)) % records.length);
      for (const k of order) expect([records[k]![0], passes(shared, records[k]![0])]).toEqual([records[k]![0], expected[k]]);
    }
  });

  it('finds a checked value however many times the same layout repeats, and when a key goes missing', () => {
    const index = new FieldIndex(plan.columns);
    for (let k = 0; k < 100; k += 1) expect(passes(index, `{"id":${k},"amount":${k}.25,"at":"2024-03-01T12:00:00Z"}`)).toBe(true);
    expect(passes(index, '{"id":1,"amount":0.10000000000000001,"at":"2024-03-01T12:00:00Z"}')).toBe(false);
    expect(passes(index, '{"id":1,"at":"2024-03-01T12:00:00.25Z"}')).toBe(false);
    expect(passes(index, '{"id":1,"amount":0.10000000000000001}')).toBe(false);
    expect(passes(index, '{"id":1,"amount":0.5,"at":"2024-03-01T12:00:00Z","at2":1}')).toBe(true);
  });
});

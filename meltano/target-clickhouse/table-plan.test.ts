import { describe, expect, it } from 'vitest';
import { featuresOf, specOfType } from './column-types.js';
import { PlanError, planTable } from './table-plan.js';

const old = featuresOf('18.16.1');
const modern = featuresOf('24.8.4.13');

describe('JSON Schema → ClickHouse types', () => {
  const cases: Array<[unknown, string, string]> = [
    [{ type: 'integer' }, 'Int64', 'Int64'],
    [{ type: ['integer', 'null'] }, 'Nullable(Int64)', 'Nullable(Int64)'],
    // MySQL's BIGINT UNSIGNED as pipelinewise-tap-mysql declares it; INT UNSIGNED fits Int64.
    [{ type: ['null', 'integer'], minimum: 0, maximum: 18446744073709551615 }, 'Nullable(UInt64)', 'Nullable(UInt64)'],
    [{ type: 'integer', minimum: 0, maximum: 4294967295 }, 'Int64', 'Int64'],
    [{ type: 'number' }, 'Float64', 'Float64'],
    [{ type: 'number', multipleOf: 0.01 }, 'Decimal(38, 2)', 'Decimal(38, 2)'],
    [{ type: 'number', multipleOf: 1 }, 'Int64', 'Int64'],
    [{ type: ['integer', 'number'] }, 'Float64', 'Float64'],
    [{ type: 'string' }, 'String', 'String'],
    [{ type: 'string', format: 'date-time' }, 'DateTime', "DateTime64(6, 'UTC')"],
    [{ type: 'string', format: 'date' }, 'Date', 'Date32'],
    [{ type: ['number', 'null'], 'x-sql-datatype': 'numeric(38,10)' }, 'Nullable(Decimal(38, 10))', 'Nullable(Decimal(38, 10))'],
    [{ type: 'number', 'x-sql-datatype': 'DECIMAL(12, 2)' }, 'Decimal(12, 2)', 'Decimal(12, 2)'],
    [{ type: 'number', 'x-sql-datatype': 'decimal', 'x-sql-datatype-properties': { precision: 20, scale: 4 } }, 'Decimal(20, 4)', 'Decimal(20, 4)'],
    [{ type: 'number', 'x-sql-datatype': 'numeric(60,20)' }, 'Decimal(38, 20)', 'Decimal(60, 20)'],
    [{ type: 'number', 'x-sql-datatype': 'numeric' }, 'Float64', 'Float64'],
    [{ type: 'number', multipleOf: 1e-20 }, 'Decimal(38, 20)', 'Decimal(38, 20)'],
    [{ type: 'string', format: 'time' }, 'String', 'String'],
    [{ type: 'string', format: 'uuid' }, 'UUID', 'UUID'],
    [{ type: 'boolean' }, 'UInt8', 'Bool'],
    [{ type: 'object', properties: {} }, 'Nullable(String)', 'Nullable(String)'],
    [{ type: ['array', 'null'], items: {} }, 'Nullable(String)', 'Nullable(String)'],
    [{ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }, 'Nullable(DateTime)', "Nullable(DateTime64(6, 'UTC'))"],
    [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, 'Nullable(String)', 'Nullable(String)'],
    [{}, 'Nullable(String)', 'Nullable(String)'],
  ];
  /** The column type planTable gives a property `c` of this schema in a new table. */
  const typeOf = (schema: unknown, features: typeof old) => {
    const plan = planTable({ stream: 's', table: 't', database: 'd', properties: { c: schema }, keyProperties: [], existing: new Map(), features, tenantId: undefined });
    const type = /^CREATE TABLE IF NOT EXISTS `d`\.`t` \(`c` (.+?), `_sdc_extracted_at` /.exec(plan.statements[0] ?? '')?.[1];
    expect(type, plan.statements[0]).toBeDefined();
    return type;
  };
  it.each(cases)('%j → %s (18.16) / %s (24.x)', (schema, onOld, onModern) => {
    expect(typeOf(schema, old)).toBe(onOld);
    expect(typeOf(schema, modern)).toBe(onModern);
  });

  it('makes a bare number a Decimal(38, 10) under untyped_numbers: decimal, on every server', () => {
    for (const features of [old, modern]) {
      const plan = planTable({ stream: 's', table: 't', database: 'd', properties: { c: { type: ['number', 'null'] } }, keyProperties: [], existing: new Map(), features, tenantId: undefined, untypedNumbers: 'decimal' });
      expect(plan.statements[0]).toMatch(/^CREATE TABLE IF NOT EXISTS `d`\.`t` \(`c` Nullable\(Decimal\(38, 10\)\), /);
    }
  });

  it('keeps a source\'s own float column (x-sql-datatype double precision, real) a Float64 even under untyped_numbers: decimal', () => {
    const properties = { d: { type: ['number', 'null'], 'x-sql-datatype': 'double precision' }, r: { type: 'number', 'x-sql-datatype': 'real' }, n: { type: ['number', 'null'], 'x-sql-datatype': 'numeric' } };
    const plan = planTable({ stream: 's', table: 't', database: 'd', properties, keyProperties: [], existing: new Map(), features: old, tenantId: undefined, untypedNumbers: 'decimal' });
    expect(plan.statements[0]).toMatch(/`d` Nullable\(Float64\), `r` Float64, `n` Nullable\(Decimal\(38, 10\)\)/);
  });

  it('reads existing column types back', () => {
    expect(specOfType('Nullable(Decimal(38, 2))')).toEqual({ kind: 'decimal', nullable: true, precision: 38, scale: 2 });
    expect(specOfType('Decimal64(4)')).toEqual({ kind: 'decimal', nullable: false, precision: 18, scale: 4 });
    expect(specOfType("DateTime64(6, 'UTC')")).toEqual({ kind: 'datetime', nullable: false, wide: true, precision: 6 });
    expect(specOfType('Date32')).toEqual({ kind: 'date', nullable: false, wide: true });
    expect(specOfType('LowCardinality(String)')).toEqual({ kind: 'string', nullable: false });
  });
});

describe('planTable', () => {
  const base = { stream: 's', table: 't', database: 'd', keyProperties: ['id'], features: old, tenantId: undefined };
  const properties = { id: { type: 'integer' }, name: { type: ['string', 'null'] }, amount: { type: ['integer', 'null'] } };

  it('creates a ReplacingMergeTree ordered by the keys, with metadata columns', () => {
    const plan = planTable({ ...base, properties, existing: new Map() });
    expect(plan.statements).toHaveLength(1);
    expect(plan.statements[0]).toMatch(/^CREATE TABLE IF NOT EXISTS `d`\.`t` \(`id` Int64, `name` Nullable\(String\), `amount` Nullable\(Int64\), `_sdc_extracted_at` Nullable\(DateTime\)/);
    expect(plan.statements[0]).toMatch(/`_sdc_batched_at` DateTime DEFAULT now\(\).*ENGINE = ReplacingMergeTree\(`_sdc_sequence`\) ORDER BY \(`id`\)$/);
  });

  it('appends to a MergeTree without keys, and puts the tenant column first in the order', () => {
    expect(planTable({ ...base, keyProperties: [], properties, existing: new Map() }).statements[0]).toMatch(/ENGINE = MergeTree ORDER BY tuple\(\)$/);
    const tenant = planTable({ ...base, tenantId: 'acme', properties, existing: new Map() });
    expect(tenant.statements[0]).toMatch(/`_sluice_tenant_id` String.*ORDER BY \(`_sluice_tenant_id`, `id`\)$/);
  });

  const existing = new Map([
    ['id', 'Int64'], ['name', 'Nullable(String)'], ['amount', 'Nullable(Int64)'], ['_sdc_extracted_at', 'Nullable(DateTime)'], ['_sdc_received_at', 'DateTime'],
    ['_sdc_batched_at', 'DateTime'], ['_sdc_deleted_at', 'Nullable(DateTime)'], ['_sdc_sequence', 'Int64'], ['_sdc_table_version', 'Nullable(Int64)'],
  ]);

  it('adds new properties and widens changed types', () => {
    const plan = planTable({ ...base, existing, properties: { ...properties, amount: { type: ['number', 'null'] }, tags: { type: 'array' }, name: { type: 'integer' } } });
    expect(plan.statements).toEqual([
      'ALTER TABLE `d`.`t` MODIFY COLUMN `amount` Nullable(Float64)',
      'ALTER TABLE `d`.`t` ADD COLUMN `tags` Nullable(String)',
    ]);
    expect(plan.columns.get('name')?.convert).toBe('stringify'); // a number into the String column
    expect(plan.columns.get('tags')?.convert).toBe('json'); // its JSON text, a string with its quotes
  });

  it('refuses to change the type of a key column, saying what to do', () => {
    expect(() => planTable({ ...base, existing, properties: { ...properties, id: { type: 'string' } } })).toThrow(PlanError);
    expect(() => planTable({ ...base, existing, properties: { ...properties, id: { type: 'string' } } })).toThrow(/key property "id" is now string but its column holds int.*full refresh/);
  });

  it('knows which columns check their values', () => {
    const plan = planTable({ ...base, properties: { ...properties, at: { type: 'string', format: 'date-time' }, ratio: { type: 'number' }, note: { type: 'string' }, doc: { type: 'object' } }, existing: new Map() });
    expect(plan.columns.get('at')?.check).toBeTypeOf('function');
    expect(plan.columns.get('id')?.check).toBeTypeOf('function'); // Int64 overflow
    // A text column checks for values that are not text (a tap that sends numbers there).
    expect(plan.columns.get('note')?.check).toBeTypeOf('function');
    expect(plan.columns.get('doc')?.check).toBeUndefined();
  });

  it('stores a JSON column (several types, objects, arrays) as JSON text, and a string column as plain text', () => {
    const plan = planTable({ ...base, properties: { id: { type: 'integer' }, j: { type: ['string', 'number', 'integer', 'array', 'object', 'boolean', 'null'] }, s: { type: ['string', 'null'] } }, existing: new Map() });
    expect(plan.columns.get('j')?.convert).toBe('json');
    expect(plan.columns.get('s')?.convert).toBe('pass');
  });

  it('renames properties that are not safe column names', () => {
    expect(planTable({ ...base, properties: { ...properties, 'first name': { type: 'string' } }, existing: new Map() }).columns.get('first name')?.name).not.toBe('first name');
  });
});

describe('planTable: properties a record may leave out', () => {
  const base = { stream: 's', table: 's', database: 'd', keyProperties: ['id'], features: old, tenantId: undefined };
  const properties = { id: { type: 'integer' }, customer_id: { type: 'integer' }, name: { type: 'string' }, at: { type: 'string', format: 'date-time' } };

  it('makes a new column Nullable when the schema does not require its property, so a missing value reads NULL, not 0', () => {
    const plan = planTable({ ...base, properties, required: ['id', 'name'], existing: new Map() });
    expect(plan.statements[0]).toContain('`customer_id` Nullable(Int64)');
    expect(plan.statements[0]).toContain('`at` Nullable(DateTime)');
    expect(plan.statements[0]).toContain('`name` String');
    expect(plan.statements[0]).toContain('`id` Int64');
    // Without a required list the types decide, as before.
    expect(planTable({ ...base, properties, existing: new Map() }).statements[0]).toContain('`customer_id` Int64');
  });

  it('leaves an existing column alone when only the required list changed', () => {
    const existing = new Map([['id', 'Int64'], ['customer_id', 'Int64'], ['name', 'String'], ['at', 'DateTime'], ['_sdc_sequence', 'Int64']]);
    expect(planTable({ ...base, properties, required: ['id'], existing }).statements.filter((s) => s.includes('MODIFY'))).toEqual([]);
  });
});

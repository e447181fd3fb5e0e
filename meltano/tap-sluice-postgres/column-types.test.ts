import { describe, expect, it } from 'vitest';
import { columnSpec } from '../target-clickhouse/column-types.js';
import { canBeReplicationKey, columnSchema, copyColumn, jsonExpression, quoteIdent, quoteLiteral, type PgColumn } from './column-types.js';

const col = (typname: string, sqlType = typname, extra: Partial<PgColumn> = {}): PgColumn => ({ name: 'c', sqlType, typname, elementTypname: undefined, notNull: false, ...extra });

describe('columnSchema', () => {
  it('gives integers their ranges', () => {
    expect(columnSchema(col('int2', 'smallint', { notNull: true }))).toEqual({ type: 'integer', minimum: -32768, maximum: 32767 });
    expect(columnSchema(col('int4', 'integer'))).toEqual({ type: ['integer', 'null'], minimum: -2147483648, maximum: 2147483647 });
  });

  it('declares numeric(P,S) so the target makes an exact Decimal(P,S)', () => {
    const schema = columnSchema(col('numeric', 'numeric(12,2)'));
    expect(columnSpec(schema as never)).toEqual({ kind: 'decimal', nullable: true, precision: 12, scale: 2 });
    expect(columnSpec(columnSchema(col('numeric', 'numeric')) as never).kind).toBe('float');
  });

  it('maps each common type to the target column kind that holds it', () => {
    const kind = (c: PgColumn) => columnSpec(columnSchema(c) as never).kind;
    expect(kind(col('int8', 'bigint'))).toBe('int');
    expect(kind(col('float8', 'double precision'))).toBe('float');
    expect(kind(col('bool', 'boolean'))).toBe('bool');
    expect(kind(col('date'))).toBe('date');
    expect(kind(col('timestamp', 'timestamp without time zone'))).toBe('datetime');
    expect(kind(col('timestamptz', 'timestamp(3) with time zone'))).toBe('datetime');
    expect(kind(col('uuid'))).toBe('uuid');
    expect(kind(col('jsonb'))).toBe('json');
    expect(kind(col('_int4', 'integer[]', { elementTypname: 'int4' }))).toBe('json');
    expect(kind(col('bytea'))).toBe('string');
    expect(kind(col('interval'))).toBe('string');
    expect(kind(col('varchar', 'character varying(20)'))).toBe('string');
  });

  it('says which timestamps have a zone', () => {
    expect(columnSchema(col('timestamp'))['x-sql-datatype']).toBe('timestamp without time zone');
    expect(columnSchema(col('timestamptz'))['x-sql-datatype']).toBe('timestamp with time zone');
  });

  it('keeps varchar lengths and array item types', () => {
    expect(columnSchema(col('varchar', 'character varying(20)'))).toEqual({ type: ['string', 'null'], maxLength: 20 });
    expect(columnSchema(col('_numeric', 'numeric(5,1)[]', { elementTypname: 'numeric' }))).toMatchObject({ type: ['array', 'null'], items: { 'x-sql-datatype': 'numeric(5,1)' } });
  });

  it('offers keys that order well as replication keys', () => {
    expect(canBeReplicationKey(col('timestamptz'))).toBe(true);
    expect(canBeReplicationKey(col('int8'))).toBe(true);
    expect(canBeReplicationKey(col('jsonb'))).toBe(false);
    expect(canBeReplicationKey(col('_int4', 'integer[]', { elementTypname: 'int4' }))).toBe(false);
  });
});

describe('SQL text', () => {
  it('quotes identifiers and literals', () => {
    expect(quoteIdent('a "b" select')).toBe('"a ""b"" select"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  it('writes numbers from their own text, timestamps without zone as UTC, json on one line', () => {
    expect(jsonExpression(col('numeric'))).toBe(`coalesce("c"::text, 'null')`);
    expect(jsonExpression(col('timestamp'))).toBe(`coalesce(to_json("c" AT TIME ZONE 'UTC')::text, 'null')`);
    expect(jsonExpression(col('json'))).toContain('translate(');
    expect(jsonExpression(col('bytea'))).toContain(`encode("c", 'hex')`);
  });

  it('selects common types as their own text for the tap to encode, the rest as JSON PostgreSQL builds', () => {
    expect(copyColumn(col('int8', 'bigint', { name: `it's "é"` }))).toEqual({ sql: `"it's ""é"""`, encoding: 'raw' });
    expect(copyColumn(col('text', 'text'))).toEqual({ sql: '"c"', encoding: 'string' });
    expect(copyColumn(col('bool', 'boolean'))).toEqual({ sql: '"c"', encoding: 'bool' });
    expect(copyColumn(col('timestamp', 'timestamp without time zone'))).toEqual({ sql: '"c"', encoding: 'timestamp' });
    expect(copyColumn(col('interval', 'interval'))).toEqual({ sql: 'to_json("c")::text', encoding: 'raw' });
    expect(copyColumn(col('_int4', 'integer[]', { elementTypname: 'int4' }))).toEqual({ sql: 'to_json("c")::text', encoding: 'raw' });
  });
});

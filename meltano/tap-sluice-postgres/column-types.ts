/**
 * A PostgreSQL column → its JSON Schema (exact enough for target-clickhouse to create exact
 * columns: integer ranges, numeric(P,S) as x-sql-datatype, which timestamps carry a zone) and
 * what COPY selects for it: common types as PostgreSQL's own text, which the tap turns into
 * JSON (copy-lines.ts), the rest as JSON that PostgreSQL builds.
 */
export type PgColumn = {
  name: string;
  /** format_type(): `numeric(12,2)`, `character varying(20)`, `timestamp(3) with time zone`, `integer[]`. */
  sqlType: string;
  /** pg_type.typname of the column's type (of its base type for a domain): int8, numeric, _int4… */
  typname: string;
  /** Element typname when the column is an array. */
  elementTypname: string | undefined;
  notNull: boolean;
};

type JsonSchema = Record<string, unknown>;

const INT_RANGES: Record<string, [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  // As JSON numbers these print rounded (±9223372036854775807 is not a double); Int64 holds the whole range.
  int8: [-9223372036854775808, 9223372036854775807],
};
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'char', 'name', 'citext']);
const FLOAT_TYPES: Record<string, string> = { float4: 'real', float8: 'double precision' };

const nullable = (type: string, notNull: boolean) => (notNull ? type : [type, 'null']);

/** The schema of one value of a type (the items of an array use it too). */
function valueSchema(typname: string, sqlType: string, notNull: boolean): JsonSchema {
  const range = INT_RANGES[typname];
  if (range) return { type: nullable('integer', notNull), minimum: range[0], maximum: range[1] };
  if (typname === 'numeric') {
    const declared = /^numeric\((\d+),(\d+)\)/.exec(sqlType.replace(/\s+/g, ''));
    return declared
      ? { type: nullable('number', notNull), 'x-sql-datatype': `numeric(${declared[1]},${declared[2]})`, 'x-sql-datatype-properties': { precision: Number(declared[1]), scale: Number(declared[2]) } }
      : { type: nullable('number', notNull), 'x-sql-datatype': 'numeric' };
  }
  if (FLOAT_TYPES[typname]) return { type: nullable('number', notNull), 'x-sql-datatype': FLOAT_TYPES[typname] };
  if (typname === 'bool') return { type: nullable('boolean', notNull) };
  if (typname === 'date') return { type: nullable('string', notNull), format: 'date' };
  if (typname === 'timestamp') return { type: nullable('string', notNull), format: 'date-time', 'x-sql-datatype': 'timestamp without time zone' };
  if (typname === 'timestamptz') return { type: nullable('string', notNull), format: 'date-time', 'x-sql-datatype': 'timestamp with time zone' };
  if (typname === 'time' || typname === 'timetz') return { type: nullable('string', notNull), format: 'time', 'x-sql-datatype': typname === 'time' ? 'time without time zone' : 'time with time zone' };
  if (typname === 'uuid') return { type: nullable('string', notNull), format: 'uuid' };
  // Any JSON value; the target keeps its exact text.
  if (typname === 'json' || typname === 'jsonb') return { 'x-sql-datatype': typname };
  if (typname === 'bytea') return { type: nullable('string', notNull), contentEncoding: 'base16', 'x-sql-datatype': 'bytea' };
  if (typname === 'interval') return { type: nullable('string', notNull), 'x-sql-datatype': 'interval' };
  if (TEXT_TYPES.has(typname)) {
    const length = /\((\d+)\)$/.exec(sqlType);
    return length && typname !== 'bpchar' ? { type: nullable('string', notNull), maxLength: Number(length[1]) } : { type: nullable('string', notNull) };
  }
  return { type: nullable('string', notNull) };
}

export function columnSchema(column: PgColumn): JsonSchema {
  if (column.elementTypname !== undefined) {
    return { type: nullable('array', column.notNull), items: valueSchema(column.elementTypname, column.sqlType.replace(/\[\]$/, ''), false) };
  }
  return valueSchema(column.typname, column.sqlType, column.notNull);
}

const REPLICATION_KEY_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'date', 'timestamp', 'timestamptz', 'text', 'varchar', 'bpchar', 'uuid', 'oid']);
export const canBeReplicationKey = (column: PgColumn) => column.elementTypname === undefined && REPLICATION_KEY_TYPES.has(column.typname);

/** `"a ""b"""`: an identifier, quoted, as PostgreSQL reads it. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** `'it''s'`: a string literal (standard_conforming_strings is on since 9.1). */
export const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'oid']);

/**
 * SQL giving the column's value as JSON text (never NULL: SQL NULL becomes `null`).
 * Numbers use their own text, so int8 and numeric beyond 2^53 stay exact and NaN/±Infinity
 * come out bare, as Python taps write them and the target reads them. Timestamps without a
 * zone are read as UTC (`+00:00`, as the Singer SDK writes them); json keeps its text, its
 * line breaks (whitespace there) turned into spaces so a record stays one line.
 */
export const jsonExpression = (column: PgColumn): string => `coalesce(${jsonValue(column)}, 'null')`;

/** jsonExpression without the NULL case (COPY writes SQL NULL as \\N). */
function jsonValue(column: PgColumn): string {
  const c = quoteIdent(column.name);
  if (column.elementTypname === undefined && NUMBER_TYPES.has(column.typname)) return `${c}::text`;
  if (column.typname === 'timestamp') return `to_json(${c} AT TIME ZONE 'UTC')::text`;
  if (column.typname === 'json') return `translate(${c}::text, E'\\n\\r\\t', '   ')`;
  if (column.typname === 'jsonb') return `${c}::text`;
  if (column.typname === 'bytea') return `to_json(encode(${c}, 'hex'))::text`;
  return `to_json(${c})::text`;
}

/**
 * How the tap turns a column's COPY text into JSON: `raw` text that already is JSON (numbers
 * in their own digits, or JSON PostgreSQL built with to_json), a `string`, a `bool` (t/f), or a
 * timestamp with or without its zone (written as to_json writes a timestamptz).
 */
export type Encoding = 'raw' | 'string' | 'bool' | 'timestamptz' | 'timestamp';

const STRING_TYPES = new Set([...TEXT_TYPES, 'uuid', 'date']);

/**
 * What COPY selects for a column and how the tap encodes it. Common types come out as
 * PostgreSQL's own text (cheap for the server) and the tap writes the JSON, byte for byte what
 * to_json would; the rest are built as JSON by PostgreSQL (jsonExpression).
 */
export function copyColumn(column: PgColumn): { sql: string; encoding: Encoding } {
  const c = quoteIdent(column.name);
  if (column.elementTypname === undefined) {
    if (NUMBER_TYPES.has(column.typname)) return { sql: c, encoding: 'raw' };
    if (column.typname === 'bool') return { sql: c, encoding: 'bool' };
    if (column.typname === 'timestamptz' || column.typname === 'timestamp') return { sql: c, encoding: column.typname };
    if (STRING_TYPES.has(column.typname)) return { sql: c, encoding: 'string' };
  }
  return { sql: jsonValue(column), encoding: 'raw' };
}

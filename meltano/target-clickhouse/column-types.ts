/**
 * JSON Schema (as Singer taps write it) → ClickHouse column types, and the reverse reading
 * of an existing column's type. Old servers (18.16, what CI has) lack DateTime64, Date32,
 * Decimal256 and Bool; newer ones (production 24.x) get the richer types. What each type can
 * hold exactly is in value-ranges.ts.
 */
export type ServerFeatures = {
  /** DateTime64 (20.1+). */
  dateTime64: boolean;
  /** Bool (21.12+). */
  bool: boolean;
  /** Date32 (21.9+). */
  date32: boolean;
  /** Decimal(P, S) with P up to 76 (big integers out of experimental: 22.1+, a safe choice). */
  decimal256: boolean;
  /** Date32 and DateTime64 reach 1900-01-01 … 2299-12-31 (22.8+); before, 1925 … 2283-11-11. */
  wideDates: boolean;
};
export type ColumnKind = 'int' | 'float' | 'decimal' | 'string' | 'datetime' | 'date' | 'uuid' | 'bool' | 'json';
export type ColumnSpec = {
  kind: ColumnKind;
  nullable: boolean;
  /** Decimal: digits after the point. */
  scale?: number;
  /** Decimal: digits in all. DateTime64: digits of a second. */
  precision?: number;
  /** Date32 rather than Date; DateTime64 rather than DateTime. */
  wide?: boolean;
  /** Int: UInt64 rather than Int64 (MySQL's BIGINT UNSIGNED, whose values pass Int64's maximum). */
  unsigned?: boolean;
};
/** What a bare `number` (no multipleOf, no x-sql-datatype) becomes: the `untyped_numbers` setting. */
export type UntypedNumbers = 'float' | 'decimal';
/** The Decimal a bare number becomes under `untyped_numbers: decimal`: 28 digits before the point, 10 after, on every server. */
export const UNTYPED_DECIMAL = { precision: 38, scale: 10 } as const;

type Schema = {
  type?: string | string[];
  format?: string;
  multipleOf?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  'x-sql-datatype'?: string;
  'x-sql-datatype-properties'?: { precision?: number; scale?: number };
};
type SqlType = { 'x-sql-datatype'?: string | undefined; 'x-sql-datatype-properties'?: { precision?: number; scale?: number } | undefined };
type Flat = { types: string[]; format: string | undefined; multipleOf: number | undefined; sql: SqlType; nullable: boolean };

function flatten(schema: Schema): Flat {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const parts = alternatives.map(flatten);
    const usable = parts.filter((p) => p.types.length > 0);
    const only = usable.length === 1 ? usable[0]! : undefined;
    return {
      types: [...new Set(usable.flatMap((p) => p.types))],
      format: only?.format,
      multipleOf: only?.multipleOf,
      sql: only?.sql ?? {},
      nullable: parts.some((p) => p.nullable) || usable.length === 0,
    };
  }
  const raw = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return {
    types: raw.filter((t) => t !== 'null'),
    format: schema.format,
    multipleOf: schema.multipleOf,
    sql: { 'x-sql-datatype': schema['x-sql-datatype'], 'x-sql-datatype-properties': schema['x-sql-datatype-properties'] },
    nullable: raw.includes('null') || raw.length === 0,
  };
}

/** Decimal places of a multipleOf such as 0.01 (→ 2) or 1e-20 (→ 20); undefined when it is not a power of ten. */
export function scaleOf(multipleOf: number): number | undefined {
  if (!(multipleOf > 0) || multipleOf > 1) return undefined;
  const scale = Math.round(-Math.log10(multipleOf));
  return scale <= 76 && Math.abs(multipleOf / 10 ** -scale - 1) < 1e-9 ? scale : undefined;
}

/** Precision and scale a SQL type names: `numeric(38,10)`, `DECIMAL(12, 2)`, `numeric(10)`; or from x-sql-datatype-properties. */
function sqlDecimal(sql: Flat['sql']): { precision: number; scale: number } | undefined {
  const name = sql['x-sql-datatype']?.trim().toLowerCase();
  if (!name) return undefined;
  const match = /^(?:numeric|decimal|dec)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(name);
  if (!match) return undefined;
  const props = sql['x-sql-datatype-properties'];
  const precision = match[1] !== undefined ? Number(match[1]) : props?.precision;
  const scale = match[1] !== undefined ? Number(match[2] ?? 0) : props?.scale ?? 0;
  // `numeric` without a precision says no more than `number`.
  if (precision === undefined || !Number.isInteger(precision) || precision < 1 || !Number.isInteger(scale) || scale < 0 || scale > precision) return undefined;
  return { precision, scale };
}

/**
 * The rules (documented in target-clickhouse/README.md): integer → Int64 (UInt64 when its
 * minimum is 0 and its maximum passes Int64's); number →
 * Decimal(P,S) when x-sql-datatype names numeric(P,S) or multipleOf is 10^-S (Decimal(38,S)),
 * else Float64 (or a wide Decimal under untyped_numbers: decimal); string with format
 * date-time → DateTime(64), date → Date(32), uuid → UUID, anything else → String;
 * boolean → Bool/UInt8; objects, arrays, and values that may be of several types → String
 * holding their JSON text.
 */
export function columnSpec(schema: Schema, untypedNumbers: UntypedNumbers = 'float'): ColumnSpec {
  const { types, format, multipleOf, sql, nullable } = flatten(schema);
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return numberSpec(nullable, multipleOf, sql, untypedNumbers);
  if (types.length !== 1) return { kind: 'json', nullable: true };
  switch (types[0]) {
    case 'integer':
      return unsignedBeyondInt64(schema) ? { kind: 'int', nullable, unsigned: true } : { kind: 'int', nullable };
    case 'number':
      return numberSpec(nullable, multipleOf, sql, untypedNumbers);
    case 'boolean':
      return { kind: 'bool', nullable };
    case 'string':
      return { kind: format === 'date-time' ? 'datetime' : format === 'date' ? 'date' : format === 'uuid' ? 'uuid' : 'string', nullable };
    default:
      return { kind: 'json', nullable };
  }
}

/** An integer declared never negative and able to pass Int64's maximum (`minimum: 0, maximum: 18446744073709551615`, as pipelinewise-tap-mysql says BIGINT UNSIGNED): UInt64 holds all of it. */
const unsignedBeyondInt64 = (schema: Schema) => typeof schema.minimum === 'number' && schema.minimum >= 0 && typeof schema.maximum === 'number' && schema.maximum > 2 ** 63;

function numberSpec(nullable: boolean, multipleOf: number | undefined, sql: Flat['sql'], untypedNumbers: UntypedNumbers): ColumnSpec {
  const declared = sqlDecimal(sql);
  if (declared) return { kind: 'decimal', nullable, ...declared };
  const scale = multipleOf === undefined ? undefined : scaleOf(multipleOf);
  if (scale === 0) return { kind: 'int', nullable };
  if (scale !== undefined) return { kind: 'decimal', nullable, precision: Math.max(38, scale), scale };
  // A source's own float column (double precision, real, float) is a float whatever untyped_numbers says: it has no digits a Decimal could keep.
  if (isSqlFloat(sql)) return { kind: 'float', nullable };
  return untypedNumbers === 'decimal' ? { kind: 'decimal', nullable, ...UNTYPED_DECIMAL } : { kind: 'float', nullable };
}

const isSqlFloat = (sql: Flat['sql']) => /^(double precision|double|float8|float4|real|float(\s*\(\s*\d+\s*\))?)$/.test(sql['x-sql-datatype']?.trim().toLowerCase() ?? '');

/** Decimal(P,S) as this server can have it: P above 38 only where Decimal256 exists, else Decimal(38, S ≤ 38). */
function decimalType(spec: ColumnSpec, features: ServerFeatures): string {
  const max = features.decimal256 ? 76 : 38;
  const precision = Math.min(spec.precision ?? 38, max);
  return `Decimal(${precision}, ${Math.min(spec.scale ?? 0, precision)})`;
}

export function clickhouseType(spec: ColumnSpec, features: ServerFeatures): string {
  switch (spec.kind) {
    case 'int':
      return spec.unsigned ? 'UInt64' : 'Int64';
    case 'float':
      return 'Float64';
    case 'decimal':
      return decimalType(spec, features);
    case 'bool':
      return features.bool ? 'Bool' : 'UInt8';
    case 'datetime':
      return features.dateTime64 ? "DateTime64(6, 'UTC')" : 'DateTime';
    case 'date':
      return features.date32 ? 'Date32' : 'Date';
    case 'uuid':
      return 'UUID';
    default:
      return 'String';
  }
}

export const columnDefinition = (spec: ColumnSpec, features: ServerFeatures) =>
  spec.nullable ? `Nullable(${clickhouseType(spec, features)})` : clickhouseType(spec, features);

/** Reads an existing column's type back into a spec ("Nullable(Decimal(38, 2))" → decimal, precision 38, scale 2, nullable). */
export function specOfType(type: string): ColumnSpec {
  const nullable = /^Nullable\(/.test(type);
  const base = type.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  if (base === 'UInt64') return { kind: 'int', nullable, unsigned: true };
  if (/^U?Int\d+$/.test(base)) return { kind: 'int', nullable };
  if (/^Float\d+$/.test(base)) return { kind: 'float', nullable };
  const decimal = /^Decimal(\d+)?\((?:(\d+),\s*)?(\d+)\)$/.exec(base);
  if (decimal) {
    const bits = decimal[1];
    // Decimal32/64/128/256(S) name their width, not their precision.
    const precision = bits ? { '32': 9, '64': 18, '128': 38, '256': 76 }[bits] ?? 38 : Number(decimal[2] ?? 10);
    return { kind: 'decimal', nullable, precision, scale: Number(decimal[3]) };
  }
  const dateTime64 = /^DateTime64\((\d+)/.exec(base);
  if (dateTime64) return { kind: 'datetime', nullable, wide: true, precision: Number(dateTime64[1]) };
  if (/^DateTime/.test(base)) return { kind: 'datetime', nullable };
  if (base === 'Date') return { kind: 'date', nullable };
  if (base === 'Date32') return { kind: 'date', nullable, wide: true };
  if (base === 'UUID') return { kind: 'uuid', nullable };
  if (base === 'Bool') return { kind: 'bool', nullable };
  return { kind: 'string', nullable };
}

export function featuresOf(version: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (m: number, n: number) => major > m || (major === m && minor >= n);
  return { dateTime64: atLeast(20, 1), bool: atLeast(21, 12), date32: atLeast(21, 9), decimal256: atLeast(22, 1), wideDates: atLeast(22, 8) };
}

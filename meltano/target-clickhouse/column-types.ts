/**
 * JSON Schema (as Singer taps write it) → ClickHouse column types, and the reverse reading
 * of an existing column's type. Old servers (18.16, what CI has) lack DateTime64 and Bool;
 * newer ones (production 24.x) get the richer types.
 */
export type ServerFeatures = { dateTime64: boolean; bool: boolean };
export type ColumnKind = 'int' | 'float' | 'decimal' | 'string' | 'datetime' | 'date' | 'uuid' | 'bool' | 'json';
export type ColumnSpec = { kind: ColumnKind; nullable: boolean; scale?: number };

type Schema = { type?: string | string[]; format?: string; multipleOf?: number; anyOf?: Schema[]; oneOf?: Schema[] };

function flatten(schema: Schema): { types: string[]; format: string | undefined; multipleOf: number | undefined; nullable: boolean } {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const parts = alternatives.map(flatten);
    const usable = parts.filter((p) => p.types.length > 0);
    return {
      types: [...new Set(usable.flatMap((p) => p.types))],
      format: usable.length === 1 ? usable[0]!.format : undefined,
      multipleOf: usable.length === 1 ? usable[0]!.multipleOf : undefined,
      nullable: parts.some((p) => p.nullable) || usable.length === 0,
    };
  }
  const raw = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return { types: raw.filter((t) => t !== 'null'), format: schema.format, multipleOf: schema.multipleOf, nullable: raw.includes('null') || raw.length === 0 };
}

/** Decimal places of a multipleOf such as 0.01 (→ 2); undefined when it is not a power of ten. */
function scaleOf(multipleOf: number): number | undefined {
  for (let scale = 0; scale <= 18; scale += 1) {
    if (Math.abs(multipleOf * 10 ** scale - 1) < 1e-9) return scale;
  }
  return undefined;
}

/**
 * The rules (documented in target-clickhouse/README.md): integer → Int64; number → Float64,
 * or Decimal(38,S) when multipleOf is 10^-S; string with format date-time → DateTime(64),
 * date → Date, uuid → UUID, anything else → String; boolean → Bool/UInt8; objects, arrays,
 * and values that may be of several types → String holding JSON text.
 */
export function columnSpec(schema: Schema): ColumnSpec {
  const { types, format, multipleOf, nullable } = flatten(schema);
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return { kind: 'float', nullable };
  if (types.length !== 1) return { kind: 'json', nullable: true };
  switch (types[0]) {
    case 'integer':
      return { kind: 'int', nullable };
    case 'number': {
      const scale = multipleOf === undefined ? undefined : scaleOf(multipleOf);
      if (scale === 0) return { kind: 'int', nullable };
      return scale === undefined ? { kind: 'float', nullable } : { kind: 'decimal', nullable, scale };
    }
    case 'boolean':
      return { kind: 'bool', nullable };
    case 'string':
      return { kind: format === 'date-time' ? 'datetime' : format === 'date' ? 'date' : format === 'uuid' ? 'uuid' : 'string', nullable };
    default:
      return { kind: 'json', nullable };
  }
}

export function clickhouseType(spec: ColumnSpec, features: ServerFeatures): string {
  switch (spec.kind) {
    case 'int':
      return 'Int64';
    case 'float':
      return 'Float64';
    case 'decimal':
      return `Decimal(38, ${spec.scale ?? 0})`;
    case 'bool':
      return features.bool ? 'Bool' : 'UInt8';
    case 'datetime':
      return features.dateTime64 ? "DateTime64(6, 'UTC')" : 'DateTime';
    case 'date':
      return 'Date';
    case 'uuid':
      return 'UUID';
    default:
      return 'String';
  }
}

export const columnDefinition = (spec: ColumnSpec, features: ServerFeatures) =>
  spec.nullable ? `Nullable(${clickhouseType(spec, features)})` : clickhouseType(spec, features);

/** Reads an existing column's type back into a spec ("Nullable(Decimal(38, 2))" → decimal, scale 2, nullable). */
export function specOfType(type: string): ColumnSpec {
  const nullable = /^Nullable\(/.test(type);
  const base = type.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  if (/^U?Int\d+$/.test(base)) return { kind: 'int', nullable };
  if (/^Float\d+$/.test(base)) return { kind: 'float', nullable };
  const decimal = /^Decimal(?:\d+)?\((?:\d+,\s*)?(\d+)\)$/.exec(base);
  if (decimal) return { kind: 'decimal', nullable, scale: Number(decimal[1]) };
  if (/^DateTime/.test(base)) return { kind: 'datetime', nullable };
  if (base === 'Date' || base === 'Date32') return { kind: 'date', nullable };
  if (base === 'UUID') return { kind: 'uuid', nullable };
  if (base === 'Bool') return { kind: 'bool', nullable };
  return { kind: 'string', nullable };
}

export function featuresOf(version: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (m: number, n: number) => major > m || (major === m && minor >= n);
  return { dateTime64: atLeast(20, 1), bool: atLeast(21, 12) };
}

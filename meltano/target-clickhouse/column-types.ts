/**
 * JSON Schema (as Singer taps write it) → ClickHouse column type. Old servers (18.16, what
 * CI has) lack DateTime64 and Bool; newer ones (production 24.x) get the richer types.
 */
export type ServerFeatures = { dateTime64: boolean; bool: boolean };
export type ColumnKind = 'int' | 'float' | 'string' | 'datetime' | 'date' | 'bool' | 'json';
export type Column = { name: string; source: string; kind: ColumnKind; type: string; nullable: boolean };

type Schema = { type?: string | string[]; format?: string; anyOf?: Schema[]; oneOf?: Schema[] };

function nonNullTypes(schema: Schema): { types: string[]; format: string | undefined; nullable: boolean } {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const parts = alternatives.map(nonNullTypes);
    const usable = parts.filter((p) => p.types.length > 0);
    return { types: usable.flatMap((p) => p.types), format: usable[0]?.format, nullable: parts.some((p) => p.nullable) || usable.length === 0 };
  }
  const raw = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return { types: raw.filter((t) => t !== 'null'), format: schema.format, nullable: raw.includes('null') || raw.length === 0 };
}

export function columnKind(schema: Schema): { kind: ColumnKind; nullable: boolean } {
  const { types, format, nullable } = nonNullTypes(schema);
  if (types.length !== 1) return { kind: types.length === 0 ? 'json' : types.every((t) => t === 'integer' || t === 'number') ? 'float' : 'string', nullable: true };
  switch (types[0]) {
    case 'integer':
      return { kind: 'int', nullable };
    case 'number':
      return { kind: 'float', nullable };
    case 'boolean':
      return { kind: 'bool', nullable };
    case 'string':
      return { kind: format === 'date-time' ? 'datetime' : format === 'date' ? 'date' : 'string', nullable };
    default:
      return { kind: 'json', nullable };
  }
}

export function clickhouseType(kind: ColumnKind, features: ServerFeatures): string {
  switch (kind) {
    case 'int':
      return 'Int64';
    case 'float':
      return 'Float64';
    case 'bool':
      return features.bool ? 'Bool' : 'UInt8';
    case 'datetime':
      return features.dateTime64 ? "DateTime64(6, 'UTC')" : 'DateTime';
    case 'date':
      return 'Date';
    default:
      return 'String';
  }
}

export function featuresOf(version: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (m: number, n: number) => major > m || (major === m && minor >= n);
  return { dateTime64: atLeast(20, 1), bool: atLeast(21, 12) };
}

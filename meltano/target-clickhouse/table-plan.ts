import { columnDefinition, columnSpec, type ColumnKind, type ColumnSpec, type ServerFeatures, specOfType, type UntypedNumbers } from './column-types.js';
import { quoteIdent, safeName } from './identifiers.js';
import { defaultMode, engineClause, type SyncMode } from './sync-modes.js';
import { checkFor, type ValueCheck } from './value-checks.js';

/**
 * How a stream's SCHEMA meets its table: the DDL to run (create, add, widen), and for each
 * property the column it lands in and whether its JSON value can go to ClickHouse as it is
 * ('pass') or needs converting first ('json': its JSON text, strings with their quotes;
 * 'stringify': a String column's text; 'date': the date part). Values copied as they are
 * get a byte-level `check` first (value-checks.ts); record-row.ts writes the rows.
 */
export type Converter = 'pass' | 'stringify' | 'json' | 'date';
export type PlannedColumn = { source: string; name: string; spec: ColumnSpec; convert: Converter; check: ValueCheck | undefined };
export type TablePlan = {
  columns: Map<string, PlannedColumn>;
  /** Metadata columns the schema does not declare itself (the loader or a default fills them). */
  metadata: Set<string>;
  statements: string[];
  keyed: boolean;
  /** `ENGINE = … ORDER BY …` the stream's sync mode wants (for a new table or a rebuild). */
  engine: string;
};

export class PlanError extends Error {
  override name = 'PlanError';
}

export const TENANT_COLUMN = '_sluice_tenant_id';

const METADATA: Array<[string, ColumnSpec]> = [
  ['_sdc_extracted_at', { kind: 'datetime', nullable: true }],
  ['_sdc_received_at', { kind: 'datetime', nullable: false }],
  ['_sdc_batched_at', { kind: 'datetime', nullable: false }],
  ['_sdc_deleted_at', { kind: 'datetime', nullable: true }],
  ['_sdc_sequence', { kind: 'int', nullable: false }],
  ['_sdc_table_version', { kind: 'int', nullable: true }],
];

function converterFor(value: ColumnKind, column: ColumnKind): Converter | 'widen' {
  if (column === 'string') return value === 'string' || value === 'uuid' || value === 'datetime' || value === 'date' ? 'pass' : value === 'json' ? 'json' : 'stringify';
  if (value === 'json') return 'widen';
  if (value === column) return value === 'date' ? 'date' : 'pass';
  if (column === 'float' && (value === 'int' || value === 'decimal')) return 'pass';
  if (column === 'decimal' && value === 'int') return 'pass';
  if (column === 'int' && value === 'bool') return 'pass';
  if (column === 'datetime' && value === 'date') return 'pass';
  return 'widen';
}

/** The narrowest type that holds both what the column has and what the schema now says. */
function widened(column: ColumnSpec, value: ColumnSpec): ColumnSpec {
  const nullable = column.nullable || value.nullable;
  const pair = `${column.kind}>${value.kind}`;
  if (pair === 'int>float' || pair === 'decimal>float') return { kind: 'float', nullable };
  if (pair === 'int>decimal') return { kind: 'decimal', nullable, scale: value.scale ?? 0, precision: value.precision ?? 38 };
  if (pair === 'date>datetime') return { kind: 'datetime', nullable };
  return { kind: 'string', nullable };
}

const describe = (spec: ColumnSpec) => (spec.kind === 'json' ? 'JSON' : spec.kind);

export function planTable(input: {
  stream: string;
  table: string;
  database: string;
  properties: Record<string, unknown>;
  /**
   * The schema's `required` list. A property not in it may be missing from a record, and a
   * missing value must read back as NULL, not as the type's default (0, ''): its new column
   * is Nullable whatever its type says. Undefined: trust the types (callers that never omit).
   */
  required?: readonly string[] | undefined;
  keyProperties: string[];
  existing: Map<string, string>;
  features: ServerFeatures;
  tenantId: string | undefined;
  /** Decides the engine of a new table; streams without one keep today's (deduped when keyed). */
  mode?: SyncMode;
  untypedNumbers?: UntypedNumbers;
}): TablePlan {
  const { features, existing } = input;
  const target = `${quoteIdent(input.database)}.${quoteIdent(input.table)}`;
  const fresh = existing.size === 0;
  const columns = new Map<string, PlannedColumn>();
  const statements: string[] = [];
  const definitions: string[] = [];
  const keyNames: string[] = [];

  for (const [source, schema] of Object.entries(input.properties)) {
    const name = safeName(source);
    const isKey = input.keyProperties.includes(source);
    const typed = columnSpec((schema ?? {}) as Parameters<typeof columnSpec>[0], input.untypedNumbers);
    const mayBeMissing = input.required !== undefined && !input.required.includes(source);
    const wanted = mayBeMissing && !typed.nullable ? { ...typed, nullable: true } : typed;
    // Sorting keys cannot be Nullable; a JSON-ish key is kept as its text.
    const spec: ColumnSpec = isKey ? { ...(wanted.kind === 'json' ? { kind: 'string' as const } : wanted), nullable: false } : wanted.kind === 'json' ? { kind: 'string', nullable: true } : wanted;
    if (isKey) keyNames.push(name);
    const current = existing.get(name);
    if (current === undefined) {
      if (fresh) definitions.push(`${quoteIdent(name)} ${columnDefinition(spec, features)}`);
      else statements.push(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(name)} ${columnDefinition(spec, features)}`);
      // The spec of the column as created (Date32, DateTime64, the Decimal this server allows), which its checks follow.
      const created = { ...specOfType(columnDefinition(spec, features)), nullable: spec.nullable };
      columns.set(source, planned(source, name, created, converterFor(wanted.kind, spec.kind) as Converter, features));
      continue;
    }
    let columnSpecNow = specOfType(current);
    let convert = converterFor(wanted.kind, columnSpecNow.kind);
    if (convert === 'widen') {
      const next = widened(columnSpecNow, wanted);
      if (isKey) {
        throw new PlanError(
          `stream "${input.stream}": key property "${source}" is now ${describe(wanted)} but its column holds ${describe(columnSpecNow)}; ClickHouse cannot change a sorting key. Load the stream into a new table (another table prefix) or drop the table and run a full refresh.`,
        );
      }
      statements.push(`ALTER TABLE ${target} MODIFY COLUMN ${quoteIdent(name)} ${columnDefinition(next, features)}`);
      columnSpecNow = next;
      convert = converterFor(wanted.kind, next.kind);
    } else if (typed.nullable && !columnSpecNow.nullable && !isKey) {
      // Only a type that now allows null changes an existing column: a column that is merely
      // not `required` stays as it is (rewriting a big table's column is not worth that).
      columnSpecNow = { ...columnSpecNow, nullable: true };
      statements.push(`ALTER TABLE ${target} MODIFY COLUMN ${quoteIdent(name)} ${columnDefinition(columnSpecNow, features)}`);
    }
    columns.set(source, planned(source, name, columnSpecNow, convert as Converter, features));
  }

  const metadata = new Set<string>();
  const metadataColumns: Array<[string, ColumnSpec]> = [...METADATA, ...(input.tenantId ? [[TENANT_COLUMN, { kind: 'string', nullable: false }] as [string, ColumnSpec]] : [])];
  for (const [name, spec] of metadataColumns) {
    if (name in input.properties) continue;
    metadata.add(name);
    if (existing.has(name)) continue;
    // The loader writes received and batched times into every row; the default serves rows
    // written by anything else.
    const fallback = name === '_sdc_batched_at' || name === '_sdc_received_at' ? ` DEFAULT ${features.dateTime64 ? 'now64(6)' : 'now()'}` : '';
    const definition = `${quoteIdent(name)} ${columnDefinition(spec, features)}${fallback}`;
    if (fresh) definitions.push(definition);
    else statements.push(`ALTER TABLE ${target} ADD COLUMN ${definition}`);
  }

  const keyed = keyNames.length > 0;
  const engine = engineClause(input.mode ?? defaultMode(keyed), [...(input.tenantId ? [TENANT_COLUMN] : []), ...keyNames], keyed);
  if (fresh) statements.unshift(`CREATE TABLE IF NOT EXISTS ${target} (${definitions.join(', ')}) ${engine}`);
  return { columns, metadata, statements, keyed, engine };
}

/** Values copied as they are (or cut to a date) are checked against what the column holds; converted text always fits a String. */
function planned(source: string, name: string, spec: ColumnSpec, convert: Converter, features: ServerFeatures): PlannedColumn {
  return { source, name, spec, convert, check: convert === 'pass' || convert === 'date' ? checkFor(spec, features) : undefined };
}
